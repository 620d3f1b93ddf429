package extractive

import (
	"strings"
	"testing"
)

// TestPegRowsHaveReasons: every news-peg row says why its phrases mark the
// news (issue 9, item 7), and its phrases are clean lower-case phrases.
func TestPegRowsHaveReasons(t *testing.T) {
	seen := map[string]bool{}
	for i, r := range xtrPegRows {
		if len(strings.TrimSpace(r.reason)) < xtrMinReason {
			t.Errorf("peg row %d (%.40s…) has no reason", i, r.phrases)
		}
		for _, p := range strings.Split(r.phrases, "|") {
			if p == "" || p != strings.ToLower(p) || p != strings.Join(strings.Fields(p), " ") {
				t.Errorf("peg row %d: phrase %q; want a lower-case phrase with single spaces", i, p)
			}
			if seen[p] {
				t.Errorf("peg phrase %q is listed twice", p)
			}
			seen[p] = true
		}
	}
}

func TestXtrPegCount(t *testing.T) {
	for _, c := range []struct {
		s    string
		want int
	}{
		{"Researchers have now detected the vapour for the first time, a new study reports.", 3},
		{"The company announced on Tuesday that it would close two plants.", 2},
		{"Die Forscher haben erstmals Wasserdampf nachgewiesen, wie eine neue Studie zeigt.", 2},
		{"Les chercheurs viennent de détecter de la vapeur d'eau pour la première fois.", 2},
		{"La empresa anunció el martes el cierre de dos plantas.", 2},
		{"Il governo ha annunciato oggi un nuovo piano.", 2},
		{"A empresa anunciou nesta manhã o fechamento de duas fábricas.", 2},
		{"The plumes of the moon seem to be real.", 0},
		// A peg inside a quotation is the speaker's, not the reporter's.
		{`"We did it for the first time," she said.`, 0},
	} {
		if got := xtrPegCount(xtrTokenize(c.s)); got != c.want {
			t.Errorf("xtrPegCount(%q) = %d; want %d", c.s, got, c.want)
		}
	}
}

// TestExtractiveLeadPeg: an opening that sets the scene is followed by the
// sentence that says what is new, whatever else the article says.
func TestExtractiveLeadPeg(t *testing.T) {
	text := strings.Join([]string{
		"The icy moon's elusive water plumes do indeed seem to be real, and they may be vast and sporadic.",
		"Earlier telescope images had shown indirect signs of such water plumes above the icy moon's cracked surface.",
		"Researchers have now measured the water vapour of one plume directly for the first time, a new study reports.",
		"The team watched the icy moon for seventeen nights over two years with a large infrared telescope.",
		"On one night the water vapour signal was strong enough to fill a swimming pool with water plumes.",
		"The water plumes on the icy moon could come from a buried ocean or from melted ice within the shell.",
		"Plumes on the icy moon would let a future probe sample the ocean water without drilling through the ice.",
		"Water vapour plumes on the icy moon are rare, the team found, which explains earlier failed searches.",
		"A probe to the icy moon is scheduled to launch in the middle of the decade to study the water plumes.",
		"The icy moon's plumes of water vapour will be watched again next year with a larger telescope.",
	}, " ")
	doc := xtrTestDocument(t, "Water plumes of an icy moon are real", text)
	topics := xtrSummarize(t, doc)
	var got []string
	for _, tp := range topics {
		for _, p := range tp.Points {
			got = append(got, p.Text)
		}
	}
	if len(got) < 2 || !strings.HasPrefix(got[1], "Researchers have now measured") {
		t.Errorf("points %q; want the news-peg sentence second, after the lead", got)
	}
}

// TestExtractiveNutGraf: a feature that opens with a scene states its
// news later; that sentence comes right after the lead.
func TestExtractiveNutGraf(t *testing.T) {
	text := strings.Join([]string{
		"When the old ferryman walked down to the river at dawn, the water was already grey and the gulls were quiet.",
		"He remembers mornings when forty boats waited at the pier, he said, and the tea stall never closed.",
		"“Nobody comes now,” he said, wiping the bench.",
		"His grandson laughed and threw a stone into the mist.",
		"The city council voted on Monday to close the harbour ferry service after a century, citing falling ferry ridership and harbour repair costs.",
		"The harbour ferry service carried two million riders a year at its peak, but ferry ridership fell by half after the bridge opened.",
		"Council members said the harbour repair costs of the ferry service could no longer be met from the city budget.",
		"Ferry workers will be offered jobs on the city buses, the council said, and the harbour piers will be sold.",
		"A group of riders plans to appeal the council's ferry decision in court next month.",
		"The last harbour ferry will sail at the end of the year.",
	}, " ")
	doc := xtrTestDocument(t, "City council ends harbour ferry service", text)
	topics := xtrSummarize(t, doc)
	var got []string
	for _, tp := range topics {
		for _, p := range tp.Points {
			got = append(got, p.Text)
		}
	}
	if len(got) < 2 || !(strings.HasPrefix(got[0], "The city council voted") || strings.HasPrefix(got[1], "The city council voted")) {
		t.Errorf("points %q; want the council's vote first or second", got)
	}
}
