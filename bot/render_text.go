package bot

import (
	"strings"

	"briefbot/bot/discordtext"
)

// Flatten renders a reply as readable plain text for the console: content,
// then each embed's title and link, description, fields as headed blocks and
// footer (a field with a blank name continues the one before it), then its buttons as "[label]". Markdown escapes and zero-width spaces are removed and masked
// links become "text <url>"; bold and italics stay as markdown.
func Flatten(r Reply) string {
	var b strings.Builder
	if r.Content != "" {
		b.WriteString(unescape(r.Content))
		b.WriteByte('\n')
	}
	for _, e := range r.Embeds {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		if e.Title != "" {
			b.WriteString("## ")
			b.WriteString(unescape(e.Title))
			b.WriteByte('\n')
		}
		if e.URL != "" {
			b.WriteString("<" + e.URL + ">\n")
		}
		if e.Description != "" {
			b.WriteString(unescape(e.Description))
			b.WriteByte('\n')
		}
		for _, f := range e.Fields {
			// A field with a blank name continues the one before it.
			if name := unescape(f.Name); strings.TrimSpace(name) != "" {
				b.WriteString("\n### ")
				b.WriteString(name)
				b.WriteByte('\n')
			}
			b.WriteString(unescape(f.Value))
			b.WriteByte('\n')
		}
		if e.Footer != nil && e.Footer.Text != "" {
			b.WriteString("\n-- ")
			b.WriteString(e.Footer.Text)
			b.WriteByte('\n')
		}
	}
	for _, btn := range r.Buttons {
		b.WriteString("[" + btn.Label + "]\n")
	}
	return b.String()
}

// unescape undoes Escape for display outside Discord and turns masked links
// "[text](url)" into "text <url>".
func unescape(s string) string {
	s = strings.ReplaceAll(s, discordtext.ZeroWidthSpace, "")
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			i++
			b.WriteByte(s[i])
		case c == '[':
			text, target, n, ok := maskedLink(s[i:])
			if !ok {
				b.WriteByte(c)
				continue
			}
			b.WriteString(unescape(text))
			b.WriteString(" <" + target + ">")
			i += n - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// maskedLink parses "[text](target)" at the start of s, where text may hold
// escaped brackets. It returns the raw text, the target and the length
// consumed.
func maskedLink(s string) (text, target string, n int, ok bool) {
	i := 1
	for i < len(s) && s[i] != ']' {
		if s[i] == '\\' {
			i++
		}
		i++
	}
	if i+1 >= len(s) || s[i] != ']' || s[i+1] != '(' {
		return "", "", 0, false
	}
	end := strings.IndexByte(s[i+2:], ')')
	if end < 0 {
		return "", "", 0, false
	}
	return s[1:i], s[i+2 : i+2+end], i + 3 + end, true
}

func isASCIIPunct(c byte) bool {
	return strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}
