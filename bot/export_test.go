package bot

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"briefbot/summarize"
)

func TestExportFormatsAndIsolation(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	a := article(urlA, "Ceasefire talks", "Full ceasefire", summarize.StatusUnresolved)
	a.Topics[0].Points[0].Quote = "=HYPERLINK(\"x\") stands"
	e.sum.add(a)
	e.sum.add(article(urlB, "Ceasefire deal", "Full ceasefire", summarize.StatusAgreed))
	e.sum.add(article("https://other.example/energy", "Energy", "Energy ceasefire", summarize.StatusDisputed))
	e.h.HandleMessage(ctx, Message{GuildID: "g1", ChannelID: "c1", MessageID: "m1", AuthorID: "u1", Content: urlA})
	e.clock.Advance(24 * 3600e9)
	e.h.HandleMessage(ctx, Message{GuildID: "g1", ChannelID: "c1", MessageID: "m2", AuthorID: "u1", Content: urlB})
	e.h.HandleMessage(ctx, Message{GuildID: "g2", ChannelID: "c2", MessageID: "m3", AuthorID: "u2", Content: "https://other.example/energy"})
	inv := func(g string) Invoker { return Invoker{ID: "i", GuildID: g, ChannelID: "c", UserID: "u9"} }

	got := e.h.Export(ctx, inv("g1"), "ceasefire", "json")
	if len(got) != 1 || len(got[0].Files) != 1 || got[0].Ephemeral {
		t.Fatalf("Export(json) = %+v; want one public reply with one file", got)
	}
	f := got[0].Files[0]
	if f.Name != "export-ceasefire.json" || f.ContentType != "application/json" {
		t.Errorf("file = %q %q; want export-ceasefire.json application/json", f.Name, f.ContentType)
	}
	var doc ExportDoc
	if err := json.Unmarshal(f.Data, &doc); err != nil {
		t.Fatalf("json export does not decode: %v\n%s", err, f.Data)
	}
	if len(doc.Topics) != 1 || doc.Topics[0].Name != "Full ceasefire" {
		t.Fatalf("topics = %+v; want g1's one merged Full ceasefire (never g2's)", doc.Topics)
	}
	tp := doc.Topics[0]
	if tp.Status != summarize.StatusAgreed || len(tp.History) != 2 || tp.History[0].Status != summarize.StatusUnresolved {
		t.Errorf("status %q history %+v; want unresolved → agreed", tp.Status, tp.History)
	}
	if len(tp.Points) != 2 || len(tp.Sources) != 2 || tp.Sources[0].URL != urlA || tp.Sources[1].URL != urlB || tp.Points[1].Source != 2 {
		t.Errorf("points %+v sources %+v; want two points numbered by share order", tp.Points, tp.Sources)
	}
	if strings.Contains(string(f.Data), "other.example") {
		t.Errorf("g1's export names g2's article:\n%s", f.Data)
	}

	got = e.h.Export(ctx, inv("g1"), "ceasefire", "csv")
	rows, err := csv.NewReader(bytes.NewReader(got[0].Files[0].Data)).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "topic" {
		t.Fatalf("csv = %q, %v; want a header and two rows", rows, err)
	}
	if q := rows[1][5]; !strings.HasPrefix(q, "'=") {
		t.Errorf("csv quote cell %q; want a formula defused with a leading '", q)
	}
	if rows[2][8] != urlB || rows[2][1] != "agreed" || rows[2][11] != "2025-03-21" {
		t.Errorf("csv row %q; want url B, topic status agreed, shared 2025-03-21", rows[2])
	}

	got = e.h.Export(ctx, inv("g1"), "ceasefire", "")
	md := string(got[0].Files[0].Data)
	for _, want := range []string{"## Full ceasefire", "**Now: agreed**", "unresolved [1]", "Ceasefire deal <" + urlB + ">"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown export lacks %q:\n%s", want, md)
		}
	}

	if got := e.h.Export(ctx, inv("g2"), "full ceasefire talks", "md"); len(got) != 1 || len(got[0].Files) != 0 || !strings.Contains(got[0].Content, "No topic matching") {
		t.Errorf("Export(g2) = %+v; want not found (g1's articles must not leak)", got)
	}
	if got := e.h.Export(ctx, inv("g1"), "ceasefire", "pdf"); len(got) != 1 || !got[0].Ephemeral || len(got[0].Files) != 0 {
		t.Errorf("Export(pdf) = %+v; want an ephemeral hint", got)
	}
}

func TestExportIsBounded(t *testing.T) {
	doc := ExportDoc{Query: "q"}
	for i := range 50 {
		tp := ExportTopic{Name: fmt.Sprint("Topic ", i), Sources: []ExportSourceInfo{{N: 1, URL: "https://x.example/"}}}
		for j := range 100 {
			tp.Points = append(tp.Points, ExportPoint{Text: strings.Repeat("word ", 40), Quote: fmt.Sprint("quote ", j, strings.Repeat(" q", 50)), Status: summarize.StatusAgreed, Source: 1})
		}
		doc.Topics = append(doc.Topics, tp)
	}
	for _, format := range []string{ExportMarkdown, ExportJSON, ExportCSV} {
		f, err := EncodeExport(doc, format, 64<<10)
		if err != nil {
			t.Fatalf("EncodeExport(%s): %v", format, err)
		}
		if len(f.Data) > 64<<10 || len(f.Data) < 32<<10 {
			t.Errorf("EncodeExport(%s) = %d bytes; want within 32–64 KiB", format, len(f.Data))
		}
		if format == ExportJSON {
			var got ExportDoc
			if err := json.Unmarshal(f.Data, &got); err != nil || !got.Truncated {
				t.Errorf("cut json export: truncated=%v err=%v; want a valid document marked truncated", got.Truncated, err)
			}
		}
	}
}

func TestConsoleExportPrintsFile(t *testing.T) {
	ce := newConsoleEnv(t)
	ce.sum.add(article(urlB, "Energy truce holds", "Energy facility attacks", summarize.StatusAgreed))
	out := ce.run(t, urlB+"\n/export energy csv\n/export\n/quit\n")
	for _, want := range []string{
		"--- file export-energy.csv (",
		"topic,topic_status,point,point_status",
		"Energy facility attacks,agreed,",
		"--- end of export-energy.csv ---",
		"usage: /export <words> [md|json|csv]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q:\n%s", want, out)
		}
	}
}
