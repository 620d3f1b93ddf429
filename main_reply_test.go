package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"briefbot/bot"
	"briefbot/bot/discordtest"
	"briefbot/prompts"
	"briefbot/summarize/openaitest"
)

// hostileAnswer is the model answer of the audit: 300 topics of 100
// points each, every quote a sentence of the article, so every point is
// grounded and nothing but the reply's own caps limits what is posted.
func hostileAnswer(req *openaitest.Request) openaitest.Reply {
	var sentences []string
	for _, p := range strings.Split(openaitest.Article(req.ArticleMessage()), "\n") {
		for _, s := range openaitest.Sentences(p) {
			if s = strings.TrimSpace(s); len(s) > 20 && !strings.HasPrefix(s, "#") {
				sentences = append(sentences, s)
			}
		}
	}
	if len(sentences) == 0 {
		return openaitest.Reply{Content: `{"topics":[]}`}
	}
	statuses := []string{"agreed", "unresolved", "disputed"}
	var a prompts.Answer
	for i := range 300 {
		tp := prompts.AnswerTopic{Name: fmt.Sprintf("Topic %d", i+1)}
		for j := range 100 {
			s := sentences[(i*100+j)%len(sentences)]
			tp.Points = append(tp.Points, prompts.AnswerPoint{
				Text: s, Status: statuses[(i+j)%len(statuses)], Actors: []string{"Putin"}, Quote: s,
			})
		}
		a.Topics = append(a.Topics, tp)
	}
	b, _ := json.Marshal(a)
	return openaitest.Reply{Content: string(b)}
}

// shownRe reads the header line saying how many points a reply shows.
var shownRe = regexp.MustCompile(`(\d+) of (\d+) points shown; (\d+) more under \*\*More\*\* below`)

// TestDiscordHostileModelAnswerIsPaged runs the audit's attack through
// run(): a model answering 300 topics × 100 grounded points once made one
// pasted link post 701 messages. Now the link gets at most
// bot.MaxReplyMessages messages saying how many points are left out, with
// a More button; pressing it shows the next page privately, bounded the
// same way.
func TestDiscordHostileModelAnswerIsPaged(t *testing.T) {
	t.Parallel()
	news := newsServer(t, nil)
	llm := openaitest.New(t)
	llm.SetDefault(hostileAnswer)
	b := startDiscordBot(t, map[string]string{
		"FETCH_ALLOW_PRIVATE_NETWORKS": "true",
		"OPENAI_BASE_URL":              llm.BaseURL(),
		"OPENAI_API_KEY":               "sk-test",
		"OPENAI_MODEL":                 "test-model",
	})
	srv := b.srv
	// Reading, grounding and storing 30,000 points takes seconds, and
	// many more under the race detector on a loaded machine.
	srv.Timeout = 2 * time.Minute
	msg := srv.Say(t, discordtest.ChannelID, discordtest.Alice, news.URL+storyDay1)

	var posts []discordtest.Post
	srv.Wait(t, "a reply ending with a More button", func() bool {
		posts = repliesTo(srv, msg.ID)
		return len(posts) > 0 && len(posts[len(posts)-1].Data.Buttons()) > 0
	})
	if len(posts) > bot.MaxReplyMessages {
		t.Fatalf("the pasted link posted %d messages; want at most %d", len(posts), bot.MaxReplyMessages)
	}
	m := shownRe.FindStringSubmatch(posts[0].Data.Text())
	if m == nil {
		t.Fatalf("the reply does not say how many points it leaves out:\n%.600s", posts[0].Data.Text())
	}
	shown, total, rest := atoi(m[1]), atoi(m[2]), atoi(m[3])
	if shown > bot.DefaultPoints || shown+rest != total || rest == 0 {
		t.Errorf("reply shows %d of %d points, %d more; want at most %d shown and the rest counted", shown, total, rest, bot.DefaultPoints)
	}
	last := posts[len(posts)-1]
	btn := last.Data.Buttons()[0]
	if btn.Label != fmt.Sprintf("More (%d points left)", rest) || len(btn.CustomID) > discordtest.MaxCustomID {
		t.Errorf("button = %+v; want More (%d points left) with a short custom_id", btn, rest)
	}

	in := srv.Click(t, discordtest.Invoker{}, last, btn.CustomID)
	var page []discordtest.Post
	srv.Wait(t, "the next page", func() bool {
		page = page[:0]
		for _, p := range srv.Posts() {
			if p.InteractionID == in.ID {
				page = append(page, p)
			}
		}
		return len(page) > 0 && hasFooter(page[len(page)-1]) // the page's last message
	})
	var text strings.Builder
	messages := 0
	for _, p := range page {
		if !p.Ephemeral {
			t.Errorf("a More page post (%s) is public; want it shown to the presser alone", p.Kind)
		}
		if p.Kind == discordtest.KindInteractionResponse && p.ResponseType == discordgo.InteractionResponseDeferredChannelMessageWithSource {
			continue // a slow answer is deferred, then edited in
		}
		messages++
		text.WriteString(p.Data.Text())
	}
	if messages > bot.MaxReplyMessages {
		t.Errorf("the More press posted %d messages; want at most %d", messages, bot.MaxReplyMessages)
	}
	if !strings.Contains(text.String(), fmt.Sprintf("Points %d–", shown+1)) {
		t.Errorf("the next page does not continue at point %d:\n%.400s", shown+1, text.String())
	}
	if n := len(repliesTo(srv, msg.ID)); n != len(posts) {
		t.Errorf("the channel got %d messages after the press; want still %d", n, len(posts))
	}
	checkNoPings(t, srv)
	for _, r := range srv.Rejected() {
		t.Errorf("stand-in refused %s %s: %d %s", r.Method, r.Path, r.Status, r.Error)
	}
}

// hasFooter reports whether p ends with the footer a reply's last
// message carries.
func hasFooter(p discordtest.Post) bool {
	e := p.Data.Embeds
	return len(e) > 0 && e[len(e)-1].Footer != nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
