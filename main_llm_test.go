package main

import (
	"encoding/json"
	"testing"

	"briefbot/summarize/openaitest"
)

// TestSummarizeBoundedModelAnswer: through the CLI, a model flooding its
// answers (60 topics × 20 points, then 300 × 100, about 10 MB) gives a
// summary within the answer bounds: at most 8 points, or the offline
// summary when even the repair is over 1 MiB.
func TestSummarizeBoundedModelAnswer(t *testing.T) {
	srv := newsServer(t, nil)
	llm := openaitest.New(t)
	env := map[string]string{
		"FETCH_ALLOW_PRIVATE_NETWORKS": "true",
		"OPENAI_BASE_URL":              llm.BaseURL(),
		"OPENAI_API_KEY":               "sk-test",
		"OPENAI_MODEL":                 "test-model",
	}
	for _, tt := range []struct {
		topics, points int
		engine         string
		maxPoints      int
	}{
		{60, 20, "llm", 8},
		{300, 100, "extractive", 48},
	} {
		llm.SetDefault(openaitest.Flood(tt.topics, tt.points))
		code, out, errOut := runMain(t, testEnv(t, env), "", "summarize", srv.URL+storyDay1, "--json")
		if code != 0 {
			t.Fatalf("%d×%d: exit %d; stderr %s", tt.topics, tt.points, code, errOut)
		}
		var got struct {
			Engine string
			Topics []struct{ Points []struct{ Status string } }
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%d×%d: output is not JSON: %v", tt.topics, tt.points, err)
		}
		n := 0
		for _, tp := range got.Topics {
			n += len(tp.Points)
		}
		if got.Engine != tt.engine || n == 0 || n > tt.maxPoints || len(out) > 64<<10 {
			t.Errorf("%d×%d flood: engine %q, %d points, %d bytes of JSON; want %s, 1–%d points, at most 64 KiB",
				tt.topics, tt.points, got.Engine, n, len(out), tt.engine, tt.maxPoints)
		}
	}
}
