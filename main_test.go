package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"briefbot/summarize/openaitest"
)

const seedPath = "../shared/seed/trump-putin-call.txt"

// testEnv is a process environment of m with a fresh database per test.
func testEnv(t *testing.T, m map[string]string) environ {
	t.Helper()
	env := map[string]string{"DATABASE_PATH": filepath.Join(t.TempDir(), "briefbot.db")}
	for k, v := range m {
		env[k] = v
	}
	return environ{lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
}

func runMain(t *testing.T, env environ, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code = run(ctx, args, env, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func needSeed(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(seedPath); err != nil {
		t.Skipf("seed article not found at %s (shared/ is not beside the repo): %v", seedPath, err)
	}
}

func TestSummarizeFileJSON(t *testing.T) {
	needSeed(t)
	code, out, errOut := runMain(t, testEnv(t, nil), "", "summarize", seedPath, "--json")
	if code != 0 {
		t.Fatalf("exit %d; stderr %s", code, errOut)
	}
	var got struct {
		URL, Title, Quality, Engine string
		Cached                      *bool
		Topics                      []struct {
			Name, Key string
			Points    []struct {
				Text, Status, Quote string
				Actors              []string
				Grounded            *bool
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if got.Engine != "extractive" || got.Cached == nil || got.Quality == "" {
		t.Errorf("engine %q cached %v quality %q; want extractive, a cached flag, a quality", got.Engine, got.Cached, got.Quality)
	}
	names := map[string]bool{}
	for _, tp := range got.Topics {
		names[tp.Name] = true
		for _, p := range tp.Points {
			if p.Grounded == nil || !*p.Grounded || p.Actors == nil || p.Quote == "" {
				t.Errorf("point %q: grounded %v actors %v quote %q; want grounded, actors [], a quote", p.Text, p.Grounded, p.Actors, p.Quote)
			}
			switch p.Status {
			case "agreed", "unresolved", "disputed":
			default:
				t.Errorf("point %q has status %q", p.Text, p.Status)
			}
		}
	}
	for _, want := range []string{"Full temporary ceasefire", "Territory", "Energy facility attacks", "Aid", "Future talks"} {
		if !names[want] {
			t.Errorf("topic %q missing from %v", want, names)
		}
	}
}

func TestSummarizeURLMarkdownThenCached(t *testing.T) {
	srv := newsServer(t, nil)
	env := testEnv(t, map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "true"})
	code, out, errOut := runMain(t, env, "", "summarize", srv.URL+storyDay1+"?utm_source=chat")
	if code != 0 {
		t.Fatalf("exit %d; stderr %s", code, errOut)
	}
	for _, want := range []string{"Full temporary ceasefire", "Putin declined to endorse the full 30-day ceasefire", "❓", "✅"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = runMain(t, env, "", "summarize", "--json", srv.URL+storyDay1)
	if code != 0 {
		t.Fatalf("exit %d; stderr %s", code, errOut)
	}
	if !strings.Contains(out, `"cached": true`) {
		t.Errorf("second run is not cached:\n%.300s", out)
	}
}

func TestExtractJSON(t *testing.T) {
	srv := newsServer(t, nil)
	env := testEnv(t, map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "true"})
	code, out, errOut := runMain(t, env, "", "extract", srv.URL+storyDay1, "--json")
	if code != 0 {
		t.Fatalf("exit %d; stderr %s", code, errOut)
	}
	var doc struct{ Title, Quality, Text string }
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if !strings.Contains(doc.Text, "Putin agreed to stop attacking Ukrainian energy facilities temporarily") || doc.Quality == "" {
		t.Errorf("extract: quality %q text %.200q", doc.Quality, doc.Text)
	}
}

func TestCLIErrors(t *testing.T) {
	srv := newsServer(t, nil)
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		code    int
		wantErr string
	}{
		{"private address", nil, []string{"summarize", srv.URL + storyDay1}, 1, "private"},
		{"metadata address", nil, []string{"summarize", "http://169.254.169.254/latest/meta-data/"}, 1, "private"},
		{"pdf", map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "true"}, []string{"summarize", srv.URL + pagePDF}, 1, "PDF"},
		{"not a link", nil, []string{"summarize", "ftp://example.com/x"}, 1, "link"},
		{"no argument", nil, []string{"summarize"}, 2, "usage"},
		{"unknown command", nil, []string{"frobnicate"}, 2, "unknown command"},
		{"bad size", map[string]string{"FETCH_MAX_BYTES": "lots"}, []string{"summarize", "x"}, 2, "FETCH_MAX_BYTES"},
		{"bad bool", map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "maybe"}, []string{}, 2, "FETCH_ALLOW_PRIVATE_NETWORKS"},
		{"bad zone", map[string]string{"BRIEFING_DEFAULT_TZ": "Mars/Olympus"}, []string{}, 2, "BRIEFING_DEFAULT_TZ"},
		{"bad base url", map[string]string{"OPENAI_BASE_URL": "localhost:11434"}, []string{}, 2, "OPENAI_BASE_URL"},
		{"bad level", map[string]string{"LOG_LEVEL": "loud"}, []string{}, 2, "LOG_LEVEL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runMain(t, testEnv(t, tt.env), "", tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tt.args, code, errOut, tt.code, tt.wantErr)
			}
		})
	}
}

func TestParseDotenv(t *testing.T) {
	in := "# comment\n\nexport A=1\nB = \"two words\"\nC='x # y'\nD=plain # trailing\nE=\n"
	got, err := parseDotenv(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "1", "B": "two words", "C": "x # y", "D": "plain", "E": ""}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("parseDotenv: %s = %q; want %q", k, got[k], v)
		}
	}
	bom, err := parseDotenv(strings.NewReader("\uFEFFA=1\nB=2\n"))
	if err != nil || bom["A"] != "1" || bom["B"] != "2" || len(bom) != 2 {
		t.Errorf("parseDotenv with a byte-order mark = %v, %v; want A=1 B=2", bom, err)
	}
	if _, err := parseDotenv(strings.NewReader("novalue\n")); err == nil {
		t.Error("parseDotenv accepted a line without =")
	}
}

func TestLoadEnvPrecedence(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte("A=file\nB=file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env, err := loadEnv(path, func(k string) (string, bool) {
		if k == "A" {
			return "process", true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string { v, _ := env.lookup(k); return v }
	if getenv("A") != "process" || getenv("B") != "file" || getenv("C") != "" {
		t.Errorf("loadEnv: A=%q B=%q C=%q; want process, file, empty", getenv("A"), getenv("B"), getenv("C"))
	}
	if _, ok := env.lookup("C"); ok {
		t.Error("loadEnv: C is set; want unset")
	}
}

func TestSummarizeWithLanguageModel(t *testing.T) {
	srv := newsServer(t, nil)
	llm := openaitest.New(t)
	base := map[string]string{
		"FETCH_ALLOW_PRIVATE_NETWORKS": "true",
		"OPENAI_BASE_URL":              llm.BaseURL(),
		"OPENAI_API_KEY":               "sk-test",
		"OPENAI_MODEL":                 "test-model",
	}

	t.Run("model answers, one quote invented", func(t *testing.T) {
		llm.SetDefault(openaitest.InventedQuote())
		code, out, errOut := runMain(t, testEnv(t, base), "", "summarize", srv.URL+storyDay1, "--json")
		if code != 0 {
			t.Fatalf("exit %d; stderr %s", code, errOut)
		}
		var got struct {
			Engine, Model string
			Topics        []struct {
				Points []struct {
					Quote    string
					Grounded bool
				}
			}
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out)
		}
		if got.Engine != "llm" || got.Model != "test-model" {
			t.Errorf("engine %q model %q; want llm, test-model", got.Engine, got.Model)
		}
		var grounded, invented int
		for _, tp := range got.Topics {
			for _, p := range tp.Points {
				switch {
				case p.Quote == openaitest.InventedQuoteText && !p.Grounded:
					invented++
				case p.Grounded:
					grounded++
				default:
					t.Errorf("point with quote %q is not grounded", p.Quote)
				}
			}
		}
		if invented != 1 || grounded == 0 {
			t.Errorf("%d invented quotes flagged, %d grounded; want 1 and some", invented, grounded)
		}
	})

	t.Run("model down, offline fallback with a note", func(t *testing.T) {
		llm.SetDefault(openaitest.Status(http.StatusUnauthorized, "bad key"))
		code, out, errOut := runMain(t, testEnv(t, base), "", "summarize", srv.URL+storyDay1, "--json")
		if code != 0 {
			t.Fatalf("exit %d; stderr %s", code, errOut)
		}
		if !strings.Contains(out, `"engine": "extractive"`) || !strings.Contains(out, "offline summary") {
			t.Errorf("want the extractive fallback with a note; got %.400s", out)
		}
		if strings.Contains(out, "sk-test") || strings.Contains(errOut, "sk-test") {
			t.Error("the API key leaked into the output or the log")
		}
	})
}

// TestEnvExampleListsEverySetting keeps .env.example in step with the
// settings loadConfig reads.
func TestEnvExampleListsEverySetting(t *testing.T) {
	f, err := os.Open(".env.example")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	example, err := parseDotenv(f)
	if err != nil {
		t.Fatalf(".env.example: %v", err)
	}
	read := map[string]bool{}
	if _, err := loadConfig(func(k string) (string, bool) { read[k] = true; return "", false }); err != nil {
		t.Fatalf("loadConfig with nothing set: %v", err)
	}
	for k := range read {
		if _, ok := example[k]; !ok {
			t.Errorf(".env.example lacks %s, which main reads", k)
		}
	}
	for k := range example {
		if !read[k] {
			t.Errorf(".env.example lists %s, which main never reads", k)
		}
	}
	// The example's values are the defaults, so copying it changes nothing.
	if _, err := loadConfig(func(k string) (string, bool) { v, ok := example[k]; return v, ok }); err != nil {
		t.Errorf("loadConfig(.env.example) = %v; want the example to be valid", err)
	}
}
