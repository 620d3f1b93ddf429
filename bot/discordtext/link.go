package discordtext

import (
	"fmt"
	"strings"
)

// LinkURL returns u fit to put between < > (which suppresses Discord's
// embed): an http(s) URL with white space, control and non-ASCII bytes,
// angle brackets and the other characters that would end it or format it
// (" ` | \) percent-encoded; "" for anything that is not an http(s) URL.
func LinkURL(u string) string {
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return ""
	}
	var b strings.Builder
	b.Grow(len(u))
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '`' || c == '|' || c == '\\' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
