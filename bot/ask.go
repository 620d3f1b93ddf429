package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"briefbot/ask"
	"briefbot/bot/discordtext"
	"briefbot/ledger"
	"briefbot/prompts"
)

// Bounds of an /ask.
const (
	// maxQuestionRunes bounds a question (Discord's option max_length).
	maxQuestionRunes = 300
	// maxAskHits bounds the topics read from the store per search.
	maxAskHits = 60
	// maxAskSearches bounds the word-by-word searches made when the whole
	// question finds nothing.
	maxAskSearches = 6
	// maxAskModelPoints bounds the points listed to a model: the best
	// matches, enough for an answer, a prompt of a few thousand tokens.
	maxAskModelPoints = 20
	// maxAskOffline is how many points an offline answer shows.
	maxAskOffline = 5
)

// Ask answers /ask: a question answered only from this server's stored,
// grounded points, with numbered sources. With an Asker the model answers
// from the best-matching points and may cite only them; offline (or when
// the model fails or cites a point it was not given) the best-matching
// points are the answer. topic, when set, narrows the points to topics
// matching it.
func (h *Handler) Ask(ctx context.Context, inv Invoker, question, topic string) (replies []Reply) {
	defer h.recoverPanic("ask", &replies, true)
	question = strings.TrimSpace(discordtext.Clean(question))
	topic = strings.TrimSpace(discordtext.Clean(topic))
	if question == "" {
		return []Reply{notice("Ask me a question about what was shared here, e.g. `/ask did Russia agree to stop energy strikes?`")}
	}
	if utf8.RuneCountInString(question) > maxQuestionRunes {
		return []Reply{notice(fmt.Sprintf("Keep the question under %d characters.", maxQuestionRunes))}
	}
	if len(ask.Words(question)) == 0 {
		return []Reply{notice("Ask about something: name the subject, the parties or the event.")}
	}
	set, done, refused := h.beginLookup(ctx, inv)
	if refused != nil {
		return refused
	}
	defer done()
	hits, err := h.askHits(ctx, inv.GuildID, question, topic)
	if err != nil {
		h.log.Error("ask_search_failed", slog.String("guild_id", inv.GuildID), slog.Any("err", err))
		return []Reply{notice("I couldn't search the stored points just now; try again later.")}
	}
	src := numberSources(hits)
	var points []ask.Point
	for _, hit := range hits {
		for _, p := range hit.Topic.Points {
			if p.Grounded || set.ShowUngrounded {
				points = append(points, ask.Point{Topic: hit.Topic.Name, Point: p, Source: src.num[hit.URL]})
			}
		}
	}
	ranked := ask.Rank(question, points)
	if len(ranked) == 0 {
		return h.notCovered(ctx, inv.GuildID, question)
	}
	// Past the server's (or the day's) model budget, the stored points
	// answer without the model, as summaries fall back to the offline
	// engine.
	if _, overBudget := h.summarizerFor(ctx, inv.GuildID); h.asker != nil && overBudget == "" {
		cand := make([]ask.Point, 0, maxAskModelPoints)
		for _, r := range ranked[:min(len(ranked), maxAskModelPoints)] {
			cand = append(cand, r.Point)
		}
		ans, err := h.asker.Answer(ctx, question, cand)
		switch {
		case err != nil:
			// One log line; the answer falls back to the stored points.
			h.log.Warn("ask_model_failed", slog.String("guild_id", inv.GuildID), slog.Any("err", err))
		case !ans.Covered:
			return h.notCovered(ctx, inv.GuildID, question)
		default:
			return []Reply{renderModelAnswer(question, ans, cand, src)}
		}
	}
	shown := make([]ask.Point, 0, maxAskOffline)
	for _, r := range ranked[:min(len(ranked), maxAskOffline)] {
		shown = append(shown, r.Point)
	}
	return []Reply{renderAskPoints(question, "The stored points that match your question:", shown, src)}
}

// askHits finds the server's topics a question may be answered from: those
// matching topic when given, else the whole question, else (when the
// whole question finds nothing) any of its content words.
func (h *Handler) askHits(ctx context.Context, guildID, question, topic string) ([]ledger.TopicHit, error) {
	if topic != "" {
		return h.shares.SearchTopics(ctx, guildID, topic, maxAskHits)
	}
	hits, err := h.shares.SearchTopics(ctx, guildID, question, maxAskHits)
	if err != nil || len(hits) > 0 {
		return hits, err
	}
	seen := map[string]bool{}
	for i, w := range ask.Words(question) {
		if i == maxAskSearches {
			break
		}
		more, err := h.shares.SearchTopics(ctx, guildID, w, maxAskHits)
		if err != nil {
			return nil, err
		}
		for _, m := range more {
			k := m.URL + "\x00" + m.Topic.Name
			if !seen[k] {
				seen[k] = true
				hits = append(hits, m)
			}
		}
	}
	return hits, nil
}

// notCovered says the server's record does not answer the question.
func (h *Handler) notCovered(ctx context.Context, guildID, question string) []Reply {
	n := -1
	if c, ok := h.shares.(SourceCounter); ok {
		got, err := c.SharedArticleCount(ctx, guildID)
		if err != nil {
			h.log.Error("ask_count_failed", slog.String("guild_id", guildID), slog.Any("err", err))
		} else {
			n = got
		}
	}
	text := "Not covered by the sources so far."
	if n >= 0 {
		text = fmt.Sprintf("Not covered by the %s so far.", plural(n, "source", "sources"))
	}
	return []Reply{{Embeds: []*discordgo.MessageEmbed{{
		Title:       askTitle(question),
		Description: text + " I answer only from the articles shared in this server.",
		Color:       colorTopic,
	}}}}
}

func askTitle(q string) string {
	return discordtext.EscapeTruncate("Q: "+q, LimitTitle)
}

// askSources renumbers the articles an answer cites 1, 2, … in the order
// they are cited, and returns the Sources field.
type askRefs struct {
	num   map[int]int // the server's source number → the answer's
	order []int
}

func (r *askRefs) ref(n int) int {
	if r.num == nil {
		r.num = map[int]int{}
	}
	if k, ok := r.num[n]; ok {
		return k
	}
	r.order = append(r.order, n)
	r.num[n] = len(r.order)
	return len(r.order)
}

func (r *askRefs) field(src sources) *discordgo.MessageEmbedField {
	var lines []string
	for i, n := range r.order {
		if n < 1 || n > len(src.order) {
			continue
		}
		lines = append(lines, sourceLine(i+1, src.info[src.order[n-1]]))
	}
	return &discordgo.MessageEmbedField{Name: "Sources", Value: clipLines(lines, LimitFieldValue)}
}

// clipLines joins lines within limit runes, dropping the ones that do not
// fit.
func clipLines(lines []string, limit int) string {
	var b strings.Builder
	n := 0
	for _, l := range lines {
		k := utf8.RuneCountInString(l) + 1
		if n+k > limit {
			break
		}
		b.WriteString(l + "\n")
		n += k
	}
	return strings.TrimRight(b.String(), "\n")
}

// renderAskPoints shows points as the answer: each with its status, text,
// source number and, when it adds to the text, its verified quote.
func renderAskPoints(question, lead string, points []ask.Point, src sources) Reply {
	var refs askRefs
	var b strings.Builder
	b.WriteString(lead)
	for _, p := range points {
		line := fmt.Sprintf("\n%s **%s** · %s [%d]", StatusMark(p.Point.Status), discordtext.EscapeTruncate(p.Topic, 80),
			discordtext.EscapeTruncate(p.Point.Text, 400), refs.ref(p.Source))
		// The quote is shown when it adds to the point (as in replies);
		// every point here is grounded, so the text stands on it.
		if !quoteAddsNothing(p.Point.Text, p.Point.Quote) {
			line += "\n> “" + discordtext.EscapeTruncate(p.Point.Quote, 300) + "”"
		}
		if utf8.RuneCountInString(b.String()+line) > LimitDescription-100 {
			break
		}
		b.WriteString(line)
	}
	return Reply{Embeds: []*discordgo.MessageEmbed{{
		Title: askTitle(question), Description: b.String(), Color: colorTopic,
		Fields: []*discordgo.MessageEmbedField{refs.field(src)},
	}}}
}

// renderModelAnswer shows a model's answer, its "[pN]" citations rewritten
// to source numbers, then the cited points' quotes.
func renderModelAnswer(question string, ans ask.Answer, points []ask.Point, src sources) Reply {
	var refs askRefs
	cited := make([]ask.Point, 0, len(ans.Cited))
	for _, i := range ans.Cited {
		cited = append(cited, points[i])
		refs.ref(points[i].Source)
	}
	// Escape the model's words, not the citations written between them.
	var tb strings.Builder
	last := 0
	for _, m := range prompts.AskCiteRE.FindAllStringIndex(ans.Text, -1) {
		tb.WriteString(escapeKeepSpace(ans.Text[last:m[0]]))
		if i, ok := prompts.ParseAskPointID(strings.ReplaceAll(ans.Text[m[0]:m[1]], " ", "")); ok && i < len(points) {
			tb.WriteString("[" + strconv.Itoa(refs.ref(points[i].Source)) + "]")
		}
		last = m[1]
	}
	tb.WriteString(escapeKeepSpace(ans.Text[last:]))
	text := tb.String()
	r := renderAskPoints(question, discordtext.Truncate(text, 1600)+"\n\n**Quotes:**", cited, src)
	r.Embeds[0].Footer = &discordgo.MessageEmbedFooter{Text: "Answered by the model from this server's stored points only."}
	return r
}

// escapeKeepSpace escapes s for Discord keeping its leading and trailing
// spaces (Escape trims them), so the words around a citation stay apart.
func escapeKeepSpace(s string) string {
	core := strings.TrimSpace(s)
	if core == "" {
		return s
	}
	i := strings.Index(s, core)
	return s[:i] + discordtext.Escape(core) + s[i+len(core):]
}
