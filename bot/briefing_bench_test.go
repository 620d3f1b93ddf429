package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"briefbot/ledger"
	"briefbot/schedule"
	"briefbot/summarize"
)

// benchSubjects are subjects written under several names, as different
// outlets do; every article takes a few of them.
var benchSubjects = [][]string{
	{"Ceasefire", "Truce", "30-day ceasefire", "Full temporary ceasefire"},
	{"Energy strikes", "Energy facility attacks", "Attacks on power plants"},
	{"Black Sea", "Maritime ceasefire in the Black Sea", "Black Sea shipping"},
	{"Prisoner exchange", "POW swap", "Prisoners of war exchange"},
	{"Territory", "Territorial concessions", "Occupied territory"},
	{"Military aid", "Foreign military assistance", "Weapons deliveries"},
	{"Sanctions relief", "Sanctions", "Lifting sanctions"},
	{"Peace talks in Jeddah", "Jeddah talks", "Talks in Saudi Arabia"},
	{"Zaporizhzhia nuclear plant", "Nuclear plant control", "Zaporizhzhia plant"},
	{"Mobilization", "Forced mobilization", "Mobilisation in Ukraine"},
	{"European security guarantees", "Security guarantees", "Peacekeepers"},
	{"Grain corridor", "Grain exports", "Agricultural exports"},
}

var benchWords = []string{
	"harbor", "railway", "bridge", "border", "refugee", "election", "budget", "pipeline",
	"airspace", "drone", "missile", "hospital", "school", "bank", "court", "treaty",
	"monitor", "inspection", "corridor", "reactor", "dam", "port", "tariff", "loan",
	"fuel", "gas", "coal", "wheat", "fertilizer", "satellite", "cable", "vaccine",
}

var benchCities = []string{"Kyiv", "Moscow", "Washington", "Brussels", "Riyadh", "Ankara", "Berlin", "Paris", "Warsaw", "Geneva"}

var benchTemplates = []struct {
	text   string
	status summarize.Status
}{
	{"Officials in %s said the %s deal was signed.", summarize.StatusAgreed},
	{"Negotiators in %s could not settle the %s question.", summarize.StatusUnresolved},
	{"Diplomats in %s accused the other side of breaking the %s terms.", summarize.StatusDisputed},
	{"Leaders meeting in %s committed to the %s plan.", summarize.StatusAgreed},
	{"Talks in %s on %s will resume next week.", summarize.StatusUnresolved},
}

// benchShares makes n shared summaries, each with three common subjects
// (under varying names) and two from a long tail, three points each.
func benchShares(n int) []ledger.SharedSummary { return benchSharesDay(n, "") }

// benchSharesDay is benchShares for one day: its articles' URLs carry day,
// so the previous day's articles are not re-shares of today's.
func benchSharesDay(n int, day string) []ledger.SharedSummary {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	at := time.Date(2025, 3, 19, 0, 0, 0, 0, time.UTC)
	out := make([]ledger.SharedSummary, 0, n)
	for i := range n {
		var topics []summarize.Topic
		for range 3 {
			subj := benchSubjects[r.IntN(len(benchSubjects))]
			topics = append(topics, benchTopic(r, subj[r.IntN(len(subj))]))
		}
		for range 2 {
			name := benchWords[r.IntN(len(benchWords))] + " " + benchWords[r.IntN(len(benchWords))] + " dispute"
			topics = append(topics, benchTopic(r, name))
		}
		u := fmt.Sprintf("https://news%d.example/article/%s%d", i%50, day, i)
		out = append(out, ledger.SharedSummary{
			Share: ledger.Share{GuildID: "g", URL: u, At: at.Add(time.Duration(i) * time.Second)},
			Summary: &summarize.Summary{
				URL: u, Title: fmt.Sprintf("Article %d on the negotiations", i), Site: fmt.Sprintf("News %d", i%50),
				Topics: topics,
			},
		})
	}
	return out
}

func benchTopic(r *rand.Rand, name string) summarize.Topic {
	t := summarize.Topic{Name: name, Key: summarize.TopicKey(name)}
	for range 3 {
		tpl := benchTemplates[r.IntN(len(benchTemplates))]
		t.Points = append(t.Points, summarize.Point{
			Text:     fmt.Sprintf(tpl.text, benchCities[r.IntN(len(benchCities))], name),
			Status:   tpl.status,
			Actors:   []string{benchCities[r.IntN(len(benchCities))]},
			Grounded: true,
		})
	}
	return t
}

// BenchmarkCompose measures a whole briefing: merge, diff against the
// previous ledger, encode the ledger and render the messages.
func BenchmarkCompose(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("shares=%d", n), func(b *testing.B) {
			shares := benchShares(n)
			slot := time.Date(2025, 3, 20, 8, 0, 0, 0, time.UTC)
			prev, err := compose(context.Background(), composeInput{Shares: benchSharesDay(n/2, "prev-"), Slot: slot.Add(-24 * time.Hour), Since: slot.Add(-48 * time.Hour)})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			var msgs, size, topics int
			for b.Loop() {
				led, err := compose(context.Background(), composeInput{Shares: shares, Previous: prev, Slot: slot, Since: slot.Add(-24 * time.Hour)})
				if err != nil {
					b.Fatal(err)
				}
				js, err := json.Marshal(led)
				if err != nil {
					b.Fatal(err)
				}
				out := renderAll("g", led, schedule.Header{Slot: slot, Loc: time.UTC}, false)
				msgs, size, topics = len(out), len(js), len(led.Current())
			}
			b.ReportMetric(float64(msgs), "messages")
			b.ReportMetric(float64(size), "ledger_bytes")
			b.ReportMetric(float64(topics), "topics")
		})
	}
}
