package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"briefbot/summarize"
)

const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><ttl>30</ttl>
<item><title>One</title><link>http://news.example/one</link><guid>1</guid></item></channel></rss>`

func feedMux() *http.ServeMux {
	mux := articleMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Cache-Control", "max-age=1200")
		io.WriteString(w, rss)
	})
	mux.HandleFunc("/video", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		w.Write(make([]byte, 100))
	})
	return mux
}

func TestFetchFeed(t *testing.T) {
	n := testNet(t, feedMux(), nil)
	f := n.fetcher(Options{Timeout: 5 * time.Second})
	ctx := context.Background()

	page, err := f.FetchFeed(ctx, "http://news.example/feed.xml", FeedRequest{})
	if err != nil || page.NotModified || page.ETag != `"v1"` || page.MaxAge != 20*time.Minute || string(page.Body) != rss {
		t.Fatalf("FetchFeed = %+v, %v; want the feed with its ETag and max-age", page, err)
	}
	page, err = f.FetchFeed(ctx, "http://news.example/feed.xml", FeedRequest{ETag: `"v1"`})
	if err != nil || !page.NotModified || len(page.Body) != 0 || page.ETag != `"v1"` {
		t.Errorf("conditional FetchFeed = %+v, %v; want 304 not modified", page, err)
	}
	for _, tc := range []struct {
		url  string
		want error
	}{
		{redirectTo("http://127.0.0.1/feed.xml"), summarize.ErrBlockedHost},
		{redirectTo("http://internal.example/feed.xml"), summarize.ErrBlockedHost},
		{"http://169.254.169.254/feed", summarize.ErrBlockedHost},
	} {
		if _, err := f.FetchFeed(ctx, tc.url, FeedRequest{}); !errors.Is(err, tc.want) {
			t.Errorf("FetchFeed(%s) = %v; want %v", tc.url, err, tc.want)
		}
	}
	var na *summarize.NotArticleError
	if _, err := f.FetchFeed(ctx, "http://news.example/video", FeedRequest{}); !errors.As(err, &na) {
		t.Errorf("FetchFeed(video) = %v; want not a feed", err)
	}
	var tl *summarize.TooLargeError
	if _, err := f.FetchFeed(ctx, "http://news.example/feed.xml", FeedRequest{MaxBytes: 50}); !errors.As(err, &tl) {
		t.Errorf("FetchFeed over MaxBytes = %v; want too large", err)
	}
}
