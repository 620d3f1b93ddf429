package fetch

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"briefbot/summarize"
)

// badURLError says what is wrong with a link; it matches ErrBadURL.
type badURLError struct {
	raw    string
	reason string
}

func (e *badURLError) Error() string {
	return fmt.Sprintf("summarize: bad URL %q: %s", truncateForError(e.raw), e.reason)
}

func (e *badURLError) Is(target error) bool { return target == summarize.ErrBadURL }

func badURL(raw, format string, args ...any) error {
	return &badURLError{raw: raw, reason: fmt.Sprintf(format, args...)}
}

// truncateForError keeps a pasted link from flooding a log line.
func truncateForError(s string) string {
	const maxLen = 200
	if len(s) <= maxLen {
		return s
	}
	return strings.ToValidUTF8(s[:maxLen], "") + "…"
}

// trackingParams are query parameters that only say where a click came
// from, never which page it is: dropping them makes links to the same
// article share one cache key. Keys are matched case-insensitively after
// percent-decoding. Generic names that some sites use for content (ref,
// source, id, s, si) are deliberately absent.
var trackingParams = map[string]bool{
	// Ad and social click identifiers.
	"fbclid":     true, // Facebook
	"gclid":      true, // Google Ads
	"gclsrc":     true, // Google Ads
	"dclid":      true, // Google Display
	"gbraid":     true, // Google Ads (iOS)
	"wbraid":     true, // Google Ads (iOS)
	"msclkid":    true, // Microsoft Ads
	"yclid":      true, // Yandex
	"ysclid":     true, // Yandex
	"twclid":     true, // X/Twitter
	"ttclid":     true, // TikTok
	"igshid":     true, // Instagram share
	"igsh":       true, // Instagram share
	"li_fat_id":  true, // LinkedIn
	"rb_clickid": true, // Rakuten
	"srsltid":    true, // Google Search result
	"_gl":        true, // Google Analytics cross-domain linker
	"_ga":        true, // Google Analytics
	// E-mail campaign tools.
	"mc_cid":        true, // Mailchimp
	"mc_eid":        true, // Mailchimp
	"_hsenc":        true, // HubSpot
	"_hsmi":         true, // HubSpot
	"__hstc":        true, // HubSpot
	"__hssc":        true, // HubSpot
	"__hsfp":        true, // HubSpot
	"hsctatracking": true, // HubSpot
	"mkt_tok":       true, // Marketo
	"vero_id":       true, // Vero
	"vero_conv":     true, // Vero
	"oly_anon_id":   true, // Omeda
	"oly_enc_id":    true, // Omeda
	"wickedid":      true, // Wicked Reports
	"_openstat":     true, // Openstat
	// Share and referral markers.
	"ref_src": true, // X/Twitter embeds
	"ref_url": true, // X/Twitter embeds
	"spm":     true, // Alibaba/Taobao
}

// trackingPrefixes are parameter-name prefixes dropped like trackingParams
// (utm_source, utm_medium, utm_campaign, utm_term, utm_content, utm_id, …).
var trackingPrefixes = []string{"utm_"}

func isTrackingParam(key string) bool {
	key = strings.ToLower(key)
	if trackingParams[key] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// hostProfile maps a host name to its ASCII (punycode) form as browsers do
// (UTS #46 non-transitional, no STD3 rules, no hyphen checks, so names
// like r3---sn-x.example or my_site.example survive).
var hostProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.Transitional(false),
	idna.StrictDomainName(false),
	idna.CheckHyphens(false),
)

// webLink is a parsed, normalised web address.
type webLink struct {
	u *url.URL // scheme and host normalised, no user info, no fragment
	// host is the ASCII host without brackets or port: a lower-case
	// name, a dotted-quad IPv4 address or an IPv6 address.
	host string
	// addr is the address when the host is an IP literal.
	addr netip.Addr
	// port is the explicit port, or the scheme's default.
	port uint16
	// explicitPort is the port as written when it is not the default.
	explicitPort string
	// rawPath and rawQuery are as written in the link.
	rawPath, rawQuery string
}

// parseLink reads a link as a user pastes it and a browser would read it:
// spaces and surrounding <> trimmed, tabs and newlines dropped, a missing
// scheme taken as https, backslashes before the query read as slashes,
// numeric hosts read as IPv4 addresses (0x7f.1 is 127.0.0.1), IDN hosts
// converted to punycode. Only http and https links without user info pass.
func parseLink(raw string) (*webLink, error) {
	s := strings.TrimSpace(raw)
	if len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>' {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
	if s == "" {
		return nil, badURL(raw, "empty")
	}
	s = withScheme(s)
	u, err := url.Parse(s)
	if err != nil {
		return nil, badURL(raw, "unparsable")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		if u.Scheme == "" {
			return nil, badURL(raw, "no scheme")
		}
		return nil, badURL(raw, "scheme %q is not http or https", u.Scheme)
	}
	if u.Opaque != "" {
		return nil, badURL(raw, "no host")
	}
	if u.User != nil {
		return nil, badURL(raw, "user name or password in the link")
	}
	l := &webLink{u: u}
	bracketed := strings.HasPrefix(u.Host, "[")
	if err := l.setHost(raw, u.Hostname(), bracketed); err != nil {
		return nil, err
	}
	if err := l.setPort(raw, u.Port()); err != nil {
		return nil, err
	}
	hostport := l.host
	if l.addr.Is6() {
		// url.URL.String escapes the zone's "%" itself.
		hostport = "[" + l.host + "]"
	}
	if l.explicitPort != "" {
		hostport += ":" + l.explicitPort
	}
	u.Host = hostport
	u.Fragment, u.RawFragment = "", ""
	l.rawPath, l.rawQuery = splitPathQuery(s)
	return l, nil
}

// withScheme adds https:// to a link pasted without a scheme
// ("example.com/a", "example.com:8080/a", "//example.com/a") and rewrites
// http: and https: links to the scheme://rest form, with backslashes before
// the query read as slashes, as browsers do. Other schemes pass unchanged
// (and are refused later).
func withScheme(s string) string {
	if strings.HasPrefix(s, "//") {
		return slashesBeforeQuery("https:" + s)
	}
	i := strings.IndexByte(s, ':')
	if i <= 0 || !isSchemeName(s[:i]) {
		return slashesBeforeQuery("https://" + s)
	}
	scheme, rest := strings.ToLower(s[:i]), s[i+1:]
	switch {
	case scheme == "http" || scheme == "https":
		rest = strings.TrimLeft(rest, `/\`)
		return slashesBeforeQuery(scheme + "://" + rest)
	case strings.HasPrefix(rest, "//"):
		return s
	case strings.Contains(scheme, ".") || (rest != "" && '0' <= rest[0] && rest[0] <= '9'):
		// "example.com:8080/a" or "localhost:8080": a host and port.
		return slashesBeforeQuery("https://" + s)
	}
	return s
}

func isSchemeName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// slashesBeforeQuery turns backslashes into slashes before the query or
// fragment of scheme://rest, as browsers do for http and https.
func slashesBeforeQuery(s string) string {
	end := strings.IndexAny(s, "?#")
	if end < 0 {
		end = len(s)
	}
	return strings.ReplaceAll(s[:end], `\`, "/") + s[end:]
}

// splitPathQuery returns the raw path and query of scheme://authority/...
func splitPathQuery(s string) (path, query string) {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s, query = s[:i], s[i+1:]
	}
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return s[i:], query
	}
	return "", query
}

// setHost normalises host: an IPv6 literal to its canonical form, a name
// to lower-case punycode, a numeric name to a dotted-quad address.
func (l *webLink) setHost(raw, host string, bracketed bool) error {
	if host == "" {
		return badURL(raw, "no host")
	}
	if bracketed {
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is6() {
			return badURL(raw, "invalid IPv6 address")
		}
		for _, c := range []byte(addr.Zone()) {
			if !isUnreserved(c) {
				return badURL(raw, "invalid IPv6 zone")
			}
		}
		l.host, l.addr = addr.String(), addr
		return nil
	}
	if !utf8.ValidString(host) {
		return badURL(raw, "invalid host name")
	}
	h, err := hostProfile.ToASCII(host)
	if err != nil {
		return badURL(raw, "invalid host name")
	}
	h = strings.ToLower(h)
	// A host must map to itself, or canonical links would not be stable
	// (an A-label may decode to something the mapping rejects).
	if again, err := hostProfile.ToASCII(h); err != nil || again != h {
		return badURL(raw, "invalid host name")
	}
	if len(h) > 254 || !validHostName(h) {
		return badURL(raw, "invalid host name")
	}
	if hostEndsInNumber(h) {
		addr, ok := parseWebIPv4(h)
		if !ok {
			return badURL(raw, "invalid IPv4 address")
		}
		l.host, l.addr = addr.String(), addr
		return nil
	}
	l.host = h
	return nil
}

// validHostName reports whether h is dot-separated non-empty labels of
// letters, digits, hyphens and underscores, with at most one trailing dot.
func validHostName(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// setPort records the effective port and keeps a non-default one.
func (l *webLink) setPort(raw, port string) error {
	def := uint16(443)
	if l.u.Scheme == "http" {
		def = 80
	}
	if port == "" {
		l.port = def
		return nil
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 {
		return badURL(raw, "invalid port")
	}
	l.port = uint16(n)
	if l.port != def {
		l.explicitPort = strconv.FormatUint(n, 10)
	}
	return nil
}

// Canonicalize returns the cache key form of a link a user pasted:
// https assumed when the scheme is missing; scheme and host in lower case,
// the host in punycode and numeric hosts as dotted quads; no default port,
// user info (refused), fragment, tracking parameters (utm_*, fbclid, gclid
// and the others listed in trackingParams) or trailing dot on the host;
// percent-encoding normalised; empty and dot path segments removed; the
// remaining query parameters sorted by name, keeping the order of repeated
// names; no empty "?"; "/" for an empty path. Path case is kept.
//
// It is deterministic and idempotent. Errors wrap ErrBadURL.
func Canonicalize(raw string) (string, error) {
	l, err := parseLink(raw)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(l.u.Scheme)
	b.WriteString("://")
	if l.addr.Is6() {
		b.WriteString("[" + strings.ReplaceAll(l.host, "%", "%25") + "]")
	} else {
		b.WriteString(strings.TrimSuffix(l.host, "."))
	}
	if l.explicitPort != "" {
		b.WriteString(":" + l.explicitPort)
	}
	b.WriteString(canonicalPath(l.rawPath))
	if q := canonicalQuery(l.rawQuery); q != "" {
		b.WriteString("?" + q)
	}
	return b.String(), nil
}

// canonicalPath normalises percent-encoding and removes empty, "." and ".."
// segments (RFC 3986 section 5.2.4); a trailing slash is kept.
func canonicalPath(p string) string {
	p = normalizeEscapes(p, isPathChar)
	segs := strings.Split(p, "/")
	last := segs[len(segs)-1]
	trailing := last == "" || last == "." || last == ".."
	out := make([]string, 0, len(segs))
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return "/"
	}
	res := "/" + strings.Join(out, "/")
	if trailing {
		res += "/"
	}
	return res
}

// canonicalQuery drops empty and tracking parameters, normalises
// percent-encoding and sorts the rest by name, stably.
func canonicalQuery(q string) string {
	type param struct{ key, item string }
	var params []param
	for p := range strings.SplitSeq(q, "&") {
		if p == "" {
			continue
		}
		k, v, hasValue := strings.Cut(p, "=")
		k = normalizeEscapes(k, isQueryChar)
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if isTrackingParam(name) {
			continue
		}
		item := k
		if hasValue {
			item += "=" + normalizeEscapes(v, isQueryChar)
		}
		params = append(params, param{key: k, item: item})
	}
	slices.SortStableFunc(params, func(a, b param) int { return strings.Compare(a.key, b.key) })
	items := make([]string, len(params))
	for i, p := range params {
		items[i] = p.item
	}
	return strings.Join(items, "&")
}

// normalizeEscapes decodes percent-escapes of unreserved characters,
// upper-cases the hex digits of the others, escapes a stray "%" and every
// byte that allowed rejects. The result is ASCII.
func normalizeEscapes(s string, allowed func(byte) bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHexByte(s[i+1]) && isHexByte(s[i+2]):
			d := hexValue(s[i+1])<<4 | hexValue(s[i+2])
			if isUnreserved(d) {
				b.WriteByte(d)
			} else {
				b.WriteByte('%')
				b.WriteByte(hex[d>>4])
				b.WriteByte(hex[d&15])
			}
			i += 2
		case c != '%' && allowed(c):
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

func isHexByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hexValue(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// isUnreserved reports RFC 3986 unreserved characters, which never need
// escaping.
func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// isPathChar reports the characters a path may hold unescaped: pchar and
// "/" (RFC 3986).
func isPathChar(c byte) bool {
	if isUnreserved(c) {
		return true
	}
	return strings.IndexByte("!$&'()*+,;=:@/", c) >= 0
}

// isQueryChar reports the characters a query name or value may hold
// unescaped: pchar, "/" and "?", less "&" (the separator).
func isQueryChar(c byte) bool {
	return c != '&' && (isPathChar(c) || c == '?')
}

// FindURLs returns the http and https links in a chat message, in order,
// as written (surrounding <> removed), keeping the first of links with the
// same canonical form. Links inside Markdown code spans and blocks are
// ignored; <https://…> (Discord's embed suppression) is a link. Trailing
// punctuation is not part of a link, nor is a closing bracket without its
// opening one inside the link, so (see https://a.example/x). finds
// https://a.example/x while https://en.wikipedia.org/wiki/Fish_(food) is
// kept whole. At most limit links are returned (limit <= 0: no limit);
// skipped counts the distinct links left out.
func FindURLs(text string, limit int) (urls []string, skipped int) {
	text = blankCode(text)
	seen := map[string]bool{}
	lower := lowerASCII(text) // same byte offsets as text
	for i := 0; i < len(text); {
		j := indexLinkStart(lower, i)
		if j < 0 {
			break
		}
		end := j
		for end < len(text) && !endsLink(text[end]) {
			end++
		}
		cand := trimLinkTail(text[j:end])
		i = max(end, j+1)
		c, err := Canonicalize(cand)
		if err != nil || seen[c] {
			continue
		}
		seen[c] = true
		if limit > 0 && len(urls) >= limit {
			skipped++
			continue
		}
		urls = append(urls, cand)
	}
	return urls, skipped
}

// indexLinkStart finds the next "http://" or "https://" at or after i that
// does not continue a word (so "xhttps://" is not a link).
func indexLinkStart(lower string, i int) int {
	for i < len(lower) {
		k := strings.Index(lower[i:], "http")
		if k < 0 {
			return -1
		}
		k += i
		rest := lower[k:]
		if (strings.HasPrefix(rest, "http://") || strings.HasPrefix(rest, "https://")) &&
			(k == 0 || !isWordByte(lower[k-1])) {
			return k
		}
		i = k + 4
	}
	return -1
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// endsLink reports the bytes a link in chat text cannot contain.
func endsLink(c byte) bool {
	return c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '"' || c == '`'
}

// trimLinkTail removes trailing punctuation and Markdown markers, and a
// closing bracket whose opening one is not in the link.
func trimLinkTail(s string) string {
	for s != "" {
		c := s[len(s)-1]
		switch c {
		case '.', ',', ':', ';', '!', '?', '\'', '*', '~', '|':
			s = s[:len(s)-1]
			continue
		case ')', ']', '}':
			open := "([{"[strings.IndexByte(")]}", c)]
			if strings.Count(s, string(open)) < strings.Count(s, string(c)) {
				s = s[:len(s)-1]
				continue
			}
		}
		break
	}
	return s
}

// blankCode replaces Markdown code spans and fenced blocks (a run of n
// backticks up to the next run of exactly n) with spaces, so links in code
// are not found. Unmatched backticks are left as text.
func blankCode(text string) string {
	if strings.IndexByte(text, '`') < 0 {
		return text
	}
	b := []byte(text)
	for i := 0; i < len(b); {
		if b[i] != '`' {
			i++
			continue
		}
		n := backtickRun(b, i)
		closeAt := -1
		for j := i + n; j < len(b); {
			if b[j] != '`' {
				j++
				continue
			}
			m := backtickRun(b, j)
			if m == n {
				closeAt = j
				break
			}
			j += m
		}
		if closeAt < 0 {
			i += n
			continue
		}
		for k := i; k < closeAt+n; k++ {
			if b[k] != '\n' {
				b[k] = ' '
			}
		}
		i = closeAt + n
	}
	return string(b)
}

func backtickRun(b []byte, i int) int {
	n := 0
	for i+n < len(b) && b[i+n] == '`' {
		n++
	}
	return n
}

// lowerASCII lower-cases ASCII letters only, so byte offsets into the
// result are offsets into s.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
