package prompts

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// AskVersion names the /ask templates and AskAnswer. Bump it whenever
// either changes.
const AskVersion = "ask-v1"

// The delimiters around the stored points in the /ask user message.
const (
	PointsOpen  = "<points>"
	PointsClose = "</points>"
)

// Bounds the /ask prompt asks the model to keep.
const (
	AskMaxCited = 6
	AskMaxWords = 120
)

// AskPoint is one stored point offered to answer a question. Every field
// but the status is untrusted article or model text.
type AskPoint struct {
	Topic, Status, Text, Quote string
}

// AskAnswer is the JSON shape the model replies with. It references
// points by the ids the prompt listed (AskPointID), so it cannot cite a
// point that is not stored. No field is omitempty: strict structured
// output requires every property.
type AskAnswer struct {
	Covered bool     `json:"covered"`
	Answer  string   `json:"answer"`
	Points  []string `json:"points"`
}

// AskPointID is the id the prompt gives to points[i]: "p1", "p2", ….
func AskPointID(i int) string { return "p" + strconv.Itoa(i+1) }

// ParseAskPointID returns the index i of the id AskPointID(i) (case and
// surrounding space and brackets ignored), and false for anything else.
func ParseAskPointID(id string) (int, bool) {
	id = strings.Trim(strings.TrimSpace(id), "[]")
	if len(id) < 2 || (id[0] != 'p' && id[0] != 'P') || id[1] == '0' || len(id) > 10 {
		return 0, false
	}
	n, err := strconv.Atoi(id[1:])
	if err != nil || n < 1 {
		return 0, false
	}
	return n - 1, true
}

// AskCiteRE finds the point ids an answer's text cites: "[p3]".
var AskCiteRE = regexp.MustCompile(`\[\s*[pP](\d{1,9})\s*\]`)

// pointsDelimiterRE matches anything a model could read as a points
// delimiter.
var pointsDelimiterRE = regexp.MustCompile(`(?i)<(\s*/?\s*points)`)

// Ask renders the system and user messages asking a question of stored
// points. The system message is the same for every call.
func Ask(question string, points []AskPoint) (system, user string, err error) {
	if strings.TrimSpace(question) == "" || len(points) == 0 {
		return "", "", fmt.Errorf("prompts: ask: no question or no points")
	}
	system, err = render("ask_system.tmpl", map[string]any{
		"Open": PointsOpen, "Close": PointsClose, "MaxCited": AskMaxCited, "MaxWords": AskMaxWords,
	})
	if err != nil {
		return "", "", err
	}
	clean := func(s string) string { return oneLine(pointsDelimiterRE.ReplaceAllString(s, "‹$1")) }
	type point struct{ ID, Topic, Status, Text, Quote string }
	listed := make([]point, len(points))
	for i, p := range points {
		listed[i] = point{AskPointID(i), clean(p.Topic), clean(p.Status), clean(p.Text), clean(strings.ReplaceAll(p.Quote, `"`, "'"))}
	}
	user, err = render("ask_user.tmpl", map[string]any{
		"Question": clean(question), "Open": PointsOpen, "Close": PointsClose, "Points": listed,
	})
	if err != nil {
		return "", "", err
	}
	return system, user, nil
}
