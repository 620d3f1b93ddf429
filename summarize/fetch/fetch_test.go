package fetch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"

	"briefbot/summarize"
)

// The tests never leave loopback. Public hosts are played by public
// addresses (203.0.114.10, 198.51.101.20, just outside the documentation
// ranges, which the guard refuses) that fakeNet's dial hook maps to
// loopback httptest servers; names resolve through fakeNet's table. Any
// other dial is a leak: it is recorded and sent to a canary server whose
// connection count must stay zero, so a check that fails open shows up as
// a connection where none should be.

var (
	newsAddr  = netip.MustParseAddr("203.0.114.10")
	otherAddr = netip.MustParseAddr("198.51.101.20")
)

// countedServer is an httptest server that counts the connections it
// accepts.
type countedServer struct {
	*httptest.Server
	conns atomic.Int64
}

func newCountedServer(t *testing.T, h http.Handler) *countedServer {
	t.Helper()
	cs := &countedServer{}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			cs.conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	cs.Server = srv
	return cs
}

// hostPort is the listener's 127.0.0.1:port.
func (cs *countedServer) hostPort() string { return cs.Listener.Addr().String() }

// fakeNet is the network a test Fetcher sees.
type fakeNet struct {
	mu      sync.Mutex
	hosts   map[string][]netip.Addr
	servers map[netip.Addr]*countedServer // port 80 of a public address
	canary  *countedServer
	lookups []string
	dials   []string
	leaks   []string
	onDial  func(ctx context.Context)
}

func (n *fakeNet) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.lookups = append(n.lookups, host)
	addrs, ok := n.hosts[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	out := make([]net.IPAddr, len(addrs))
	for i, a := range addrs {
		out[i] = net.IPAddr{IP: a.AsSlice(), Zone: a.Zone()}
	}
	return out, nil
}

func (n *fakeNet) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	n.dials = append(n.dials, addr)
	onDial := n.onDial
	target := ""
	ap, err := netip.ParseAddrPort(addr)
	if srv, ok := n.servers[ap.Addr()]; err == nil && ok && ap.Port() == 80 {
		target = srv.hostPort()
	} else {
		n.leaks = append(n.leaks, addr)
		target = n.canary.hostPort()
	}
	n.mu.Unlock()
	if onDial != nil {
		onDial(ctx)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", target)
}

func (n *fakeNet) counts() (lookups, dials, leaks []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slicesClone(n.lookups), slicesClone(n.dials), slicesClone(n.leaks)
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// testNet builds a fakeNet with news.example and other.example on public
// addresses, names that resolve into private space, and a canary.
func testNet(t *testing.T, news, other http.Handler) *fakeNet {
	t.Helper()
	canary := newCountedServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<p>canary: private network reached</p>")
	}))
	t.Cleanup(func() {
		if n := canary.conns.Load(); n != 0 {
			t.Errorf("canary server accepted %d connections; want 0", n)
		}
	})
	n := &fakeNet{
		canary: canary,
		hosts: map[string][]netip.Addr{
			"news.example":          {newsAddr},
			"other.example":         {otherAddr},
			"xn--bcher-kva.example": {newsAddr},
			"internal.example":      {netip.MustParseAddr("10.1.2.3")},
			"mixed.example":         {newsAddr, netip.MustParseAddr("192.168.0.5")},
			"v6private.example":     {netip.MustParseAddr("fd12::1")},
			"mapped.example":        {netip.MustParseAddr("::ffff:10.0.0.1")},
			"metadata.example":      {netip.MustParseAddr("169.254.169.254")},
			"loop.example":          {netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")},
			"nat64.example":         {netip.MustParseAddr("64:ff9b::a9fe:a9fe")},
			"docs.example":          {netip.MustParseAddr("203.0.113.10"), netip.MustParseAddr("2001:db8::10")},
		},
		servers: map[netip.Addr]*countedServer{},
	}
	if news != nil {
		n.servers[newsAddr] = newCountedServer(t, news)
	}
	if other != nil {
		n.servers[otherAddr] = newCountedServer(t, other)
	}
	return n
}

func (n *fakeNet) fetcher(opts Options) *Fetcher {
	opts.Resolver = n
	opts.dial = n.dial
	return New(opts)
}

// articleMux serves a small article and the redirects the tests need.
func articleMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/article", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<html><head><title>Talks</title></head><body><p>Both sides agreed to talk.</p></body></html>")
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", r.URL.Query().Get("to"))
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n <= 0 {
			http.Redirect(w, r, "/article", http.StatusMovedPermanently)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
	})
	return mux
}

func redirectTo(target string) string {
	return "http://news.example/redirect?to=" + url.QueryEscape(target)
}

func TestFetchBlocked(t *testing.T) {
	tests := []struct {
		name string
		url  string // {canary} is replaced by the canary's 127.0.0.1:port
		want error
		// hops: the first request goes to an allowed public host (which
		// redirects); otherwise no dial may happen at all.
		hops bool
	}{
		// Literal IPv4 addresses in every form a browser accepts.
		{"loopback dotted", "http://127.0.0.1/", summarize.ErrBlockedHost, false},
		{"loopback with port of a live listener", "http://{canary}/", summarize.ErrBlockedHost, false},
		{"loopback decimal", "http://2130706433/", summarize.ErrBlockedHost, false},
		{"loopback octal", "http://0177.0.0.1/", summarize.ErrBlockedHost, false},
		{"loopback hex short", "http://0x7f.1/", summarize.ErrBlockedHost, false},
		{"loopback hex whole", "http://0x7f000001/", summarize.ErrBlockedHost, false},
		{"loopback short", "http://127.1/", summarize.ErrBlockedHost, false},
		{"loopback trailing dot", "http://127.0.0.1./", summarize.ErrBlockedHost, false},
		{"loopback fullwidth digits", "http://１２７.０.０.１/", summarize.ErrBlockedHost, false},
		{"loopback no scheme", "127.0.0.1/admin", summarize.ErrBlockedHost, false},
		{"private 10/8", "http://10.0.0.1/", summarize.ErrBlockedHost, false},
		{"private 172.16/12", "http://172.16.5.4/", summarize.ErrBlockedHost, false},
		{"private 192.168/16 octal mix", "http://0300.0250.1.1/", summarize.ErrBlockedHost, false},
		{"CGNAT", "http://100.64.0.1/", summarize.ErrBlockedHost, false},
		{"this network", "http://0.0.0.0/", summarize.ErrBlockedHost, false},
		{"this network short", "http://0/", summarize.ErrBlockedHost, false},
		{"multicast", "http://224.0.0.1/", summarize.ErrBlockedHost, false},
		{"broadcast", "http://255.255.255.255/", summarize.ErrBlockedHost, false},
		{"reserved 240/4", "http://240.0.0.1/", summarize.ErrBlockedHost, false},
		{"benchmarking", "http://198.18.0.1/", summarize.ErrBlockedHost, false},
		{"metadata AWS/GCP", "http://169.254.169.254/latest/meta-data/", summarize.ErrBlockedHost, false},
		{"metadata decimal", "http://2852039166/", summarize.ErrBlockedHost, false},
		{"metadata Azure wire server", "http://168.63.129.16/", summarize.ErrBlockedHost, false},
		{"link-local", "http://169.254.1.1/", summarize.ErrBlockedHost, false},
		// IPv6 literals.
		{"IPv6 loopback", "http://[::1]/", summarize.ErrBlockedHost, false},
		{"IPv6 loopback live port", "http://[::1]:" + "{canaryport}/", summarize.ErrBlockedHost, false},
		{"IPv6 unspecified", "http://[::]/", summarize.ErrBlockedHost, false},
		{"IPv4-mapped loopback", "http://[::ffff:127.0.0.1]/", summarize.ErrBlockedHost, false},
		{"IPv4-mapped hex", "http://[::ffff:7f00:1]/", summarize.ErrBlockedHost, false},
		{"IPv4-mapped metadata", "http://[::ffff:a9fe:a9fe]/", summarize.ErrBlockedHost, false},
		{"IPv4-compatible", "http://[::127.0.0.1]/", summarize.ErrBlockedHost, false},
		{"IPv6 link-local with zone", "http://[fe80::1%25eth0]/", summarize.ErrBlockedHost, false},
		{"IPv6 link-local", "http://[fe80::1]/", summarize.ErrBlockedHost, false},
		{"IPv6 ULA", "http://[fc00::1]/", summarize.ErrBlockedHost, false},
		{"IPv6 metadata AWS", "http://[fd00:ec2::254]/", summarize.ErrBlockedHost, false},
		{"IPv6 multicast", "http://[ff02::1]/", summarize.ErrBlockedHost, false},
		{"NAT64 metadata", "http://[64:ff9b::a9fe:a9fe]/", summarize.ErrBlockedHost, false},
		{"NAT64 local-use", "http://[64:ff9b:1::a00:1]/", summarize.ErrBlockedHost, false},
		{"6to4 loopback", "http://[2002:7f00:1::1]/", summarize.ErrBlockedHost, false},
		{"Teredo private client", "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/", summarize.ErrBlockedHost, false},
		// Documentation ranges.
		{"TEST-NET-1", "http://192.0.2.1/", summarize.ErrBlockedHost, false},
		{"TEST-NET-2", "http://198.51.100.7/", summarize.ErrBlockedHost, false},
		{"TEST-NET-3 numeric", "http://3405803786/", summarize.ErrBlockedHost, false},
		{"IPv6 documentation", "http://[2001:db8::1]/", summarize.ErrBlockedHost, false},
		{"IPv6 documentation 3fff", "http://[3fff::1]/", summarize.ErrBlockedHost, false},
		{"DNS to documentation", "http://docs.example/", summarize.ErrBlockedHost, false},
		// Names.
		{"localhost", "http://localhost/", summarize.ErrBlockedHost, false},
		{"localhost subdomain", "http://app.localhost/", summarize.ErrBlockedHost, false},
		{"DNS to private", "http://internal.example/", summarize.ErrBlockedHost, false},
		{"DNS public and private", "http://mixed.example/", summarize.ErrBlockedHost, false},
		{"DNS to IPv6 ULA", "http://v6private.example/", summarize.ErrBlockedHost, false},
		{"DNS to IPv4-mapped private", "http://mapped.example/", summarize.ErrBlockedHost, false},
		{"DNS to metadata", "http://metadata.example/", summarize.ErrBlockedHost, false},
		{"DNS to loopback", "http://loop.example/", summarize.ErrBlockedHost, false},
		{"DNS to NAT64 metadata", "http://nat64.example/", summarize.ErrBlockedHost, false},
		// Ports.
		{"port 8080", "http://news.example:8080/article", summarize.ErrBlockedHost, false},
		{"port 22 on public IP", "https://203.0.114.10:22/", summarize.ErrBlockedHost, false},
		{"port 6379", "http://news.example:6379/", summarize.ErrBlockedHost, false},
		// Schemes, user info and broken links.
		{"file scheme", "file:///etc/passwd", summarize.ErrBadURL, false},
		{"ftp scheme", "ftp://news.example/a", summarize.ErrBadURL, false},
		{"gopher scheme", "gopher://news.example:70/_GET%20/", summarize.ErrBadURL, false},
		{"javascript scheme", "javascript:alert(1)", summarize.ErrBadURL, false},
		{"data scheme", "data:text/html,<h1>hi</h1>", summarize.ErrBadURL, false},
		{"userinfo", "http://user:pass@news.example/article", summarize.ErrBadURL, false},
		{"userinfo hiding loopback", "http://news.example@127.0.0.1/", summarize.ErrBadURL, false},
		{"invalid numeric host", "http://1.2.3.256/", summarize.ErrBadURL, false},
		{"port zero", "http://news.example:0/", summarize.ErrBadURL, false},
		{"empty", "", summarize.ErrBadURL, false},
		// Redirects from an allowed host.
		{"redirect to loopback", redirectTo("http://{canary}/"), summarize.ErrBlockedHost, true},
		{"redirect to loopback port 80", redirectTo("http://127.0.0.1/"), summarize.ErrBlockedHost, true},
		{"redirect protocol-relative", redirectTo("//127.0.0.1/"), summarize.ErrBlockedHost, true},
		{"redirect to hex loopback", redirectTo("http://0x7f.1/"), summarize.ErrBlockedHost, true},
		{"redirect to IPv4-mapped private", redirectTo("http://[::ffff:10.0.0.1]/"), summarize.ErrBlockedHost, true},
		{"redirect to metadata", redirectTo("http://169.254.169.254/latest/meta-data/"), summarize.ErrBlockedHost, true},
		{"redirect to name resolving private", redirectTo("http://internal.example/"), summarize.ErrBlockedHost, true},
		{"redirect to localhost", redirectTo("http://localhost/"), summarize.ErrBlockedHost, true},
		{"redirect to bad port", redirectTo("http://news.example:6379/"), summarize.ErrBlockedHost, true},
		{"redirect via second public host", redirectTo("http://other.example/redirect?to=" + url.QueryEscape("http://10.0.0.1/")), summarize.ErrBlockedHost, true},
		{"redirect to file", redirectTo("file:///etc/passwd"), summarize.ErrBadURL, true},
		{"redirect to gopher", redirectTo("gopher://127.0.0.1:6379/_INFO"), summarize.ErrBadURL, true},
		{"redirect to javascript", redirectTo("javascript:alert(1)"), summarize.ErrBadURL, true},
		{"redirect with userinfo", redirectTo("http://user:pw@other.example/article"), summarize.ErrBadURL, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := testNet(t, articleMux(), articleMux())
			f := n.fetcher(Options{Timeout: 5 * time.Second})
			_, canaryPort, _ := net.SplitHostPort(n.canary.hostPort())
			raw := strings.NewReplacer(
				"{canary}", n.canary.hostPort(),
				url.QueryEscape("{canary}"), url.QueryEscape(n.canary.hostPort()),
				"{canaryport}", canaryPort,
			).Replace(tt.url)
			page, err := f.Fetch(context.Background(), raw)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Fetch(%q) = %s, %v; want %v", raw, pageString(page), err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "summarize: ") || strings.Count(err.Error(), "summarize:") != 1 {
				t.Errorf("Fetch(%q) error %q; want one summarize: prefix", raw, err)
			}
			lookups, dials, leaks := n.counts()
			if len(leaks) != 0 {
				t.Errorf("Fetch(%q) dialled %q; want no dial outside the public test hosts", raw, leaks)
			}
			if !tt.hops && len(dials) != 0 {
				t.Errorf("Fetch(%q) dialled %q (lookups %q); want refusal before any connection", raw, dials, lookups)
			}
			if tt.hops && n.servers[newsAddr].conns.Load() == 0 {
				t.Errorf("Fetch(%q): the redirecting host was never reached; the case tests nothing", raw)
			}
		})
	}
}

// TestFetchBlockedRealDialer uses the real dialer (no hook): refusals
// happen before it is called, and its Control hook refuses on its own.
func TestFetchBlockedRealDialer(t *testing.T) {
	canary := newCountedServer(t, articleMux())
	f := New(Options{Timeout: 5 * time.Second})
	_, port, _ := net.SplitHostPort(canary.hostPort())
	for _, raw := range []string{
		"http://" + canary.hostPort() + "/article",
		"http://[::1]:" + port + "/article",
		"http://localhost:" + port + "/article",
		"http://127.1:" + port + "/article",
	} {
		if _, err := f.Fetch(context.Background(), raw); !errors.Is(err, summarize.ErrBlockedHost) {
			t.Errorf("Fetch(%q) error %v; want ErrBlockedHost", raw, err)
		}
	}
	// The socket-level check, reached directly.
	conn, err := f.dialAddr(context.Background(), "tcp", canary.hostPort())
	if conn != nil {
		conn.Close()
	}
	if !errors.Is(err, summarize.ErrBlockedHost) {
		t.Errorf("dialAddr(%q) error %v; want ErrBlockedHost from Control", canary.hostPort(), err)
	}
	if n := canary.conns.Load(); n != 0 {
		t.Errorf("loopback server accepted %d connections; want 0", n)
	}
}

func TestControlDial(t *testing.T) {
	tests := []struct {
		addr    string
		blocked bool
	}{
		{"203.0.114.10:80", false},
		{"203.0.114.10:443", false},
		{"[2606:4700::1111]:443", false},
		{"203.0.114.10:8080", true},
		{"203.0.113.10:80", true},
		{"127.0.0.1:80", true},
		{"10.0.0.1:443", true},
		{"[::1]:443", true},
		{"[::ffff:10.0.0.1]:80", true},
		{"[fe80::1%eth0]:80", true},
		{"169.254.169.254:80", true},
		{"not-an-address", true},
	}
	for _, tt := range tests {
		err := controlDial("tcp", tt.addr, nil)
		if got := errors.Is(err, summarize.ErrBlockedHost); got != tt.blocked {
			t.Errorf("controlDial(%q) = %v; want blocked %v", tt.addr, err, tt.blocked)
		}
	}
}

func TestFetchArticle(t *testing.T) {
	var gotUA, gotAE atomic.Value
	mux := articleMux()
	mux.HandleFunc("/headers", func(w http.ResponseWriter, r *http.Request) {
		gotUA.Store(r.UserAgent())
		gotAE.Store(r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<p>ok</p>")
	})
	n := testNet(t, mux, articleMux())
	f := n.fetcher(Options{})
	tests := []struct {
		name, url, wantURL string
	}{
		{"plain", "http://news.example/article", "http://news.example/article"},
		{"fragment dropped", "http://news.example/article#top", "http://news.example/article"},
		{"five redirects", "http://news.example/hop/4", "http://news.example/article"},
		{"redirect to second host", redirectTo("http://other.example/article"), "http://other.example/article"},
		{"numeric public host", "http://0xcb.0.0x72.10/article", "http://203.0.114.10/article"},
		{"decimal public host", "http://3405804042/article", "http://203.0.114.10/article"},
		{"IDN host", "http://bücher.example/article", "http://xn--bcher-kva.example/article"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.url
			page, err := f.Fetch(context.Background(), raw)
			if err != nil {
				t.Fatalf("Fetch(%q) error %v", raw, err)
			}
			if page.URL != tt.wantURL {
				t.Errorf("Fetch(%q).URL = %q; want %q", raw, page.URL, tt.wantURL)
			}
			if page.ContentType != "text/html" {
				t.Errorf("Fetch(%q).ContentType = %q; want %q", raw, page.ContentType, "text/html")
			}
			if !bytes.Contains(page.Body, []byte("Both sides agreed to talk.")) {
				t.Errorf("Fetch(%q).Body = %q; want the article", raw, page.Body)
			}
		})
	}
	if _, err := f.Fetch(context.Background(), "http://news.example/headers"); err != nil {
		t.Fatalf("Fetch(headers): %v", err)
	}
	if ua := gotUA.Load(); ua != defaultUserAgent {
		t.Errorf("User-Agent = %q; want %q", ua, defaultUserAgent)
	}
	if ae := gotAE.Load(); ae != "gzip" {
		t.Errorf("Accept-Encoding = %q; want %q", ae, "gzip")
	}
	_, _, leaks := n.counts()
	if len(leaks) != 0 {
		t.Errorf("dials outside the test hosts: %q", leaks)
	}
	lookups, _, _ := n.counts()
	if !containsString(lookups, "xn--bcher-kva.example") {
		t.Errorf("lookups %q; want the punycode name xn--bcher-kva.example", lookups)
	}
}

// pageString shows a page in a failure message.
func pageString(p *summarize.Page) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprintf("{URL: %q, ContentType: %q, Body: %q}", p.URL, p.ContentType, p.Body)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestFetchRedirectLimit(t *testing.T) {
	n := testNet(t, articleMux(), nil)
	f := n.fetcher(Options{})
	for hops, wantErr := range map[int]bool{0: false, 4: false, 5: true, 9: true} {
		// /hop/N makes N+1 redirects.
		raw := fmt.Sprintf("http://news.example/hop/%d", hops)
		_, err := f.Fetch(context.Background(), raw)
		if got := errors.Is(err, summarize.ErrTooManyRedirects); got != wantErr {
			t.Errorf("Fetch(%q) (%d redirects) error %v; want ErrTooManyRedirects %v", raw, hops+1, err, wantErr)
		}
	}
}

func TestFetchAllowPrivate(t *testing.T) {
	srv := newCountedServer(t, articleMux())
	f := New(Options{AllowPrivate: true, Timeout: 5 * time.Second})
	base := "http://" + srv.hostPort()
	page, err := f.Fetch(context.Background(), base+"/hop/2")
	if err != nil {
		t.Fatalf("Fetch(%q) with AllowPrivate: %v", base+"/hop/2", err)
	}
	if page.URL != base+"/article" || !bytes.Contains(page.Body, []byte("agreed")) {
		t.Errorf("Fetch(%q) = %q, %q; want the article at %s/article", base+"/hop/2", page.URL, page.Body, base)
	}
	// Only the address and port rules are lifted.
	for raw, want := range map[string]error{
		"file:///etc/passwd":                                           summarize.ErrBadURL,
		"http://u:p@" + srv.hostPort() + "/article":                    summarize.ErrBadURL,
		base + "/redirect?to=" + url.QueryEscape("file:///etc/passwd"): summarize.ErrBadURL,
		base + "/hop/7": summarize.ErrTooManyRedirects,
	} {
		if _, err := f.Fetch(context.Background(), raw); !errors.Is(err, want) {
			t.Errorf("Fetch(%q) with AllowPrivate error %v; want %v", raw, err, want)
		}
	}
	small := New(Options{AllowPrivate: true, MaxBytes: 10})
	if _, err := small.Fetch(context.Background(), base+"/article"); !errors.Is(err, summarize.ErrTooLarge) {
		t.Errorf("Fetch(%q) with AllowPrivate and MaxBytes 10 error %v; want ErrTooLarge", base+"/article", err)
	}
}

func TestFetchNoProxyFromEnvironment(t *testing.T) {
	n := testNet(t, articleMux(), nil)
	proxy := "http://" + n.canary.hostPort()
	t.Setenv("HTTP_PROXY", proxy)
	t.Setenv("HTTPS_PROXY", proxy)
	t.Setenv("http_proxy", proxy)
	f := n.fetcher(Options{})
	if tr, ok := f.client.Transport.(*http.Transport); !ok || tr.Proxy != nil {
		t.Fatalf("Transport.Proxy is set; want nil")
	}
	if _, err := f.Fetch(context.Background(), "http://news.example/article"); err != nil {
		t.Fatalf("Fetch with HTTP_PROXY set: %v", err)
	}
	if _, _, leaks := n.counts(); len(leaks) != 0 {
		t.Errorf("dials outside the test hosts: %q", leaks)
	}
}

// hang blocks a handler until the client goes away (or 10s pass).
func hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

func TestFetchStatus(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.PathValue("code"))
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(code)
		io.WriteString(w, "<p>status page</p>")
	})
	n := testNet(t, mux, nil)
	f := n.fetcher(Options{})
	for _, code := range []int{404, 500, 403, 410, 503} {
		raw := fmt.Sprintf("http://news.example/status/%d", code)
		_, err := f.Fetch(context.Background(), raw)
		var se *summarize.HTTPStatusError
		if !errors.As(err, &se) || se.Code != code {
			t.Errorf("Fetch(%q) error %v; want *HTTPStatusError{Code: %d}", raw, err, code)
		}
	}
	if page, err := f.Fetch(context.Background(), "http://news.example/status/203"); err != nil || !bytes.Contains(page.Body, []byte("status page")) {
		t.Errorf("Fetch(203) = %s, %v; want the page", pageString(page), err)
	}
}

func TestFetchContentTypes(t *testing.T) {
	// Over 512 bytes each, so sniffing has what it needs before the
	// server stalls.
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"), make([]byte, 600)...)
	pdf := append([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), bytes.Repeat([]byte("0 0 0 RG\n"), 80)...)
	tests := []struct {
		name        string
		contentType string // "-" for none
		body        []byte
		wantType    string
		wantErr     bool
	}{
		{"PDF", "application/pdf", pdf, "application/pdf", true},
		{"PNG image", "image/png", png, "image/png", true},
		{"JPEG image", "image/jpeg", []byte("\xff\xd8\xff\xe0"), "image/jpeg", true},
		{"MP4 video", "video/mp4", []byte("\x00\x00\x00\x18ftypmp42"), "video/mp4", true},
		{"octet-stream", "application/octet-stream", []byte("<html><p>hi</p>"), "application/octet-stream", true},
		{"JSON", "application/json; charset=utf-8", []byte(`{"a":1}`), "application/json", true},
		{"untyped PDF sniffed", "-", pdf, "application/pdf", true},
		{"untyped PNG sniffed", "-", png, "image/png", true},
		{"HTML", "text/html; charset=utf-8", []byte("<p>hi</p>"), "text/html", false},
		{"HTML upper case", "TEXT/HTML", []byte("<p>hi</p>"), "text/html", false},
		{"XHTML", "application/xhtml+xml", []byte("<html xmlns=\"http://www.w3.org/1999/xhtml\"><p>hi</p></html>"), "application/xhtml+xml", false},
		{"plain text", "text/plain", []byte("Both sides agreed."), "text/plain", false},
		{"untyped HTML sniffed", "-", []byte("<!DOCTYPE html><html><p>hi</p></html>"), "text/html", false},
		{"untyped text sniffed", "-", []byte("Just words.\n"), "text/plain", false},
		{"bad parameters", "text/html; charset", []byte("<p>hi</p>"), "text/html", false},
	}
	mux := http.NewServeMux()
	for i, tt := range tests {
		mux.HandleFunc(fmt.Sprintf("/t/%d", i), func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = nil // no sniffing by net/http
			if tt.contentType != "-" {
				w.Header().Set("Content-Type", tt.contentType)
			}
			w.Write(tt.body)
			if tt.wantErr {
				// The rest of a large file: a Fetch that reads the
				// body hangs here until its timeout.
				w.(http.Flusher).Flush()
				hang(r)
			}
		})
	}
	n := testNet(t, mux, nil)
	f := n.fetcher(Options{Timeout: 3 * time.Second})
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw := fmt.Sprintf("http://news.example/t/%d", i)
			page, err := f.Fetch(context.Background(), raw)
			if tt.wantErr {
				var na *summarize.NotArticleError
				if !errors.As(err, &na) || na.ContentType != tt.wantType || !errors.Is(err, summarize.ErrNotArticle) {
					t.Fatalf("Fetch(%q) error %v; want *NotArticleError{%q}", raw, err, tt.wantType)
				}
				want := "summarize: fetch " + raw + ": not an article I can read (" + tt.wantType + ")"
				if err.Error() != want {
					t.Errorf("Fetch(%q) error %q; want %q", raw, err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Fetch(%q) error %v", raw, err)
			}
			if page.ContentType != tt.wantType {
				t.Errorf("Fetch(%q).ContentType = %q; want %q", raw, page.ContentType, tt.wantType)
			}
		})
	}
}

func TestFetchTooLarge(t *testing.T) {
	const limit = 1 << 20
	mux := http.NewServeMux()
	mux.HandleFunc("/exact/{n}", func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.Atoi(r.PathValue("n"))
		w.Header().Set("Content-Type", "text/plain")
		if r.URL.Query().Has("chunked") {
			w.(http.Flusher).Flush() // no Content-Length
		}
		w.Write(bytes.Repeat([]byte("a"), size))
	})
	mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		chunk := bytes.Repeat([]byte("<p>spam spam spam</p>\n"), 3000)
		for i := 0; i < 1<<16; i++ { // at most ~4 GiB, stops when the client leaves
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/declared", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", strconv.Itoa(100<<20))
		io.WriteString(w, "<p>a start</p>")
		w.(http.Flusher).Flush()
		hang(r)
	})
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		writeGzipBomb(w, 1024) // 1 GiB of zeros
	})
	mux.HandleFunc("/gzip-small", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", r.URL.Query().Get("enc"))
		zw := gzip.NewWriter(w)
		io.WriteString(zw, "<p>Compressed article: Grüße.</p>")
		zw.Close()
	})
	n := testNet(t, mux, nil)
	f := n.fetcher(Options{MaxBytes: limit, Timeout: 10 * time.Second})

	tests := []struct {
		name    string
		path    string
		wantErr error
	}{
		{"exactly the limit", fmt.Sprintf("/exact/%d", limit), nil},
		{"one byte over, Content-Length", fmt.Sprintf("/exact/%d", limit+1), summarize.ErrTooLarge},
		{"one byte over, chunked", fmt.Sprintf("/exact/%d?chunked=1", limit+1), summarize.ErrTooLarge},
		{"exactly the limit, chunked", fmt.Sprintf("/exact/%d?chunked=1", limit), nil},
		{"endless body", "/endless", summarize.ErrTooLarge},
		{"Content-Length too large", "/declared", summarize.ErrTooLarge},
		{"gzip bomb", "/gzip", summarize.ErrTooLarge},
		{"gzip page", "/gzip-small?enc=gzip", nil},
		{"x-gzip page", "/gzip-small?enc=x-gzip", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			page, err := f.Fetch(context.Background(), "http://news.example"+tt.path)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Fetch(%q) error %v; want %v", tt.path, err, tt.wantErr)
			}
			t.Logf("Fetch(%q): %v, %d KiB allocated, error %v", tt.path, elapsed.Round(time.Millisecond), (after.TotalAlloc-before.TotalAlloc)>>10, err)
			if elapsed > 5*time.Second {
				t.Errorf("Fetch(%q) took %v; want it to stop quickly", tt.path, elapsed)
			}
			// Everything the process allocated meanwhile, the test
			// servers included: a few times the limit, never the bomb.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
				t.Errorf("Fetch(%q) allocated %d MiB; want under 32 MiB", tt.path, alloc>>20)
			}
			if err == nil && strings.HasPrefix(tt.path, "/gzip-small") && !bytes.Contains(page.Body, []byte("Grüße")) {
				t.Errorf("Fetch(%q).Body = %q; want the decompressed article", tt.path, page.Body)
			}
			if err == nil && strings.HasPrefix(tt.path, "/exact") && len(page.Body) != limit {
				t.Errorf("Fetch(%q) body %d bytes; want %d", tt.path, len(page.Body), limit)
			}
		})
	}
	f2 := n.fetcher(Options{})
	if _, err := f2.Fetch(context.Background(), "http://news.example/gzip-small?enc=br"); err == nil || !strings.Contains(err.Error(), "content encoding") {
		t.Errorf("Fetch with Content-Encoding br error %v; want an unsupported-encoding error", err)
	}
}

// writeGzipBomb writes a gzip stream of mib MiB of zeros, about 1 KiB of
// compressed data per MiB (deflate's limit is 1032:1), stopping at the
// first write error.
func writeGzipBomb(w io.Writer, mib int) error {
	var chunk bytes.Buffer
	fw, _ := flate.NewWriter(&chunk, flate.BestCompression)
	zeros := make([]byte, 1<<20)
	fw.Write(zeros)
	fw.Flush() // ends on a byte boundary, so copies can follow each other
	if _, err := w.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}); err != nil {
		return err
	}
	crc := uint32(0)
	for i := 0; i < mib; i++ {
		if _, err := w.Write(chunk.Bytes()); err != nil {
			return err
		}
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	trailer := []byte{1, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0} // final empty stored block
	binary.LittleEndian.PutUint32(trailer[5:], crc)
	binary.LittleEndian.PutUint32(trailer[9:], uint32(mib<<20))
	_, err := w.Write(trailer)
	return err
}

func TestGzipBombIsReal(t *testing.T) {
	var buf bytes.Buffer
	const mib = 16
	if err := writeGzipBomb(&buf, mib); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	compressed := buf.Len()
	n, err := io.Copy(io.Discard, zr)
	if err != nil || n != mib<<20 {
		t.Fatalf("bomb of %d MiB inflates to %d bytes, %v; want %d", mib, n, err, mib<<20)
	}
	if ratio := n / int64(compressed); ratio < 1000 {
		t.Errorf("bomb ratio %d:1; want over 1000:1", ratio)
	}
}

func TestFetchTimeouts(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/hang-headers", func(w http.ResponseWriter, r *http.Request) {
		hang(r)
	})
	mux.HandleFunc("/hang-body", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<p>The first paragraph")
		w.(http.Flusher).Flush()
		hang(r)
	})
	n := testNet(t, mux, nil)
	f := n.fetcher(Options{Timeout: 300 * time.Millisecond})
	for _, path := range []string{"/hang-headers", "/hang-body"} {
		t.Run(path, func(t *testing.T) {
			start := time.Now()
			_, err := f.Fetch(context.Background(), "http://news.example"+path)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Fetch(%q) error %v; want context.DeadlineExceeded", path, err)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("Fetch(%q) took %v; want about 300ms", path, d)
			}
		})
	}
	t.Run("caller cancels", func(t *testing.T) {
		slow := n.fetcher(Options{Timeout: 10 * time.Second})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := slow.Fetch(ctx, "http://news.example/hang-body")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Fetch with a 200ms caller deadline error %v; want context.DeadlineExceeded", err)
		}
		ctx2, cancel2 := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel2)
		if _, err := slow.Fetch(ctx2, "http://news.example/hang-headers"); !errors.Is(err, context.Canceled) {
			t.Errorf("Fetch cancelled by the caller error %v; want context.Canceled", err)
		}
	})
	t.Run("dial deadline", func(t *testing.T) {
		var deadline atomic.Value
		n.mu.Lock()
		n.onDial = func(ctx context.Context) {
			d, _ := ctx.Deadline()
			deadline.Store(time.Until(d))
		}
		n.mu.Unlock()
		slow := n.fetcher(Options{Timeout: time.Minute})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		slow.Fetch(ctx, "http://news.example/hang-headers")
		d, _ := deadline.Load().(time.Duration)
		if d <= 0 || d > dialTimeout {
			t.Errorf("dial deadline in %v; want within %v", d, dialTimeout)
		}
	})
}

// charsetCases are pages in other encodings: raw bytes, the Content-Type
// header, and text the decoded page must contain.
func charsetCases(t *testing.T) []struct {
	name, contentType string
	raw               []byte
	want              string
} {
	t.Helper()
	win1251 := mustEncode(t, charmap.Windows1251.NewEncoder().String, "Переговоры о прекращении огня")
	sjis := mustEncode(t, japanese.ShiftJIS.NewEncoder().String, "停戦交渉について")
	utf16 := mustEncode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String, "<p>Grüße aus Kyjiw</p>")
	padding := strings.Repeat("<!-- padding -->\n", 80) // 1360 bytes of ASCII
	return []struct {
		name, contentType string
		raw               []byte
		want              string
	}{
		{"ISO-8859-1 header", "text/html; charset=ISO-8859-1", []byte("<p>caf\xe9 na\xefve d\xe9j\xe0</p>"), "café naïve déjà"},
		{"windows-1252 header", "text/plain; charset=windows-1252", []byte("\x93quoted\x94 \x80 5"), "“quoted” € 5"},
		{"windows-1251 meta", "text/html", append([]byte(`<html><head><meta charset="windows-1251"></head><body><p>`), win1251...), "Переговоры о прекращении огня"},
		{"windows-1251 http-equiv", "", append([]byte(`<meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><p>`), win1251...), "Переговоры о прекращении огня"},
		{"Shift_JIS header", "text/html; charset=Shift_JIS", append([]byte("<p>"), sjis...), "停戦交渉について"},
		{"Shift_JIS meta", "text/html", append([]byte(`<meta charset="shift_jis"><p>`), sjis...), "停戦交渉について"},
		{"UTF-8 BOM beats a wrong meta", "text/html", append([]byte("\xef\xbb\xbf<meta charset=\"windows-1251\"><p>"), "Grüße, Привет"...), "Grüße, Привет"},
		{"UTF-16 BOM", "text/html", utf16, "Grüße aus Kyjiw"},
		{"header beats meta", "text/html; charset=utf-8", []byte(`<meta charset="windows-1251"><p>Привет`), "Привет"},
		{"undeclared UTF-8 after 1 KiB", "text/html", []byte(padding + "<p>Grüße aus Kyjiw</p>"), "Grüße aus Kyjiw"},
		{"undeclared Latin-1", "text/html", []byte("<p>caf\xe9</p>"), "café"},
		{"plain text ignores meta", "text/plain", []byte(`<meta charset="windows-1251"> Grüße`), `<meta charset="windows-1251"> Grüße`},
		{"unknown charset label", "text/html; charset=x-no-such", []byte("<p>Grüße</p>"), "Grüße"},
		{"invalid UTF-8 repaired", "text/html; charset=utf-8", []byte("<p>ok \xff\xfe end</p>"), "ok \uFFFD end"},
	}
}

func mustEncode(t *testing.T, encode func(string) (string, error), s string) []byte {
	t.Helper()
	out, err := encode(s)
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return []byte(out)
}

func TestDecodeBody(t *testing.T) {
	for _, tt := range charsetCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeBody(tt.raw, tt.contentType)
			if err != nil {
				t.Fatalf("DecodeBody(%q, %q) error %v", tt.raw, tt.contentType, err)
			}
			if !utf8.Valid(got) {
				t.Errorf("DecodeBody(%q, %q) = %q; not valid UTF-8", tt.raw, tt.contentType, got)
			}
			if !bytes.Contains(got, []byte(tt.want)) {
				t.Errorf("DecodeBody(%q, %q) = %q; want it to contain %q", tt.raw, tt.contentType, got, tt.want)
			}
			if bytes.HasPrefix(got, []byte("\uFEFF")) {
				t.Errorf("DecodeBody(%q, %q) = %q; want the BOM dropped", tt.raw, tt.contentType, got)
			}
		})
	}
}

func TestFetchCharsets(t *testing.T) {
	cases := charsetCases(t)
	mux := http.NewServeMux()
	for i, tt := range cases {
		mux.HandleFunc(fmt.Sprintf("/c/%d", i), func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = nil
			if tt.contentType != "" {
				w.Header().Set("Content-Type", tt.contentType)
			}
			w.Write(tt.raw)
		})
	}
	n := testNet(t, mux, nil)
	f := n.fetcher(Options{})
	for i, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			raw := fmt.Sprintf("http://news.example/c/%d", i)
			page, err := f.Fetch(context.Background(), raw)
			if err != nil {
				t.Fatalf("Fetch(%q) error %v", raw, err)
			}
			if !bytes.Contains(page.Body, []byte(tt.want)) {
				t.Errorf("Fetch(%q).Body = %q; want it to contain %q", raw, page.Body, tt.want)
			}
		})
	}
}

func TestNewFetcherDefaults(t *testing.T) {
	f := New(Options{})
	if f.opts.MaxBytes != 15<<20 || f.opts.Timeout != 20*time.Second || f.opts.UserAgent == "" || f.opts.Resolver == nil {
		t.Errorf("New(zero) options = %+v; want 15 MiB, 20s, a user agent and a resolver", f.opts)
	}
}
