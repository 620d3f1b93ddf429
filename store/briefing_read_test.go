package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"briefbot/summarize"
)

// BenchmarkSharedSummaries is a daily briefing's store read: the day's
// shares of a server, n articles of five topics with three quoted points
// each, as the engines store them.
func BenchmarkSharedSummaries(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("shares=%d", n), func(b *testing.B) {
			db := openTest(b)
			r := rand.New(rand.NewPCG(1, 2))
			for i := range n {
				s := newSummary(fmt.Sprintf("https://news%d.example/a/%d", i%40, i), "extractive")
				s.Notes = []string{"The article is long; its later parts were summarized separately."}
				for k := range 5 {
					t := summarize.Topic{Name: fmt.Sprintf("Subject %d", r.IntN(60)), Points: nil}
					t.Key = summarize.TopicKey(t.Name)
					for j := range 3 {
						text := fmt.Sprintf("Negotiators in city %d said the %d-point plan on subject %d would be signed next week after a long night of talks.", r.IntN(20), j, k)
						t.Points = append(t.Points, summarize.Point{
							Text: text, Status: summarize.StatusAgreed, Actors: []string{fmt.Sprintf("Minister %d", r.IntN(30))},
							Quote: "“" + text + " Both delegations confirmed it in a joint statement on Tuesday evening.”", Grounded: true,
						})
					}
					s.Topics = append(s.Topics, t)
				}
				save(b, db, s)
				share(b, db, "g", s, base.Add(time.Duration(i)*time.Second))
			}
			analyzeIfPostgres(b, db)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				got, err := db.SharedSummaries(ctx, "g", base, base.Add(24*time.Hour))
				if err != nil || len(got) != n {
					b.Fatalf("SharedSummaries = %d, %v; want %d", len(got), err, n)
				}
			}
		})
	}
}
