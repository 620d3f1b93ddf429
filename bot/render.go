package bot

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"briefbot/bot/discordtext"
	"briefbot/summarize"
)

// Discord's message and embed limits, in characters.
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
const (
	LimitContent     = 2000
	LimitEmbeds      = 10 // embeds per message
	LimitTitle       = 256
	LimitDescription = 4096
	LimitFields      = 25
	LimitFieldName   = 256
	LimitFieldValue  = 1024
	LimitFooter      = 2048
	LimitAuthor      = 256
	// LimitEmbedTotal bounds the text of one embed and, summed, of all the
	// embeds of one message.
	LimitEmbedTotal = 6000
)

// Caps on single pieces of model or article text, so one point always fits
// in one field value with its quote and marks around it.
const (
	maxPointText  = 600
	maxQuote      = 280
	maxActorsText = 120
	maxNote       = 300
	maxNotes      = 8
	maxTopicName  = 200 // leaves room for " (cont.)" when a topic goes on to the next page
)

// Status marks, as shown before each point. A reported fact gets a
// neutral mark: it is neither settled nor open between parties.
const (
	markAgreed     = "✅"
	markUnresolved = "❓"
	markDisputed   = "⚠️"
	markReported   = "▪️"
)

// Embed colours by extraction quality.
const (
	colorFull    = 0x3b82f6
	colorPartial = 0xf59e0b
	colorTeaser  = 0x9ca3af
	colorTopic   = 0x8b5cf6
)

// StatusMark returns the emoji shown for a status.
func StatusMark(s summarize.Status) string {
	switch s {
	case summarize.StatusAgreed:
		return markAgreed
	case summarize.StatusDisputed:
		return markDisputed
	case summarize.StatusReported:
		return markReported
	default:
		return markUnresolved
	}
}

// pointLine renders one point: status mark, the claim, actors, a source
// reference, and its quote in italics on a quoted line below when the
// quote adds something to the claim.
//
// When the point's text is itself the quote (the offline engine quotes
// whole sentences, and models often do), the text is shown once, as the
// quote. A grounded quote that is part of the text, or nearly the same
// words (see quoteAddsNothing), is left out; an ungrounded one is shown,
// so the reader sees what was not found.
func pointLine(p summarize.Point, ref string) string {
	var b strings.Builder
	b.WriteString(StatusMark(p.Status))
	b.WriteByte(' ')
	verbatim := sameText(p.Text, p.Quote)
	if verbatim {
		b.WriteString("*“")
		b.WriteString(discordtext.EscapeTruncate(p.Text, maxPointText))
		b.WriteString("”*")
	} else {
		b.WriteString(discordtext.EscapeTruncate(p.Text, maxPointText))
	}
	if len(p.Actors) > 0 {
		var actors []string
		for _, a := range p.Actors {
			if a = discordtext.EscapeTruncate(a, maxActorsText); a != "" {
				actors = append(actors, a)
			}
		}
		if len(actors) > 0 {
			b.WriteString(" — ")
			b.WriteString(discordtext.Truncate(strings.Join(actors, ", "), maxActorsText))
		}
	}
	b.WriteString(ref)
	if q := discordtext.EscapeTruncate(p.Quote, maxQuote); q != "" && !verbatim && !(p.Grounded && quoteAddsNothing(p.Text, p.Quote)) {
		b.WriteString("\n> *“")
		b.WriteString(q)
		b.WriteString("”*")
	}
	if !p.Grounded {
		b.WriteString("\n> _(quote not found in the article)_")
	}
	return b.String()
}

// splitField packs lines into fields of at most LimitFieldValue
// characters. A continuation field has a blank name (Discord requires one,
// so a zero-width space), so the topic reads as one block rather than as a
// second topic named "… (cont.)".
func splitField(name string, lines []string) []*discordgo.MessageEmbedField {
	var out []*discordgo.MessageEmbedField
	var cur []string
	size := 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		n := discordtext.Truncate(name, LimitFieldName)
		if len(out) > 0 {
			n = discordtext.ZeroWidthSpace
		}
		out = append(out, &discordgo.MessageEmbedField{Name: n, Value: strings.Join(cur, "\n")})
		cur, size = nil, 0
	}
	for _, l := range lines {
		l = discordtext.Truncate(l, LimitFieldValue)
		n := discordtext.Len(l)
		if len(cur) > 0 && size+1+n > LimitFieldValue {
			flush()
		}
		if len(cur) > 0 {
			size++
		}
		cur = append(cur, l)
		size += n
	}
	flush()
	return out
}

// pack lays a header embed, fields and a footer out over as many embeds
// and messages as Discord's limits need. The header goes first, the footer
// on the last embed.
func pack(head *discordgo.MessageEmbed, fields []*discordgo.MessageEmbedField, footer string) []Reply {
	footer = discordtext.Truncate(footer, LimitFooter)
	var embeds []*discordgo.MessageEmbed
	cur := head
	size := embedLen(head)
	for _, f := range fields {
		n := discordtext.Len(f.Name) + discordtext.Len(f.Value)
		// Keep room for the footer in every embed: any may be the last.
		if len(cur.Fields) == LimitFields || size+n+discordtext.Len(footer) > LimitEmbedTotal {
			embeds = append(embeds, cur)
			cur = &discordgo.MessageEmbed{Color: head.Color}
			size = 0
		}
		cur.Fields = append(cur.Fields, f)
		size += n
	}
	if footer != "" {
		cur.Footer = &discordgo.MessageEmbedFooter{Text: footer}
	}
	embeds = append(embeds, cur)

	var replies []Reply
	var msg []*discordgo.MessageEmbed
	total := 0
	for _, e := range embeds {
		n := embedLen(e)
		if len(msg) == LimitEmbeds || (len(msg) > 0 && total+n > LimitEmbedTotal) {
			replies = append(replies, Reply{Embeds: msg})
			msg, total = nil, 0
		}
		msg = append(msg, e)
		total += n
	}
	return append(replies, Reply{Embeds: msg})
}

// embedLen is the text of an embed as Discord counts it against
// LimitEmbedTotal.
func embedLen(e *discordgo.MessageEmbed) int {
	n := discordtext.Len(e.Title) + discordtext.Len(e.Description)
	for _, f := range e.Fields {
		n += discordtext.Len(f.Name) + discordtext.Len(f.Value)
	}
	if e.Footer != nil {
		n += discordtext.Len(e.Footer.Text)
	}
	if e.Author != nil {
		n += discordtext.Len(e.Author.Name)
	}
	return n
}

// CheckLimits reports the first of Discord's message limits r breaks, or
// nil when Discord will accept it.
func CheckLimits(r Reply) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("bot: "+format, args...)) }
	if r.Content == "" && len(r.Embeds) == 0 {
		bad("empty message")
	}
	if n := discordtext.Len(r.Content); n > LimitContent {
		bad("content is %d characters; limit %d", n, LimitContent)
	}
	if len(r.Embeds) > LimitEmbeds {
		bad("%d embeds; limit %d", len(r.Embeds), LimitEmbeds)
	}
	if len(r.Buttons) > LimitButtons {
		bad("%d buttons; limit %d", len(r.Buttons), LimitButtons)
	}
	ids := map[string]bool{}
	for i, b := range r.Buttons {
		if n := discordtext.Len(b.Label); n == 0 || n > LimitButtonLabel {
			bad("button %d label is %d characters; want 1 to %d", i, n, LimitButtonLabel)
		}
		if n := len(b.CustomID); n == 0 || n > LimitCustomID || ids[b.CustomID] {
			bad("button %d custom ID %q: want 1 to %d characters, unique in the message", i, b.CustomID, LimitCustomID)
		}
		ids[b.CustomID] = true
	}
	total := 0
	for i, e := range r.Embeds {
		if n := discordtext.Len(e.Title); n > LimitTitle {
			bad("embed %d title is %d characters; limit %d", i, n, LimitTitle)
		}
		if n := discordtext.Len(e.Description); n > LimitDescription {
			bad("embed %d description is %d characters; limit %d", i, n, LimitDescription)
		}
		if len(e.Fields) > LimitFields {
			bad("embed %d has %d fields; limit %d", i, len(e.Fields), LimitFields)
		}
		for j, f := range e.Fields {
			if f.Name == "" || f.Value == "" {
				bad("embed %d field %d is empty", i, j)
			}
			if n := discordtext.Len(f.Name); n > LimitFieldName {
				bad("embed %d field %d name is %d characters; limit %d", i, j, n, LimitFieldName)
			}
			if n := discordtext.Len(f.Value); n > LimitFieldValue {
				bad("embed %d field %d value is %d characters; limit %d", i, j, n, LimitFieldValue)
			}
		}
		if e.Footer != nil {
			if n := discordtext.Len(e.Footer.Text); n > LimitFooter {
				bad("embed %d footer is %d characters; limit %d", i, n, LimitFooter)
			}
		}
		if e.Author != nil {
			if n := discordtext.Len(e.Author.Name); n > LimitAuthor {
				bad("embed %d author is %d characters; limit %d", i, n, LimitAuthor)
			}
		}
		n := embedLen(e)
		if n > LimitEmbedTotal {
			bad("embed %d is %d characters; limit %d", i, n, LimitEmbedTotal)
		}
		if e.Title == "" && e.Description == "" && len(e.Fields) == 0 && e.Footer == nil {
			bad("embed %d is empty", i)
		}
		total += n
	}
	if total > LimitEmbedTotal {
		bad("embeds total %d characters; limit %d per message", total, LimitEmbedTotal)
	}
	return errors.Join(errs...)
}

func topicName(name string) string {
	n := discordtext.EscapeTruncate(name, maxTopicName)
	if n == "" {
		return "Other"
	}
	return n
}

func siteLine(site string, published time.Time) string {
	var parts []string
	if s := discordtext.EscapeTruncate(site, 100); s != "" {
		parts = append(parts, s)
	}
	if !published.IsZero() {
		parts = append(parts, published.UTC().Format("2 Jan 2006"))
	}
	return strings.Join(parts, " · ")
}

func shortDate(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format("2 Jan 2006")
}

func footerText(s *summarize.Summary, took time.Duration) string {
	parts := []string{discordtext.Clean(s.Engine)}
	if m := discordtext.Clean(s.Model); m != "" {
		parts = append(parts, m)
	}
	parts = append(parts, pick(s.Cached, "cached", "fresh"), formatDuration(took))
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), " · ")
}

func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	default:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
}

func qualityColor(q summarize.Quality) int {
	switch q {
	case summarize.QualityPartial:
		return colorPartial
	case summarize.QualityTeaser:
		return colorTeaser
	default:
		return colorFull
	}
}

// safeURL returns raw as an http(s) URL safe inside a markdown link target
// and an embed's url, or "" when it is not one.
func safeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	s := u.String()
	// Characters that would end a markdown link target early, and "@"
	// so no "@everyone" appears even inside a link.
	s = strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E", "@", "%40").Replace(s)
	if len(s) > 2048 {
		return ""
	}
	return s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func pick[T any](cond bool, a, b T) T {
	if cond {
		return a
	}
	return b
}
