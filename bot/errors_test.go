package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"briefbot/schedule"
	"briefbot/summarize"
)

func TestUserMessage(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("summarize: fetch https://x.example/: %w", err) }
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"blocked", wrap(summarize.ErrBlockedHost), "That link points to a private address."},
		{"bad url", wrap(summarize.ErrBadURL), "That doesn't look like a web link I can open."},
		{"pdf", wrap(&summarize.NotArticleError{ContentType: "application/pdf"}), "That page is a PDF; I read web articles."},
		{"image", wrap(&summarize.NotArticleError{ContentType: "image/png"}), "That page is an image; I read web articles."},
		{"video", wrap(&summarize.NotArticleError{ContentType: "Video/MP4"}), "That page is a video; I read web articles."},
		{"unknown type", wrap(&summarize.NotArticleError{ContentType: "text/x-weird"}), "That page is not an article I can read."},
		{"bare not article", wrap(summarize.ErrNotArticle), "That page is not an article I can read."},
		{"too large", wrap(summarize.ErrTooLarge), "That page is too large to read."},
		{"too large to extract", wrap(&summarize.TooLargeError{Size: 12_345_678, Reason: "31000 elements"}), "That page is too large to read (12 MB)."},
		{"too large, end unread", wrap(&summarize.TooLargeError{Size: 15 << 20, Over: true}), "That page is too large to read (over 16 MB)."},
		{"too large, small", wrap(&summarize.TooLargeError{Size: 2_500_000}), "That page is too large to read (2.5 MB)."},
		{"redirects", wrap(summarize.ErrTooManyRedirects), "That link redirects too many times."},
		{"404", wrap(&summarize.HTTPStatusError{Code: 404}), "That site answered 404."},
		{"503", wrap(&summarize.HTTPStatusError{Code: 503}), "That site answered 503."},
		{"403", wrap(&summarize.HTTPStatusError{Code: 403}), "That site refused me (403)."},
		{"429", wrap(&summarize.HTTPStatusError{Code: 429}), "That site is rate-limiting me; try again later."},
		{"timeout", wrap(context.DeadlineExceeded), "That took too long; try again later."},
		{"other", errors.New("dial tcp 1.2.3.4:443: connection refused"), "I couldn't read that page."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := UserMessage(tc.err)
			if got != tc.want {
				t.Errorf("UserMessage(%v) = %q; want %q", tc.err, got, tc.want)
			}
			if tc.err != nil && strings.Contains(got, "summarize:") {
				t.Errorf("UserMessage(%v) leaks the Go error", tc.err)
			}
		})
	}
}

func TestBriefingMessage(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("schedule: set: %w", &schedule.InputError{Message: "unknown time zone", Err: errors.New("zoneinfo: x")}), "Unknown time zone."},
		{&schedule.InputError{}, msgBriefingFailed},
		{errors.New("schedule: store: disk I/O error"), msgBriefingFailed},
		{fmt.Errorf("schedule: run now: %w", context.DeadlineExceeded), msgTimeout},
	} {
		if got := briefingMessage(tc.err); got != tc.want {
			t.Errorf("briefingMessage(%v) = %q; want %q", tc.err, got, tc.want)
		}
	}
}
