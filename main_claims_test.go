package main

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"briefbot/summarize/openaitest"
)

// TestProcessesShareOneModelCall: four briefbot processes (run() with
// one configuration each, so four stores on one database) summarize the
// same new link at once: the model is called once, and all four print
// its summary. On the SQLite file and, when one is configured, on
// PostgreSQL.
func TestProcessesShareOneModelCall(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			srv := newsServer(t, nil)
			llm := openaitest.New(t)
			// Slow enough that all four reach the model step while the
			// first is still in it.
			llm.SetDefault(openaitest.Delayed(time.Second, openaitest.Instant))
			vars := map[string]string{
				"FETCH_ALLOW_PRIVATE_NETWORKS": "true",
				"OPENAI_BASE_URL":              llm.BaseURL(),
				"OPENAI_API_KEY":               "sk-test",
				"OPENAI_MODEL":                 "test-model",
			}
			if backend == "postgres" {
				vars["DATABASE_URL"] = postgresTestURL(t)
			}
			env := testEnv(t, vars)
			// Migrate once first, so the four start on one schema (racing
			// migrations have their own test in store).
			if code, _, errOut := runMain(t, env, "", "summarize", srv.URL+storyDay2, "--json"); code != 0 {
				t.Fatalf("warm-up: exit %d; stderr %s", code, errOut)
			}
			before := llm.Count()
			const procs = 4
			var wg sync.WaitGroup
			errs := make([]error, procs)
			for i := range procs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					code, out, errOut := runMain(t, env, "", "summarize", srv.URL+storyDay1, "--json")
					var got struct{ Engine, URL string }
					switch err := json.Unmarshal([]byte(out), &got); {
					case code != 0:
						errs[i] = fmt.Errorf("exit %d; stderr %s", code, errOut)
					case err != nil || got.Engine != "llm":
						errs[i] = fmt.Errorf("engine %q (%v); want the model's summary; stderr %s", got.Engine, err, errOut)
					}
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("process %d: %v", i, err)
				}
			}
			if got := llm.Count() - before; got != 1 {
				t.Errorf("model calls for one link from %d processes = %d; want 1", procs, got)
			}
		})
	}
}
