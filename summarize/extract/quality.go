package extract

import (
	"strings"
	"unicode/utf8"

	"briefbot/summarize"
)

// paywallPhrases are what paywalls, meters and registration walls say, in
// lower case.
var paywallPhrases = []string{
	"subscribe to continue", "subscribe to read", "subscribe now to continue",
	"subscribe to unlock", "subscribers only", "for subscribers only",
	"this content is for subscribers", "this article is for subscribers",
	"only available to subscribers", "exclusive to subscribers",
	"is reserved for subscribers", "already a subscriber", "already subscribed?",
	"to continue reading", "continue reading this article",
	"to read the full article", "to read the full story", "to read this article",
	"sign in to continue", "log in to continue", "login to continue",
	"register to continue", "create a free account to continue",
	"you have reached your limit", "you've reached your limit",
	"you’ve reached your limit", "free articles remaining",
	"you have read all your free", "become a member to continue",
	"unlock this article", "start your subscription", "subscription required",
	"premium content", "this content is for members", "members only content",
}

// consentPhrases mark cookie and consent notices, in lower case.
var consentPhrases = []string{
	"use of cookies", "use cookies", "uses cookies", "cookie policy",
	"cookie settings", "cookies policy", "accept cookies", "accept all cookies",
	"consent to the use", "consent to our use", "you agree to our use",
	"by continuing to browse", "by continuing to use", "by using this site, you agree",
	"by using our site, you agree", "manage your privacy", "privacy settings",
	"we value your privacy", "privacy preferences",
}

// hasPhrase reports whether lower contains one of phrases.
func hasPhrase(lower string, phrases []string) bool {
	for _, p := range phrases {
		if strings.Contains(lower, p) {
			return true
		}
	}
	return false
}

// isConsent reports a cookie or consent notice: a short block about
// cookies or privacy consent.
func isConsent(text string, words int) bool {
	if words > 120 || !(strings.Contains(text, "ookie") || strings.Contains(text, "onsent") ||
		strings.Contains(text, "rivacy") || strings.Contains(text, "agree")) {
		return false
	}
	return hasPhrase(strings.ToLower(text), consentPhrases)
}

// consentWords counts the words of the consent notices among blocks.
func consentWords(blocks []rawBlock) int {
	n := 0
	for _, b := range blocks {
		if isConsent(b.Text, b.words) {
			n += b.words
		}
	}
	return n
}

// Quality gate thresholds, in words of main text.
const (
	// teaserWords: less than this is a stub whatever the page says.
	teaserWords = 60
	// partialWords: less than this is short, real text.
	partialWords = 150
	// paywalledWords: a page with paywall markers and less text than this
	// shows only the part before the wall.
	paywalledWords = 400
)

// qualitySignals is what the quality gate weighs.
type qualitySignals struct {
	words        int // words of the cleaned main text, consent notices aside
	consentWords int // words of consent notices among the raw text
	// paywallText: the page says it is paywalled, in words or in its
	// structured data (isAccessibleForFree: false).
	paywallText bool
	// paywallMarkup: class or id names of paywall widgets, which many
	// sites carry on free articles too (login boxes, meters): it counts
	// only with text that stops short.
	paywallMarkup bool
	// truncated: the text stops mid-sentence or with an ellipsis.
	truncated bool
}

// quality grades the main text: a teaser for stubs, paywalled excerpts
// and consent walls, partial for short text that stops mid-sentence, full
// otherwise (a short, complete news brief is full).
func (s qualitySignals) quality() summarize.Quality {
	switch {
	case s.consentWords > 0 && s.consentWords*2 >= s.words:
		return summarize.QualityTeaser
	case s.words < teaserWords:
		return summarize.QualityTeaser
	case s.words >= paywalledWords:
		return summarize.QualityFull
	case s.paywallText, s.paywallMarkup && s.truncated:
		return summarize.QualityTeaser
	case s.words < partialWords && s.truncated:
		// Short text counts as part of an article only when it stops
		// short: a complete 104-word brief is the whole article.
		return summarize.QualityPartial
	}
	return summarize.QualityFull
}

// endsTruncated reports whether the last paragraph of blocks stops without
// ending its sentence or with an ellipsis.
func endsTruncated(blocks []summarize.Block) bool {
	for i := len(blocks) - 1; i >= 0; i-- {
		if blocks[i].Heading {
			continue
		}
		t := strings.TrimRight(blocks[i].Text, " \"”’»)]")
		if strings.HasSuffix(t, "…") || strings.HasSuffix(t, "...") {
			return true
		}
		r, _ := utf8.DecodeLastRuneInString(t)
		return !strings.ContainsRune(".!?。！？:;", r)
	}
	return true
}

// paywallPromptWords bounds the length of a paywall's message.
const paywallPromptWords = 60

// paywallStems are fragments of every paywall phrase, in either case: a
// block with none of them needs no closer look.
var paywallStems = []string{"ubscri", "UBSCRI", "ontinue", "ONTINUE", "ign in", "og in", "ogin", "egist", "imit", "nlock", "remium", "ember", "eserved", "vailable", "xclusive", "free art", "full art", "full stor", "this art", "IGN IN", "OG IN", "OGIN"}

// mayBePaywallPrompt is a cheap test before hasPhrase.
func mayBePaywallPrompt(text string) bool {
	for _, s := range paywallStems {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

// paywallWording reports whether any of blocks says the text is behind a
// paywall.
func paywallWording(blocks ...[]rawBlock) bool {
	for _, bs := range blocks {
		for _, b := range bs {
			if b.words <= paywallPromptWords && mayBePaywallPrompt(b.Text) &&
				hasPhrase(strings.ToLower(b.Text), paywallPhrases) {
				return true
			}
		}
	}
	return false
}
