package extractive

import (
	"context"
	"strings"
	"testing"

	"briefbot/summarize"
	"briefbot/summarize/textnorm"
)

// TestExtractiveLanguages: news in each of the six languages the engine
// reads is answered with its lead first, in its own words, a topic named
// by the article's nouns (no function word) and the status its cues say.
func TestExtractiveLanguages(t *testing.T) {
	tests := []struct {
		lang, title, text string
		lead              string           // prefix of the first point
		status            summarize.Status // of the point starting with cuePrefix
		cuePrefix         string
	}{
		{"en", "Port strike ends after wage deal",
			"The dockworkers' union and the port operators agreed on Thursday to raise wages by 4 percent. The strike had idled the port for nine days. The union accused the operators of breaking a pledge on automation. Ships began to unload on Friday.",
			"The dockworkers' union and the port operators agreed", summarize.StatusDisputed, "The union accused"},
		{"de", "Hafenstreik endet nach Lohneinigung",
			"Die Gewerkschaft und die Hafenbetreiber haben sich am Donnerstag auf eine Lohnerhöhung von vier Prozent geeinigt. Der Streik hatte den Hafen neun Tage lang lahmgelegt. Die Gewerkschaft fordert weitere Gespräche über die Automatisierung. Am 3. Oktober soll die Arbeit wieder aufgenommen werden.",
			"Die Gewerkschaft und die Hafenbetreiber haben sich", summarize.StatusUnresolved, "Die Gewerkschaft fordert"},
		{"fr", "La grève du port prend fin après un accord salarial",
			"Le syndicat des dockers et les opérateurs du port ont signé jeudi un accord sur une hausse des salaires de 4 %. La grève avait paralysé le port pendant neuf jours. Le syndicat a accusé les opérateurs de ne pas respecter leurs engagements. Les navires ont recommencé à décharger vendredi.",
			"Le syndicat des dockers et les opérateurs du port ont signé", summarize.StatusDisputed, "Le syndicat a accusé"},
		{"es", "Termina la huelga del puerto tras un acuerdo salarial",
			"El sindicato de estibadores y los operadores del puerto firmaron el jueves un acuerdo para subir los salarios un 4 %. La huelga había paralizado el puerto durante nueve días. La Sra. García, portavoz del sindicato, exige más conversaciones. Los barcos volvieron a descargar el viernes.",
			"El sindicato de estibadores y los operadores del puerto firmaron", summarize.StatusUnresolved, "La Sra. García"},
		{"it", "Finisce lo sciopero del porto dopo l'accordo sui salari",
			"Il sindacato dei portuali e gli operatori del porto hanno firmato giovedì un accordo per aumentare i salari del 4 per cento. Lo sciopero aveva bloccato il porto per nove giorni. Il sindacato ha accusato gli operatori di non rispettare gli impegni. Le navi hanno ripreso a scaricare venerdì.",
			"Il sindacato dei portuali e gli operatori del porto hanno firmato", summarize.StatusDisputed, "Il sindacato ha accusato"},
		{"pt", "Greve no porto termina após acordo salarial",
			"O sindicato dos estivadores e os operadores do porto assinaram na quinta-feira um acordo para aumentar os salários em 4 por cento. A greve tinha paralisado o porto durante nove dias. O sindicato acusou os operadores de não cumprir os compromissos. Os navios voltaram a descarregar na sexta-feira.",
			"O sindicato dos estivadores e os operadores do porto assinaram", summarize.StatusDisputed, "O sindicato acusou"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			doc := &summarize.Document{Title: tt.title, Language: tt.lang, Text: tt.title + "\n\n" + strings.ReplaceAll(tt.text, ". ", ".\n\n")}
			res, err := New().Summarize(context.Background(), doc)
			if err != nil {
				t.Fatal(err)
			}
			summarize.Ground(res.Topics, doc.Text)
			if len(res.Topics) == 0 || len(res.Topics[0].Points) == 0 {
				t.Fatalf("no point for %s news", tt.lang)
			}
			if first := res.Topics[0].Points[0]; !strings.HasPrefix(first.Text, tt.lead) {
				t.Errorf("first point = %q; want the lead %q…", first.Text, tt.lead)
			}
			for _, tp := range res.Topics {
				for _, w := range strings.Fields(tp.Name) {
					if len([]rune(w)) < 3 || textnorm.IsStopword(tt.lang, w) {
						t.Errorf("topic name %q; want nouns of the article, no function word", tp.Name)
					}
				}
				for _, p := range tp.Points {
					if !p.Grounded {
						t.Errorf("point %q not grounded", p.Quote)
					}
					if strings.HasPrefix(p.Text, tt.cuePrefix) && p.Status != tt.status {
						t.Errorf("point %q status %q; want %q", p.Text, p.Status, tt.status)
					}
				}
			}
		})
	}
}

func TestXtrHeadlineLine(t *testing.T) {
	for _, tt := range []struct {
		para string
		want bool
	}{
		{"Staffers 'don't care': Federal prison suicides were quietly rising before Jeffrey Epstein's death", true},
		{"Two federal prison officers were charged Tuesday with falsifying records.", false},
		{"報道によると、今回販売されたのは、いわゆる「脱獄」したiPhone。", false},
		{"Il titolo è “Knights of the Zodiac”", false},
	} {
		if got := xtrHeadlineLine(tt.para); got != tt.want {
			t.Errorf("xtrHeadlineLine(%q) = %v; want %v", tt.para, got, tt.want)
		}
	}
}
