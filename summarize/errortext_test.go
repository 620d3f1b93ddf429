package summarize_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"briefbot/store"
	"briefbot/summarize"
	"briefbot/summarize/extract"
	"briefbot/summarize/extractive"
	"briefbot/summarize/fetch"
)

// TestServiceErrorTextSaysItOnce drives each way a link can fail through
// the Service and checks the error text: the package prefix once, the step
// and the link once, and an IPv6 zone written as a link writes it (%25).
func TestServiceErrorTextSaysItOnce(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/report.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		io.WriteString(w, "%PDF-1.7")
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><head></head><body> </body></html>")
	})
	mux.HandleFunc("/deep", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		// Nesting past the HTML parser's limit: the page cannot be parsed.
		io.WriteString(w, "<html><body>"+strings.Repeat("<div>", 600)+"text</body></html>")
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	service := func(opts fetch.Options) *summarize.Service {
		svc, err := summarize.NewService(summarize.ServiceOptions{
			Store:     db,
			Fetcher:   fetch.New(opts),
			Extractor: extract.New(),
			Engine:    extractive.New(),
		})
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	guarded := service(fetch.Options{})
	open := service(fetch.Options{AllowPrivate: true, Timeout: 300 * time.Millisecond})

	tests := []struct {
		name string
		svc  *summarize.Service
		url  string
		kind error
		want string // the whole error text
	}{
		{"blocked", guarded, srv.URL + "/missing", summarize.ErrBlockedHost, ""},
		{"blocked zone", guarded, "http://[fe80::1%25lo]/a", summarize.ErrBlockedHost,
			"summarize: fetch http://[fe80::1%25lo]/a: refusing to connect to fe80::1%lo (scoped address)"},
		{"bad link", guarded, "ftp://example.com/a", summarize.ErrBadURL, ""},
		{"status", open, srv.URL + "/missing", nil,
			"summarize: fetch " + srv.URL + "/missing: HTTP status 404 Not Found"},
		{"pdf", open, srv.URL + "/report.pdf", summarize.ErrNotArticle,
			"summarize: fetch " + srv.URL + "/report.pdf: not an article I can read (application/pdf)"},
		{"no text", open, srv.URL + "/empty", summarize.ErrNotArticle,
			"summarize: extract " + srv.URL + "/empty: no readable text"},
		{"unparsable", open, srv.URL + "/deep", summarize.ErrNotArticle, ""},
		{"timeout", open, srv.URL + "/slow", context.DeadlineExceeded, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.svc.Summarize(context.Background(), summarize.Request{URL: tt.url})
			if err == nil {
				t.Fatalf("Summarize(%q) succeeded; want an error", tt.url)
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("Summarize(%q) = %v; want it to match %v", tt.url, err, tt.kind)
			}
			msg := err.Error()
			if tt.want != "" && msg != tt.want {
				t.Errorf("Summarize(%q) error\n %q; want\n %q", tt.url, msg, tt.want)
			}
			if !strings.HasPrefix(msg, "summarize: ") || strings.Count(msg, "summarize:") != 1 {
				t.Errorf("Summarize(%q) error %q; want one summarize: prefix, at the start", tt.url, msg)
			}
			if strings.Contains(msg, "%2525") {
				t.Errorf("Summarize(%q) error %q escapes the zone twice", tt.url, msg)
			}
		})
	}
}

// TestCanonicalZone keeps a link's IPv6 zone escaped once, in the
// canonical link and in what the fetcher asks for.
func TestCanonicalZone(t *testing.T) {
	got, err := fetch.Canonicalize("http://[fe80::1%25lo]:8080/a")
	if err != nil {
		t.Fatal(err)
	}
	if want := "http://[fe80::1%25lo]:8080/a"; got != want {
		t.Errorf("Canonicalize = %q; want %q", got, want)
	}
}
