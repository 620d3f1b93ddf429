package bot

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"

	"briefbot/schedule"
	"briefbot/summarize"
)

// Messages users see. They are short, say what happened in their terms and
// never carry a Go error string; the detail goes to the log.
const (
	msgGeneric        = "I couldn't read that page."
	msgBadURL         = "That doesn't look like a web link I can open."
	msgBlocked        = "That link points to a private address."
	msgTooLarge       = "That page is too large to read."
	msgNotArticle     = "That page is not an article I can read."
	msgRedirects      = "That link redirects too many times."
	msgTimeout        = "That took too long; try again later."
	msgBusy           = "I'm busy reading other links; try again in a minute."
	msgRateLimited    = "⏳ You're asking faster than I can read; try again in a little while."
	msgShuttingDown   = "I'm restarting; try again in a minute."
	msgInternal       = "Something went wrong on my side; try again later."
	msgNoLinks        = "That message has no links I can read."
	msgNeedManage     = "Only members who can manage this server can do that."
	msgNoBriefer      = "Briefings are not configured on this bot."
	msgBriefingFailed = "I couldn't do that with the briefing; try again later."
)

// UserMessage maps an error from the summarizing pipeline to a short
// message safe to show in chat.
func UserMessage(err error) string {
	var notArticle *summarize.NotArticleError
	var status *summarize.HTTPStatusError
	var tooLarge *summarize.TooLargeError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, summarize.ErrBlockedHost):
		return msgBlocked
	case errors.Is(err, summarize.ErrBadURL):
		return msgBadURL
	case errors.As(err, &notArticle):
		return notArticleMessage(notArticle.ContentType)
	case errors.Is(err, summarize.ErrNotArticle):
		return msgNotArticle
	case errors.As(err, &tooLarge) && tooLarge.Size > 0:
		return tooLargeMessage(tooLarge)
	case errors.Is(err, summarize.ErrTooLarge):
		return msgTooLarge
	case errors.Is(err, summarize.ErrTooManyRedirects):
		return msgRedirects
	case errors.As(err, &status):
		return httpStatusMessage(status.Code)
	case errors.Is(err, context.DeadlineExceeded):
		return msgTimeout
	default:
		return msgGeneric
	}
}

// notArticleMessage names the kind of page when the content type says it.
func notArticleMessage(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	kind := ""
	switch {
	case mt == "application/pdf":
		kind = "a PDF"
	case strings.HasPrefix(mt, "image/"):
		kind = "an image"
	case strings.HasPrefix(mt, "video/"):
		kind = "a video"
	case strings.HasPrefix(mt, "audio/"):
		kind = "audio"
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		kind = "data (JSON)"
	case mt == "application/zip" || mt == "application/octet-stream":
		kind = "a download"
	}
	if kind == "" {
		return msgNotArticle
	}
	return "That page is " + kind + "; I read web articles."
}

// tooLargeMessage says how large the page is: "That page is too large to
// read (12 MB)." or "(over 15 MB)" when its end was never read.
func tooLargeMessage(e *summarize.TooLargeError) string {
	size := formatBytes(e.Size)
	if e.Over {
		size = "over " + size
	}
	return "That page is too large to read (" + size + ")."
}

// formatBytes writes n in decimal units, as browsers and file managers
// show sizes: "850 kB", "2.5 MB", "12 MB".
func formatBytes(n int64) string {
	switch {
	case n >= 10e6:
		return fmt.Sprintf("%.0f MB", float64(n)/1e6)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.0f kB", float64(n)/1e3)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

func httpStatusMessage(code int) string {
	switch {
	case code == 401 || code == 403:
		return fmt.Sprintf("That site refused me (%d).", code)
	case code == 429:
		return "That site is rate-limiting me; try again later."
	case code >= 400 && code < 600:
		return fmt.Sprintf("That site answered %d.", code)
	default:
		return msgGeneric
	}
}

// briefingMessage maps an error from the Briefer: input errors carry their
// own safe message, everything else is generic.
func briefingMessage(err error) string {
	var in *schedule.InputError
	if errors.As(err, &in) && in.Message != "" {
		return sentence(in.Message)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return msgTimeout
	}
	return msgBriefingFailed
}

// sentence capitalizes msg and ends it with a full stop.
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return msg
	}
	r, size := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(r)) + msg[size:]
	if !strings.ContainsAny(msg[len(msg)-1:], ".!?") {
		msg += "."
	}
	return msg
}
