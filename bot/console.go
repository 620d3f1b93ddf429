package bot

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"briefbot/schedule"
	"briefbot/summarize"
	"briefbot/summarize/fetch"
)

// ConsoleBanner is the console's first line.
const ConsoleBanner = "briefbot console: paste a link or type /help (Ctrl-D or /quit to exit). To connect to Discord instead, set DISCORD_TOKEN."

// consoleHelp lists the console's commands.
const consoleHelp = `Paste a message with links to summarize them, or type a command:
  /summarize <url> [fresh] [detail]  summarize one link (fresh: read it again; detail: up to 40 points, not 8)
  /more [n]                          press the last reply's More button (n: which one)
  /react                             add 📰 to your last message (for autosummarize react)
  /topic <words>                     what this server's articles say about a topic, over time
  /ask <question> [topic:<word>]     answer a question from this server's stored points only
  /watch add <words> [#channel]|list|remove <n>  post here when a topic's status changes
  /feed add <url> [filter words]|list|remove <n>  follow a feed into this server's record
  /export <words> [md|json|csv]      a file of a topic's points, statuses, quotes and sources (printed here)
  /settings [<key> <value>]          show or change autosummarize, reply, language, show_ungrounded, skip_empty_briefing
  /briefing now|schedule|off|status  post, schedule ([<m h dom mon dow>] [<Area/City>] [#channel]), stop or show the briefing
  /usage                             model calls, tokens, cache hit rate and costliest articles, today and over 30 days
  /help                              this list
  /quit                              leave (Ctrl-D works too)`

// maxConsoleLine bounds one pasted line: far above any message Discord
// allows (4,000 characters), low enough that a runaway paste costs little
// memory. A longer line is skipped with a message; the console goes on.
const maxConsoleLine = 1 << 20

// msgLineTooLong answers a line over maxConsoleLine.
const msgLineTooLong = "That line is over 1 MiB, so I skipped it: paste links in shorter messages."

// ConsoleOptions configure the console transport. Zero values take the
// defaults.
type ConsoleOptions struct {
	GuildID   string // default "console"
	ChannelID string // default "general"
	UserID    string // default "you"
	// Logger records skipped input; default: discard.
	Logger *slog.Logger
}

// Console is the local transport: one simulated server and channel on a
// terminal. The console user can manage the server. It also implements
// schedule.Poster, printing briefings.
type Console struct {
	opts ConsoleOptions

	mu     sync.Mutex // guards out, log, nextID and buttons
	out    io.Writer
	log    []consoleMsg // what was said, oldest first
	nextID int
	// buttons are those of the last answer that had any, for /more.
	buttons []Button
}

type consoleMsg struct {
	id, channel, content string
	self                 bool
}

// consoleLogSize bounds the message history kept for MessagesAfter.
const consoleLogSize = 200

// NewConsole returns a console writing to out.
func NewConsole(out io.Writer, opts ConsoleOptions) *Console {
	if opts.GuildID == "" {
		opts.GuildID = "console"
	}
	if opts.ChannelID == "" {
		opts.ChannelID = "general"
	}
	if opts.UserID == "" {
		opts.UserID = "you"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Console{opts: opts, out: out}
}

// RunConsole runs a console with default options on in and out until EOF,
// /quit or ctx ends.
func RunConsole(ctx context.Context, in io.Reader, out io.Writer, h *Handler) error {
	return NewConsole(out, ConsoleOptions{}).Run(ctx, in, h)
}

// Run prints the banner, then reads lines from in and answers them through
// h until EOF, /quit or ctx ends; those all return nil. It returns an error
// only when reading in fails.
func (c *Console) Run(ctx context.Context, in io.Reader, h *Handler) error {
	c.println(ConsoleBanner)
	lines := make(chan consoleLine)
	readErr := make(chan error, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() { readErr <- readLines(in, maxConsoleLine, lines, stop) }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			if err != nil {
				return fmt.Errorf("bot: console: read: %w", err)
			}
			return nil
		case line := <-lines:
			if line.tooLong {
				c.opts.Logger.Warn("console_line_too_long", slog.Int("limit_bytes", maxConsoleLine))
				c.println(msgLineTooLong)
				continue
			}
			if quit := c.handleLine(ctx, h, line.text); quit {
				return nil
			}
		}
	}
}

// consoleLine is one line of console input, without its line ending.
type consoleLine struct {
	text string
	// tooLong marks a line over the limit; its text was dropped.
	tooLong bool
}

// readLines sends each line of in to lines until EOF (returning nil), a
// read error (returning it) or stop. A line over limit bytes is read
// through without being kept and sent as tooLong, so one runaway paste
// neither ends the console nor holds more than limit bytes.
func readLines(in io.Reader, limit int, lines chan<- consoleLine, stop <-chan struct{}) error {
	br := bufio.NewReaderSize(in, 64<<10)
	var (
		buf     []byte
		tooLong bool
	)
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			buf = append(buf, chunk...)
			if len(bytes.TrimRight(buf, "\r\n")) > limit {
				buf, tooLong = nil, true
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue // the line goes on
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if len(chunk) > 0 || len(buf) > 0 || tooLong {
			l := consoleLine{tooLong: tooLong}
			if !tooLong {
				l.text = string(bytes.TrimSuffix(bytes.TrimSuffix(buf, []byte("\n")), []byte("\r")))
			}
			select {
			case lines <- l:
			case <-stop:
				return nil
			}
		}
		if err != nil { // io.EOF
			return nil
		}
		buf, tooLong = buf[:0], false
	}
}

func (c *Console) invoker(id string) Invoker {
	return Invoker{ID: id, GuildID: c.opts.GuildID, ChannelID: c.opts.ChannelID, UserID: c.opts.UserID, CanManage: true}
}

// handleLine answers one line; it reports whether the user asked to quit.
func (c *Console) handleLine(ctx context.Context, h *Handler, line string) (quit bool) {
	line = strings.TrimSpace(line)
	if line == "" {
		return false
	}
	if !strings.HasPrefix(line, "/") {
		id := c.record(c.opts.ChannelID, line, false)
		if urls, _ := fetch.FindURLs(line, 1); len(urls) == 0 {
			return false
		}
		replies := h.HandleMessage(c.operatorContext(ctx), Message{
			GuildID: c.opts.GuildID, ChannelID: c.opts.ChannelID, MessageID: id,
			AuthorID: c.opts.UserID, Content: line,
		})
		if len(replies) == 0 {
			c.println("(no summary: with autosummarize react or off, use /react or /summarize <url>)")
		}
		c.show(replies)
		return false
	}
	cmd, rest, _ := strings.Cut(line, " ")
	rest = stripMainOption(strings.ToLower(cmd), strings.TrimSpace(rest))
	args := strings.Fields(rest)
	inv := c.invoker(c.newID())
	switch strings.ToLower(cmd) {
	case "/quit", "/exit":
		return true
	case "/help":
		c.println(consoleHelp)
	case "/summarize":
		opt, err := parseSummarizeArgs(args)
		if err != nil {
			c.println(err.Error())
			return false
		}
		c.show(h.SummarizeWith(c.operatorContext(ctx), inv, args[0], opt))
	case "/more":
		b, err := c.button(args)
		if err != nil {
			c.println(err.Error())
			return false
		}
		c.show(h.More(ctx, inv, b.CustomID))
	case "/react":
		m, ok := c.lastUserMessage()
		if !ok {
			c.println("Nothing to react to yet: paste a message first.")
			return false
		}
		c.println("📰 added to your last message.")
		c.show(h.HandleReaction(c.operatorContext(ctx), Reaction{
			GuildID: c.opts.GuildID, ChannelID: c.opts.ChannelID, MessageID: m.id,
			UserID: c.opts.UserID, Emoji: ReactEmoji,
			Message: Message{AuthorID: c.opts.UserID, Content: m.content},
		}))
	case "/topic":
		if rest == "" {
			c.println("usage: /topic <words>")
			return false
		}
		c.show(h.Topic(ctx, inv, rest))
	case "/ask":
		q, topic := parseAskArgs(args)
		if q == "" {
			c.println("usage: /ask <question> [topic:<word>]")
			return false
		}
		c.show(h.Ask(ctx, inv, q, topic))
	case "/watch":
		wc := WatchCommand{}
		if len(args) > 0 {
			wc.Action = strings.ToLower(args[0])
			words := args[1:]
			if n := len(words); n > 1 && strings.HasPrefix(words[n-1], "#") {
				wc.ChannelID, words = strings.TrimPrefix(words[n-1], "#"), words[:n-1]
			}
			wc.Topic = strings.Join(words, " ")
		}
		c.show(h.Watch(ctx, inv, wc))
	case "/feed":
		fc := FeedCommand{}
		if len(args) > 0 {
			fc.Action = strings.ToLower(args[0])
		}
		if len(args) > 1 {
			fc.URL = args[1]
			fc.Filter = strings.Join(args[2:], " ")
		}
		c.show(h.Feed(c.operatorContext(ctx), inv, fc))
	case "/export":
		words, format := parseExportArgs(args)
		if words == "" {
			c.println("usage: /export <words> [md|json|csv]")
			return false
		}
		c.show(h.Export(ctx, inv, words, format))
	case "/settings":
		u, err := parseSettingsArgs(args)
		if err != nil {
			c.println(err.Error())
			return false
		}
		c.show(h.Settings(ctx, inv, u))
	case "/usage":
		c.show(h.UsageCommand(ctx, inv))
	case "/briefing":
		bc, err := parseBriefingArgs(args)
		if err != nil {
			c.println(err.Error())
			return false
		}
		c.show(h.Briefing(ctx, inv, bc))
	default:
		c.println("Unknown command " + strconv.Quote(cmd) + ". Type /help.")
	}
	return false
}

// mainOptions are the Discord names of the commands' first option, which
// people who know the Discord command type on the console too
// ("/topic query:ceasefire").
var mainOptions = map[string]string{
	"/summarize": "url:", "/topic": "query:", "/ask": "question:", "/export": "topic:",
}

// stripMainOption drops cmd's first option name from the start of rest.
func stripMainOption(cmd, rest string) string {
	name, ok := mainOptions[cmd]
	if !ok || len(rest) < len(name) || !strings.EqualFold(rest[:len(name)], name) {
		return rest
	}
	return strings.TrimSpace(rest[len(name):])
}

// parseAskArgs reads "/ask <question> [topic:<word>]…": words written
// topic:<word> (anywhere) name the topic, the rest is the question.
func parseAskArgs(args []string) (question, topic string) {
	var q, t []string
	for _, a := range args {
		if w, ok := strings.CutPrefix(strings.ToLower(a), "topic:"); ok {
			if w != "" {
				t = append(t, w)
			}
			continue
		}
		q = append(q, a)
	}
	return strings.Join(q, " "), strings.Join(t, " ")
}

// parseExportArgs reads "/export <words> [md|json|csv]": a last word
// naming a format (also written "format:csv") is the format.
func parseExportArgs(args []string) (words, format string) {
	if n := len(args); n > 1 {
		last := strings.TrimPrefix(strings.ToLower(args[n-1]), "format:")
		if last == ExportMarkdown || last == ExportJSON || last == ExportCSV {
			format, args = last, args[:n-1]
		}
	}
	return strings.Join(args, " "), format
}

// parseSummarizeArgs reads "/summarize <url> [fresh] [detail]"; the words
// may come in any order after the link, with or without ":true" (as
// Discord's options are written).
func parseSummarizeArgs(args []string) (SummarizeOptions, error) {
	var opt SummarizeOptions
	if len(args) == 0 {
		return opt, errors.New("usage: /summarize <url> [fresh] [detail]")
	}
	for _, a := range args[1:] {
		switch strings.TrimSuffix(strings.ToLower(a), ":true") {
		case "fresh", "true":
			opt.Fresh = true
		case "detail":
			opt.Detail = true
		default:
			return opt, fmt.Errorf("unknown option %q: /summarize <url> [fresh] [detail]", a)
		}
	}
	return opt, nil
}

// button returns the button "/more [n]" presses: the nth of the last
// answer that had buttons.
func (c *Console) button(args []string) (Button, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.buttons) == 0 {
		return Button{}, errors.New("no More button to press: summarize a link first")
	}
	n := 1
	if len(args) > 0 {
		v, err := strconv.Atoi(args[0])
		if err != nil || len(args) > 1 || v < 1 || v > len(c.buttons) {
			return Button{}, fmt.Errorf("usage: /more [n], n from 1 to %d", len(c.buttons))
		}
		n = v
	}
	return c.buttons[n-1], nil
}

// parseSettingsArgs reads "/settings [key value]". Its errors are usage
// messages for the console user.
func parseSettingsArgs(args []string) (SettingsUpdate, error) {
	var u SettingsUpdate
	switch len(args) {
	case 0:
		return u, nil
	case 1:
		if strings.EqualFold(args[0], "language") || strings.EqualFold(args[0], "lang") {
			v := ""
			u.Language = &v
			return u, nil
		}
		return u, errors.New("usage: /settings <key> <value> (type /help for the keys)")
	case 2:
	default:
		return u, errors.New("usage: /settings <key> <value>: one setting at a time")
	}
	v := args[1]
	switch strings.ToLower(args[0]) {
	case "autosummarize", "auto":
		u.AutoSummarize = &v
	case "reply", "reply_mode":
		u.ReplyMode = &v
	case "language", "lang":
		u.Language = &v
	case "show_ungrounded", "ungrounded":
		b, ok := parseBool(v)
		if !ok {
			return u, errors.New("show_ungrounded is true or false")
		}
		u.ShowUngrounded = &b
	case "skip_empty_briefing", "skip_empty":
		b, ok := parseBool(v)
		if !ok {
			return u, errors.New("skip_empty_briefing is true or false")
		}
		u.SkipEmptyBriefing = &b
	default:
		return u, fmt.Errorf("unknown setting %q: autosummarize, reply, language, show_ungrounded or skip_empty_briefing", args[0])
	}
	return u, nil
}

func parseBool(s string) (v, ok bool) {
	switch strings.ToLower(s) {
	case "true", "on", "yes", "1":
		return true, true
	case "false", "off", "no", "0":
		return false, true
	}
	return false, false
}

// parseBriefingArgs reads "/briefing now|schedule [<5 fields>] [<tz>]
// [#channel]|off|status".
func parseBriefingArgs(args []string) (BriefingCommand, error) {
	usage := errors.New("usage: /briefing now | schedule [<m h dom mon dow>] [<Area/City>] [#channel] | off | status")
	if len(args) == 0 {
		return BriefingCommand{}, usage
	}
	action := strings.ToLower(args[0])
	switch action {
	case BriefingNow, BriefingOff, BriefingStatus:
		if len(args) != 1 {
			return BriefingCommand{}, usage
		}
		return BriefingCommand{Action: action}, nil
	case BriefingSchedule:
		// [<m h dom mon dow>] [<Area/City>] [#channel]; left out, the
		// defaults apply.
		bc := BriefingCommand{Action: action}
		rest := args[1:]
		if n := len(rest); n > 0 && strings.HasPrefix(rest[n-1], "#") {
			bc.ChannelID = strings.TrimPrefix(rest[n-1], "#")
			rest = rest[:n-1]
		}
		if len(rest) >= 5 {
			bc.Cron = strings.Join(rest[:5], " ")
			rest = rest[5:]
		}
		switch len(rest) {
		case 0:
		case 1:
			bc.TimeZone = rest[0]
		default:
			return BriefingCommand{}, errors.New("usage: /briefing schedule [<m h dom mon dow>] [<Area/City>] [#channel], e.g. /briefing schedule 0 8 * * * Europe/Berlin")
		}
		return bc, nil
	}
	return BriefingCommand{}, usage
}

// show prints replies as text. Their buttons become the ones /more
// presses, numbered in order when there are several.
func (c *Console) show(replies []Reply) {
	var buttons []Button
	for _, r := range replies {
		buttons = append(buttons, r.Buttons...)
	}
	for _, r := range replies {
		var head string
		if r.Target == TargetThread {
			head = "[thread: " + unescape(r.ThreadName) + "]\n"
		}
		text := head + strings.TrimRight(Flatten(r), "\n")
		c.println(text)
		for _, f := range r.Files {
			c.println(fmt.Sprintf("--- file %s (%d bytes) ---\n%s\n--- end of %s ---", f.Name, len(f.Data), strings.TrimRight(string(f.Data), "\n"), f.Name))
		}
		if !r.Ephemeral {
			c.record(c.opts.ChannelID, text, true)
		}
	}
	switch len(buttons) {
	case 0:
		return
	case 1:
		c.println("(type /more to press it)")
	default:
		c.println(fmt.Sprintf("(type /more 1 … /more %d to press them, in order)", len(buttons)))
	}
	c.mu.Lock()
	c.buttons = buttons
	c.mu.Unlock()
}

func (c *Console) println(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintln(c.out, s)
}

func (c *Console) newID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.newIDLocked()
}

func (c *Console) newIDLocked() string {
	c.nextID++
	return "m" + strconv.Itoa(c.nextID)
}

// record adds a message to the channel history and returns its ID.
func (c *Console) record(channel, content string, self bool) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.recordLocked(channel, content, self)
}

func (c *Console) recordLocked(channel, content string, self bool) string {
	id := c.newIDLocked()
	c.log = append(c.log, consoleMsg{id: id, channel: channel, content: content, self: self})
	if len(c.log) > consoleLogSize {
		c.log = append(c.log[:0], c.log[len(c.log)-consoleLogSize:]...)
	}
	return id
}

func (c *Console) lastUserMessage() (consoleMsg, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.log) - 1; i >= 0; i-- {
		if m := c.log[i]; !m.self && m.channel == c.opts.ChannelID {
			return m, true
		}
	}
	return consoleMsg{}, false
}

// PostMessages prints a briefing's messages under a header naming the
// channel and returns their IDs. It implements schedule.Poster.
func (c *Console) PostMessages(ctx context.Context, channelID string, msgs []schedule.Outgoing) ([]string, error) {
	if err := c.CanPost(ctx, channelID); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.out, "── briefing in #%s ──\n", channelID)
	ids := make([]string, 0, len(msgs))
	for _, m := range msgs {
		if err := ctx.Err(); err != nil {
			return ids, fmt.Errorf("bot: console: post: %w", err)
		}
		fmt.Fprintln(c.out, unescape(m.Content))
		ids = append(ids, c.recordLocked(channelID, m.Content, true))
	}
	return ids, nil
}

// MessagesAfter returns up to limit of channelID's messages after the
// message afterID, oldest first; when afterID is "", from the oldest the
// console still keeps, whatever since says (it keeps only its last
// consoleLogSize lines, all recent). It implements schedule.Poster.
func (c *Console) MessagesAfter(ctx context.Context, channelID string, since time.Time, afterID string, limit int) ([]schedule.PostedMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bot: console: messages: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	from := 0
	if afterID != "" {
		from = len(c.log)
		for i, m := range c.log {
			if m.id == afterID {
				from = i + 1
				break
			}
		}
	}
	var out []schedule.PostedMessage
	for _, m := range c.log[from:] {
		if len(out) == limit {
			break
		}
		if m.channel == channelID {
			out = append(out, schedule.PostedMessage{ID: m.id, Content: m.content, FromSelf: m.self})
		}
	}
	return out, nil
}

// CanPost reports whether briefings can go to channelID: any named channel
// of the simulated server can. It implements schedule.Poster.
func (c *Console) CanPost(ctx context.Context, channelID string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bot: console: %w", err)
	}
	if strings.TrimSpace(channelID) == "" {
		return errors.New("bot: console: no channel")
	}
	return nil
}

// msgReading is what the console prints when it starts reading a link
// (not for an answer from the cache).
const msgReading = "⏳ reading…"

// operatorContext marks ctx as the operator's, so failures the bot keeps
// quiet about in a server are explained, and makes the Service announce
// each link it starts reading.
func (c *Console) operatorContext(ctx context.Context) context.Context {
	var once sync.Once
	ctx = context.WithValue(ctx, operatorKey{}, true)
	return summarize.WithReading(ctx, func() { once.Do(func() { c.println(msgReading) }) })
}

type operatorKey struct{}

// forOperator reports whether ctx is the operator's (the console's).
func forOperator(ctx context.Context) bool {
	v, _ := ctx.Value(operatorKey{}).(bool)
	return v
}

// msgAllowPrivate tells the operator how to let briefbot read a link on
// a private address (a test server, an intranet page).
const msgAllowPrivate = " To read private addresses (a local test server, an intranet), set FETCH_ALLOW_PRIVATE_NETWORKS=true."

// failureMessage is UserMessage, with what the operator can do about it
// when ctx is the operator's.
func failureMessage(ctx context.Context, err error) string {
	msg := UserMessage(err)
	if forOperator(ctx) && errors.Is(err, summarize.ErrBlockedHost) {
		msg += msgAllowPrivate
	}
	return msg
}
