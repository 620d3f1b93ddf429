package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strconv"
	"strings"

	"briefbot/summarize"
)

// MoreIDPrefix starts the custom ID of every "More" button. The rest is
// "<message>:<summary ref>:<first point>": the message (or command) that
// shared the summary, a short hash of the summary's cache key, and the
// page's first point. Together they name a stored summary without
// carrying its URL, which may be longer than a custom ID.
const MoreIDPrefix = "more:"

// Bounds of a More button's custom ID parts, so any ID fits LimitCustomID.
const (
	maxMoreMessageID = 40 // Discord snowflakes have at most 20 digits
	moreRefLen       = 12 // hex digits: 48 bits, against the few summaries of one message
	maxMoreOffset    = 9_999_999
)

// Messages of the More button.
const (
	msgMoreGone = "I no longer have that summary; ask again with /summarize and detail."
	msgMoreDone = "That was all of its points."
	msgMoreLoad = "I couldn't load that summary just now; try again later."
)

// moreRef identifies a summary among the ones a message shared: a hash of
// its cache key.
func moreRef(s *summarize.Summary) string {
	sum := sha256.Sum256([]byte(s.URL + "\x00" + s.Engine + "\x00" + s.Model + "\x00" + s.PromptVersion))
	return hex.EncodeToString(sum[:moreRefLen/2])
}

// moreIDs returns the RenderOptions.MoreID of a summary shared by
// messageID, or nil when no button could find it again.
func (h *Handler) moreIDs(messageID string, s *summarize.Summary) func(next int) string {
	if h.stored == nil || !validMoreMessageID(messageID) {
		return nil
	}
	ref := moreRef(s)
	return func(next int) string {
		if next < 0 || next > maxMoreOffset {
			return ""
		}
		return MoreIDPrefix + messageID + ":" + ref + ":" + strconv.Itoa(next)
	}
}

// validMoreMessageID accepts Discord snowflakes and the console's IDs.
func validMoreMessageID(id string) bool {
	if id == "" || len(id) > maxMoreMessageID {
		return false
	}
	for _, c := range id {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// parseMoreID reads a More button's custom ID.
func parseMoreID(id string) (messageID, ref string, offset int, ok bool) {
	rest, found := strings.CutPrefix(id, MoreIDPrefix)
	if !found {
		return "", "", 0, false
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 || !validMoreMessageID(parts[0]) || len(parts[1]) != moreRefLen {
		return "", "", 0, false
	}
	if _, err := hex.DecodeString(parts[1]); err != nil {
		return "", "", 0, false
	}
	n, err := strconv.Atoi(parts[2])
	if err != nil || n < 0 || n > maxMoreOffset || strconv.Itoa(n) != parts[2] {
		return "", "", 0, false
	}
	return parts[0], parts[1], n, true
}

// More answers a press of a reply's "More" button (customID is the
// button's): the next page of that summary, at most MaxReplyMessages
// messages, shown to the presser alone, with a button for the page after
// when points remain. The summary is read back from what this server was
// shown, so a button never shows another server's links. A button whose
// summary is gone, or a malformed ID, gets a short notice.
func (h *Handler) More(ctx context.Context, inv Invoker, customID string) (replies []Reply) {
	defer h.recoverPanic("more", &replies, true)
	msgID, ref, offset, ok := parseMoreID(customID)
	if !ok || h.stored == nil {
		h.log.Info("more_bad_button", slog.String("guild_id", inv.GuildID), slog.Int("custom_id_len", len(customID)))
		return []Reply{notice(msgMoreGone)}
	}
	if !h.enter() {
		return []Reply{notice(msgShuttingDown)}
	}
	defer h.inflight.Done()
	if ok, _ := h.limits.allow(inv.GuildID, inv.UserID, h.now()); !ok {
		return []Reply{notice(msgRateLimited)}
	}
	set, ok := h.guildSettings(ctx, inv.GuildID)
	if !ok {
		return []Reply{notice(msgInternal)}
	}
	shared, err := h.stored.MessageSummaries(ctx, inv.GuildID, msgID)
	if err != nil {
		h.log.Error("more_lookup_failed", slog.String("guild_id", inv.GuildID), slog.String("message_id", msgID), slog.Any("err", err))
		return []Reply{notice(msgMoreLoad)}
	}
	var s *summarize.Summary
	for _, ss := range shared {
		if ss.Summary != nil && moreRef(ss.Summary) == ref {
			s = ss.Summary
			break
		}
	}
	if s == nil {
		h.log.Info("more_summary_gone", slog.String("guild_id", inv.GuildID), slog.String("message_id", msgID))
		return []Reply{notice(msgMoreGone)}
	}
	if offset >= CountShown(s, set.ShowUngrounded) {
		return []Reply{notice(msgMoreDone)}
	}
	replies = RenderSummary(s, RenderOptions{
		ShowUngrounded: set.ShowUngrounded, Detail: true, Offset: offset,
		MoreID: h.moreIDs(msgID, s),
	})
	for i := range replies {
		replies[i].Ephemeral = true
		replies[i].Target = TargetRespond
	}
	return replies
}
