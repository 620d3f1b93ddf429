package llm

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"briefbot/summarize"
)

// docBlocks returns doc's blocks, or its Text split at blank lines when it
// has none (plain-text input).
func docBlocks(doc *summarize.Document) []summarize.Block {
	if len(doc.Blocks) > 0 {
		return doc.Blocks
	}
	var out []summarize.Block
	for _, p := range strings.Split(strings.ReplaceAll(doc.Text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, summarize.Block{Text: p})
		}
	}
	return out
}

// blockText renders a block as the model sees it: headings as Markdown
// headings on one line ("## Territory"), paragraphs as they are.
func blockText(b summarize.Block) string {
	if !b.Heading {
		return strings.TrimSpace(b.Text)
	}
	t := strings.Join(strings.Fields(b.Text), " ")
	if t == "" {
		return ""
	}
	level := b.Level
	if level < 1 || level > 6 {
		level = 2
	}
	return strings.Repeat("#", level) + " " + t
}

// render joins the rendered blocks with blank lines.
func render(blocks []summarize.Block) string {
	var parts []string
	for _, b := range blocks {
		if s := blockText(b); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n\n")
}

// split splits an article into parts of at most budget tokens (by
// EstimateTokens), at paragraph boundaries: a heading stays with the
// paragraph after it, a paragraph over the budget is cut between
// sentences (and a sentence over it between words, a word between
// characters). A part that starts inside a section repeats the section's
// heading, so the model names the topic as the other part does and the
// merge by TopicKey joins them. The parts are balanced so the last one is
// not a scrap. Every block's text is in exactly one part, in order:
// nothing is dropped.
func split(blocks []summarize.Block, budget int) []string {
	type unit struct {
		text   string
		tokens int
		// section is the heading group this unit belongs to, repeated
		// when a part starts with the unit; "" when the unit starts with
		// its own heading or precedes every heading.
		section string
	}
	var units []unit
	var headings []string // headings waiting for their paragraph
	section, sectionTokens := "", 0
	for _, b := range blocks {
		s := blockText(b)
		if s == "" {
			continue
		}
		if b.Heading {
			headings = append(headings, s)
			continue
		}
		head := ""
		if len(headings) > 0 {
			head = strings.Join(headings, "\n\n")
			headings = nil
			section, sectionTokens = head, EstimateTokens(head)
			if sectionTokens > budget/2 {
				// A heading group that big is text in its own right.
				section, sectionTokens = "", 0
			}
		}
		room := budget
		if section != "" {
			room = budget - sectionTokens - 1
		}
		if head != "" && section == "" {
			for _, piece := range pieces(head, budget) {
				units = append(units, unit{piece, EstimateTokens(piece), ""})
			}
			head = ""
		}
		for i, piece := range pieces(s, room) {
			u := unit{text: piece, section: section}
			if i == 0 && head != "" {
				u.text, u.section = head+"\n\n"+piece, ""
			}
			u.tokens = EstimateTokens(u.text)
			units = append(units, u)
		}
	}
	if len(headings) > 0 {
		for _, piece := range pieces(strings.Join(headings, "\n\n"), budget) {
			units = append(units, unit{piece, EstimateTokens(piece), ""})
		}
	}
	if len(units) == 0 {
		return nil
	}

	total := 0
	for _, u := range units {
		total += u.tokens + 1 // the blank line between units
	}
	n := (total + budget - 1) / budget
	// Aim a little above the even share so rounding does not spill a
	// scrap into an extra part.
	target := min(budget, total/n+total/(10*n)+1)
	var parts []string
	var cur []string
	curTokens := 0
	for _, u := range units {
		if len(cur) > 0 && curTokens+u.tokens > target {
			parts = append(parts, strings.Join(cur, "\n\n"))
			cur, curTokens = nil, 0
		}
		if len(cur) == 0 && u.section != "" {
			cur = append(cur, u.section)
			curTokens = EstimateTokens(u.section) + 1
		}
		cur = append(cur, u.text)
		curTokens += u.tokens + 1
	}
	return append(parts, strings.Join(cur, "\n\n"))
}

// pieces cuts s into pieces of at most limit tokens: whole when it
// fits, else between sentences, a long sentence between words, a long
// word between characters. Joining the pieces with spaces gives s back up
// to whitespace.
func pieces(s string, limit int) []string {
	limit = max(limit, 1)
	if EstimateTokens(s) <= limit {
		return []string{s}
	}
	var out []string
	var cur strings.Builder
	curTokens := 0
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
			curTokens = 0
		}
	}
	push := func(s string, t int) {
		if cur.Len() > 0 && curTokens+t+1 > limit {
			flush()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
			curTokens++
		}
		cur.WriteString(s)
		curTokens += t
	}
	for _, sent := range sentences(s) {
		if t := EstimateTokens(sent); t <= limit {
			push(sent, t)
			continue
		}
		for _, w := range strings.Fields(sent) {
			if t := EstimateTokens(w); t <= limit {
				push(w, t)
				continue
			}
			flush()
			out = append(out, cutRunes(w, limit)...)
		}
	}
	flush()
	return out
}

// sentences splits text after sentence-ending punctuation followed by
// whitespace and anything but a lower-case letter ("U.S. officials" stays
// whole), or after CJK full stops.
func sentences(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		end := -1
		switch r {
		case '。', '！', '？':
			end = i + utf8.RuneLen(r)
		case '.', '!', '?':
			j := i + 1
			for j < len(s) && strings.IndexByte("\"')]", s[j]) >= 0 {
				j++
			}
			if j < len(s) {
				next, _ := utf8.DecodeRuneInString(s[j:])
				after, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(s[j:], unicode.IsSpace))
				if unicode.IsSpace(next) && !unicode.IsLower(after) {
					end = j
				}
			}
		}
		if end > start {
			if t := strings.TrimSpace(s[start:end]); t != "" {
				out = append(out, t)
			}
			start = end
		}
	}
	if t := strings.TrimSpace(s[start:]); t != "" {
		out = append(out, t)
	}
	return out
}

// cutRunes cuts a word with no spaces into pieces of at most limit
// tokens.
func cutRunes(w string, limit int) []string {
	var out []string
	var c tokenCounter
	start := 0
	for i, r := range w {
		next := c
		next.add(r)
		if next.tokens() > limit && i > start {
			out = append(out, w[start:i])
			start = i
			next = tokenCounter{}
			next.add(r)
		}
		c = next
	}
	return append(out, w[start:])
}
