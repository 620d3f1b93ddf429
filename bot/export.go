package bot

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"briefbot/bot/discordtext"
	"briefbot/ledger"
	"briefbot/summarize"
)

// File is a file attached to a Reply (Discord: a message attachment; the
// console prints it).
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Export formats.
const (
	ExportMarkdown = "md"
	ExportJSON     = "json"
	ExportCSV      = "csv"
)

// maxExportHits bounds the topics an export reads from the store: every
// article of a long-followed story, far fewer than a server's whole record.
const maxExportHits = 400

// maxExportBytes bounds an export file: well under Discord's smallest
// attachment limit (10 MiB for bots), large enough for maxExportHits
// topics with their quotes. Points beyond it are left out and the file
// says so.
const maxExportBytes = 1 << 20

// ExportDoc is what /export writes: the topics of this server matching a
// query, each with its status by the ledger's rule and its points with
// quotes and sources. Its JSON form is the json export.
type ExportDoc struct {
	Query    string        `json:"query"`
	Guild    string        `json:"guild_id"`
	Exported time.Time     `json:"exported_at"`
	Topics   []ExportTopic `json:"topics"`
	// Truncated is set when points were left out to bound the file.
	Truncated bool `json:"truncated,omitempty"`
}

// ExportTopic is one merged topic of an export.
type ExportTopic struct {
	Name    string             `json:"name"`
	Status  summarize.Status   `json:"status"`
	History []ExportStep       `json:"history"`
	Points  []ExportPoint      `json:"points"`
	Sources []ExportSourceInfo `json:"sources"`
}

// ExportStep is one status of a topic over time.
type ExportStep struct {
	Status  summarize.Status `json:"status"`
	Sources []int            `json:"sources"`
	At      time.Time        `json:"at,omitzero"`
}

// ExportPoint is one point with its verified quote and source.
type ExportPoint struct {
	Text     string           `json:"text"`
	Status   summarize.Status `json:"status"`
	Actors   []string         `json:"actors,omitempty"`
	Quote    string           `json:"quote"`
	Grounded bool             `json:"grounded"`
	Source   int              `json:"source"`
}

// ExportSourceInfo is one article of a topic, numbered from 1 in share
// order.
type ExportSourceInfo struct {
	N         int       `json:"n"`
	URL       string    `json:"url"`
	Title     string    `json:"title,omitempty"`
	Site      string    `json:"site,omitempty"`
	Published time.Time `json:"published,omitzero"`
	SharedAt  time.Time `json:"shared_at"`
}

// Export answers /export: a file of this server's topics matching query
// in format (md, json or csv), from its own shares only.
func (h *Handler) Export(ctx context.Context, inv Invoker, query, format string) (replies []Reply) {
	defer h.recoverPanic("export", &replies, true)
	query = discordtext.Clean(query)
	format = strings.ToLower(strings.TrimSpace(format))
	if format == "" {
		format = ExportMarkdown
	}
	if query == "" {
		return []Reply{notice("Tell me which topic to export, e.g. `/export ceasefire`.")}
	}
	if format != ExportMarkdown && format != ExportJSON && format != ExportCSV {
		return []Reply{notice("format is one of: md, json, csv.")}
	}
	set, done, refused := h.beginLookup(ctx, inv)
	if refused != nil {
		return refused
	}
	defer done()
	hits, err := h.shares.SearchTopics(ctx, inv.GuildID, query, maxExportHits)
	if err != nil {
		h.log.Error("export_search_failed", slog.String("guild_id", inv.GuildID), slog.String("query", query), slog.Any("err", err))
		return []Reply{notice("I couldn't search the topics just now; try again later.")}
	}
	if len(hits) == 0 {
		return []Reply{notice(fmt.Sprintf("No topic matching “%s” has been shared in this server yet.", discordtext.EscapeTruncate(query, 200)))}
	}
	doc := BuildExport(inv.GuildID, query, hits, set.ShowUngrounded, h.now())
	f, err := EncodeExport(doc, format, maxExportBytes)
	if err != nil {
		h.log.Error("export_encode_failed", slog.String("guild_id", inv.GuildID), slog.Any("err", err))
		return []Reply{notice(msgInternal)}
	}
	points := 0
	for _, t := range doc.Topics {
		points += len(t.Points)
	}
	text := fmt.Sprintf("Export of “%s”: %s, %s.", discordtext.EscapeTruncate(query, 200),
		plural(len(doc.Topics), "topic", "topics"), plural(points, "point", "points"))
	if doc.Truncated {
		text += fmt.Sprintf(" Cut to %d KiB; narrow the words for the rest.", maxExportBytes>>10)
	}
	return []Reply{{Content: text, Files: []File{f}}}
}

// BuildExport turns a server's topic hits into an export: topics merged as
// /topic merges them, each with its status over time by the ledger's rule
// and its points in share order.
func BuildExport(guildID, query string, hits []ledger.TopicHit, showUngrounded bool, now time.Time) ExportDoc {
	doc := ExportDoc{Query: query, Guild: guildID, Exported: now.UTC(), Topics: []ExportTopic{}}
	for _, g := range groupTopics(hits) {
		src := numberSources(g.hits)
		t := ExportTopic{Name: g.name, Points: []ExportPoint{}, History: []ExportStep{}}
		for _, u := range src.order {
			i := src.info[u]
			t.Sources = append(t.Sources, ExportSourceInfo{N: src.num[u], URL: u, Title: i.Title, Site: i.Site, Published: i.Published.UTC(), SharedAt: i.SharedAt.UTC()})
		}
		t.History = append(t.History, topicMoments(g, src, showUngrounded)...)
		if n := len(t.History); n > 0 {
			t.Status = t.History[n-1].Status
		}
		for _, h := range g.hits {
			for _, p := range h.Topic.Points {
				if !p.Grounded && !showUngrounded {
					continue
				}
				t.Points = append(t.Points, ExportPoint{Text: p.Text, Status: p.Status, Actors: p.Actors, Quote: p.Quote, Grounded: p.Grounded, Source: src.num[h.URL]})
			}
		}
		doc.Topics = append(doc.Topics, t)
	}
	return doc
}

// topicMoments is a topic group's status after each time its articles
// report at, by ledger.History (the rule /topic and briefings use).
func topicMoments(g topicGroup, src sources, showUngrounded bool) []ExportStep {
	urls, shares := g.shares(src)
	var out []ExportStep
	for _, m := range ledger.History(shares, showUngrounded) {
		refs := []int{}
		for _, a := range m.Articles {
			refs = append(refs, src.num[urls[a]])
		}
		slices.Sort(refs)
		out = append(out, ExportStep{Status: m.State.Status, Sources: refs, At: m.At.UTC()})
	}
	return out
}

// EncodeExport writes doc in format within limit bytes, leaving out
// trailing points (and then topics) and setting Truncated when it must.
func EncodeExport(doc ExportDoc, format string, limit int) (File, error) {
	name := "export-" + fileSlug(doc.Query) + "." + format
	types := map[string]string{
		ExportMarkdown: "text/markdown; charset=utf-8",
		ExportJSON:     "application/json",
		ExportCSV:      "text/csv; charset=utf-8",
	}
	for {
		var data []byte
		var err error
		switch format {
		case ExportJSON:
			data, err = json.MarshalIndent(doc, "", "  ")
		case ExportCSV:
			data, err = exportCSV(doc)
		case ExportMarkdown:
			data = exportMarkdown(doc)
		default:
			return File{}, fmt.Errorf("bot: export format %q", format)
		}
		if err != nil {
			return File{}, fmt.Errorf("bot: export %s: %w", format, err)
		}
		if len(data) <= limit || !shrink(&doc, len(data), limit) {
			if len(data) > limit {
				return File{}, fmt.Errorf("bot: export %s: %d bytes over the %d limit", format, len(data), limit)
			}
			return File{Name: name, ContentType: types[format], Data: data}, nil
		}
	}
}

// shrink drops points from the end in proportion to the overshoot; it
// reports false when nothing is left to drop.
func shrink(doc *ExportDoc, size, limit int) bool {
	total := 0
	for _, t := range doc.Topics {
		total += len(t.Points) + 1
	}
	if total == 0 {
		return false
	}
	drop := max(1, total*(size-limit)/size+1)
	doc.Truncated = true
	for drop > 0 && len(doc.Topics) > 0 {
		last := &doc.Topics[len(doc.Topics)-1]
		if n := len(last.Points); n > 0 {
			k := min(n, drop)
			last.Points = last.Points[:n-k]
			drop -= k
			continue
		}
		doc.Topics = doc.Topics[:len(doc.Topics)-1]
		drop--
	}
	return true
}

func exportCSV(doc ExportDoc) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	rows := [][]string{{"topic", "topic_status", "point", "point_status", "actors", "quote", "grounded", "source", "url", "title", "published", "shared_at"}}
	for _, t := range doc.Topics {
		info := map[int]ExportSourceInfo{}
		for _, s := range t.Sources {
			info[s.N] = s
		}
		for _, p := range t.Points {
			s := info[p.Source]
			rows = append(rows, []string{
				csvSafe(t.Name), string(t.Status), csvSafe(p.Text), string(p.Status), csvSafe(strings.Join(p.Actors, "; ")),
				csvSafe(p.Quote), fmt.Sprint(p.Grounded), fmt.Sprint(p.Source), csvSafe(s.URL), csvSafe(s.Title),
				dateOrEmpty(s.Published), dateOrEmpty(s.SharedAt),
			})
		}
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// csvSafe keeps a spreadsheet from reading article text as a formula
// (CSV injection): a cell starting with = + - @ or a tab gets a quote mark.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func exportMarkdown(doc ExportDoc) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Topic export: %s\n\nExported %s UTC from this server's shared articles.\n", mdText(doc.Query), doc.Exported.Format("2006-01-02 15:04"))
	for _, t := range doc.Topics {
		fmt.Fprintf(&b, "\n## %s\n\n**Now: %s**", mdText(t.Name), cmp.Or(string(t.Status), "no verified point"))
		if len(t.History) > 1 {
			parts := make([]string, len(t.History))
			for i, s := range t.History {
				parts[i] = fmt.Sprintf("%s %s %s", s.Status, refList(s.Sources), dateOrEmpty(s.At))
			}
			b.WriteString(" · " + strings.Join(parts, " → "))
		}
		b.WriteString("\n\n")
		for _, p := range t.Points {
			fmt.Fprintf(&b, "- **%s** %s [%d]", p.Status, mdText(p.Text), p.Source)
			if len(p.Actors) > 0 {
				fmt.Fprintf(&b, " (%s)", mdText(strings.Join(p.Actors, ", ")))
			}
			if p.Quote != "" {
				fmt.Fprintf(&b, "\n  > “%s”", mdText(p.Quote))
				if !p.Grounded {
					b.WriteString(" _(quote not found in the article)_")
				}
			}
			b.WriteByte('\n')
		}
		b.WriteString("\nSources:\n")
		for _, s := range t.Sources {
			fmt.Fprintf(&b, "%d. %s <%s>", s.N, mdText(cmp.Or(s.Title, s.Site, s.URL)), s.URL)
			if d := dateOrEmpty(s.Published); d != "" {
				b.WriteString(" · published " + d)
			}
			b.WriteString(" · shared " + dateOrEmpty(s.SharedAt) + "\n")
		}
	}
	if doc.Truncated {
		b.WriteString("\n_Cut to bound the file: narrow the words for the rest._\n")
	}
	return b.Bytes()
}

func refList(ns []int) string {
	var b strings.Builder
	for _, n := range ns {
		fmt.Fprintf(&b, "[%d]", n)
	}
	return b.String()
}

// mdText puts article and model text on one line with markdown escaped.
func mdText(s string) string {
	return discordtext.Escape(strings.Join(strings.Fields(s), " "))
}

// fileSlug makes a short file-name part of a query: lower-case letters and
// digits joined by dashes.
func fileSlug(q string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(q) {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
		if !ok {
			dash = b.Len() > 0
			continue
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteRune(r)
		if b.Len() >= 40 {
			break
		}
	}
	if b.Len() == 0 {
		return "topic"
	}
	return b.String()
}
