package prompts

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// BriefingVersion names the briefing-merge templates and BriefingAnswer.
// Bump it whenever either changes.
const BriefingVersion = "briefing-merge-v2"

// The delimiters around the topics in the briefing-merge user message.
// Everything between them is untrusted data taken from articles; any
// occurrence of either in it is neutralised.
const (
	TopicsOpen  = "<topics>"
	TopicsClose = "</topics>"
)

// BriefingTopic is one topic of one article offered for merging. Name and
// Points are untrusted article data.
type BriefingTopic struct {
	Name string
	// Article numbers the article the topic comes from (1-based).
	Article int
	// Points are the texts of the topic's points, for context; the caller
	// chooses how many to send.
	Points []string
}

// BriefingInput is what the briefing-merge prompt is rendered from.
type BriefingInput struct {
	// Topics are listed with the ids BriefingTopicID(0), (1), … in order.
	Topics []BriefingTopic
	// Part and Parts place this list within a day too large for one call
	// (1-based). Parts of 0 or 1 means the whole day.
	Part, Parts int
}

// BriefingAnswer is the JSON shape the model replies with: the groups of
// listed topics that are one subject, and the stories: the articles that
// report one news story. It only references listed ids and article
// numbers, so it cannot add a topic, a point or an article. No field is
// omitempty: strict structured output requires every property.
type BriefingAnswer struct {
	Groups  []BriefingGroup `json:"groups"`
	Stories []BriefingStory `json:"stories"`
}

// BriefingStory is one news story: the numbers of the listed articles
// that report it.
type BriefingStory struct {
	Articles []int `json:"articles"`
}

// BriefingGroup is one subject: a short name and the ids of the listed
// topics that are about it.
type BriefingGroup struct {
	Name   string   `json:"name"`
	Topics []string `json:"topics"`
}

// BriefingTopicID is the id the prompt gives to Topics[i]: "t1", "t2", ….
func BriefingTopicID(i int) string {
	return "t" + strconv.Itoa(i+1)
}

// ParseBriefingTopicID returns the index i of the id BriefingTopicID(i)
// (case and surrounding space ignored), and false for anything else.
func ParseBriefingTopicID(id string) (int, bool) {
	id = strings.TrimSpace(id)
	if len(id) < 2 || (id[0] != 't' && id[0] != 'T') {
		return 0, false
	}
	digits := id[1:]
	if digits[0] == '0' || len(digits) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 {
		return 0, false
	}
	return n - 1, true
}

// maxBriefingNameWords is the longest merged topic name the prompt asks
// for: names are headings in a Discord post.
const maxBriefingNameWords = 6

// Briefing renders the system and user messages asking which of a day's
// topics are one subject. The system message is the same for every call,
// so servers can cache it as a prompt prefix.
func Briefing(in BriefingInput) (system, user string, err error) {
	if in.Parts > 1 && (in.Part < 1 || in.Part > in.Parts) {
		return "", "", fmt.Errorf("prompts: briefing part %d of %d out of range", in.Part, in.Parts)
	}
	if len(in.Topics) == 0 {
		return "", "", fmt.Errorf("prompts: briefing: no topics")
	}
	system, err = render("briefing_system.tmpl", map[string]any{
		"Open":     TopicsOpen,
		"Close":    TopicsClose,
		"MaxWords": maxBriefingNameWords,
	})
	if err != nil {
		return "", "", err
	}
	type topic struct {
		ID, Name string
		Article  int
		Points   []string
	}
	topics := make([]topic, len(in.Topics))
	for i, t := range in.Topics {
		if t.Article < 1 {
			return "", "", fmt.Errorf("prompts: briefing topic %d: article %d; want ≥ 1", i, t.Article)
		}
		tp := topic{ID: BriefingTopicID(i), Name: oneLine(neutralizeTopics(t.Name)), Article: t.Article}
		for _, p := range t.Points {
			if p = oneLine(neutralizeTopics(p)); p != "" {
				tp.Points = append(tp.Points, p)
			}
		}
		topics[i] = tp
	}
	user, err = render("briefing_user.tmpl", map[string]any{
		"Open":   TopicsOpen,
		"Close":  TopicsClose,
		"Part":   in.Part,
		"Parts":  in.Parts,
		"Topics": topics,
	})
	if err != nil {
		return "", "", err
	}
	return system, user, nil
}

// topicsDelimiterRE matches anything a model could read as the start of a
// topics delimiter: "<topics", "</topics", "< / TOPICS" and so on.
var topicsDelimiterRE = regexp.MustCompile(`(?i)<(\s*/?\s*topics)`)

// neutralizeTopics makes s safe between the topics delimiters, as
// Neutralize does for the article's.
func neutralizeTopics(s string) string {
	return topicsDelimiterRE.ReplaceAllString(s, "‹$1")
}
