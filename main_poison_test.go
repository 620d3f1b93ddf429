package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/bwmarrin/discordgo"

	"briefbot/bot"
	"briefbot/bot/discordtest"
)

// The genuine article and the one the attacker's pages carry.
const (
	genuineFile  = e2eDir + "harbour-strike.html"
	genuineTitle = "Dock workers strike over harbour wages"
	attackFile   = e2eDir + "day3-black-sea-ceasefire.html"
	attackWord   = "Black Sea"
)

// poisonWeb serves genuine articles on one host and, for each, pages
// that claim the article's URL as their own canonical link or og:url:
// from another host, and from a user page on the article's own host.
//
//	news: /world/{id}                   the genuine article (declaring itself)
//	news: /s/{id}                       a short link redirecting to it
//	news: /users/mallory/{id}/{claim}   same-host attacker page
//	evil: /{id}/{claim}                 other-host attacker page
//
// claim is "canonical" or "og-url".
type poisonWeb struct {
	news, evil *httptest.Server
	mu         sync.Mutex
	hits       map[string]int // genuine article path → requests
}

func newPoisonWeb(t *testing.T) *poisonWeb {
	t.Helper()
	genuine, err := os.ReadFile(genuineFile)
	if err != nil {
		t.Fatal(err)
	}
	attack, err := os.ReadFile(attackFile)
	if err != nil {
		t.Fatal(err)
	}
	w := &poisonWeb{hits: map[string]int{}}
	withClaim := func(page []byte, claim, target string) []byte {
		tag := `<link rel="canonical" href="` + target + `">`
		if claim == "og-url" {
			tag = `<meta property="og:url" content="` + target + `">`
		}
		return []byte(strings.Replace(string(page), "<head>", "<head>\n"+tag, 1))
	}
	serveAttack := func(rw http.ResponseWriter, r *http.Request) {
		claim := r.PathValue("claim")
		if claim != "canonical" && claim != "og-url" {
			http.NotFound(rw, r)
			return
		}
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Write(withClaim(attack, claim, w.victim(r.PathValue("id"))))
	}
	news := http.NewServeMux()
	news.HandleFunc("GET /world/{id}", func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.hits[r.URL.Path]++
		w.mu.Unlock()
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Write(withClaim(genuine, "canonical", w.victim(r.PathValue("id"))))
	})
	news.HandleFunc("GET /s/{id}", func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, "/world/"+r.PathValue("id")+"?utm_source=short", http.StatusFound)
	})
	news.HandleFunc("GET /users/mallory/{id}/{claim}", serveAttack)
	evil := http.NewServeMux()
	evil.HandleFunc("GET /{id}/{claim}", serveAttack)
	w.news = httptest.NewServer(news)
	t.Cleanup(w.news.Close)
	// Another host: another loopback address where the system has one
	// (Linux routes all of 127/8 to lo), else at least another port.
	if ln, err := net.Listen("tcp", "127.0.0.2:0"); err == nil {
		w.evil = &httptest.Server{Listener: ln, Config: &http.Server{Handler: evil}}
		w.evil.Start()
	} else {
		t.Logf("no second loopback address (%v): the other host differs by port only", err)
		w.evil = httptest.NewServer(evil)
	}
	t.Cleanup(w.evil.Close)
	return w
}

func (w *poisonWeb) victim(id string) string { return w.news.URL + "/world/" + id }

func (w *poisonWeb) victimHits(id string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.hits["/world/"+id]
}

// poisonScenario is one attacker page against one genuine article.
type poisonScenario struct {
	name          string
	id            string // the genuine article's id, its own per scenario
	attacker      string // the attacker page's URL
	attackerFirst bool
	fresh         bool
}

// poisonScenarios: attackers on another host and on a user page of the
// same host, claiming by canonical link and by og:url, read before and
// after the genuine article, with and without fresh.
func (w *poisonWeb) poisonScenarios() []poisonScenario {
	var out []poisonScenario
	n := 0
	for _, host := range []string{"other host", "same host"} {
		for _, claim := range []string{"canonical", "og-url"} {
			for _, attackerFirst := range []bool{true, false} {
				for _, fresh := range []bool{false, true} {
					n++
					id := fmt.Sprintf("harbour-%d", n)
					attacker := w.evil.URL + "/" + id + "/" + claim
					if host == "same host" {
						attacker = w.news.URL + "/users/mallory/" + id + "/" + claim
					}
					out = append(out, poisonScenario{
						name:     fmt.Sprintf("%s/%s/attacker first %v/fresh %v", host, claim, attackerFirst, fresh),
						id:       id,
						attacker: attacker, attackerFirst: attackerFirst, fresh: fresh,
					})
				}
			}
		}
	}
	return out
}

// cliSummary is what the checks read of `summarize --json`.
type cliSummary struct {
	URL, Title string
	Cached     bool
	Topics     []struct{ Name string }
}

func summarizeCLI(t *testing.T, env environ, link string, fresh bool) (cliSummary, string) {
	t.Helper()
	args := []string{"summarize", link, "--json"}
	if fresh {
		args = append(args, "--fresh")
	}
	code, out, errOut := runMain(t, env, "", args...)
	if code != 0 {
		t.Fatalf("run(%q) = %d; stderr %s", args, code, errOut)
	}
	var got cliSummary
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("run(%q): output is not JSON: %v\n%.300s", args, err, out)
	}
	return got, out
}

// TestCLIPageCannotClaimAnotherURL runs `briefbot summarize` through
// run() against pages claiming a genuine article's URL: the genuine URL
// always gives the genuine article.
func TestCLIPageCannotClaimAnotherURL(t *testing.T) {
	w := newPoisonWeb(t)
	env := testEnv(t, map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "true"})
	wantGenuine := func(t *testing.T, what string, got cliSummary, out, victim string) {
		t.Helper()
		if got.Title != genuineTitle || got.URL != victim || len(got.Topics) == 0 || strings.Contains(out, attackWord) {
			t.Errorf("%s: %q at %q with %d topics; want %q at %q and nothing of the attacker's page:\n%.400s",
				what, got.Title, got.URL, len(got.Topics), genuineTitle, victim, out)
		}
	}
	for _, sc := range w.poisonScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			victim := w.victim(sc.id)
			if sc.attackerFirst {
				summarizeCLI(t, env, sc.attacker, sc.fresh)
			}
			got, out := summarizeCLI(t, env, victim, sc.fresh)
			wantGenuine(t, "victim's link", got, out, victim)
			if !sc.attackerFirst {
				if a, out := summarizeCLI(t, env, sc.attacker, sc.fresh); a.URL == victim || !strings.Contains(out, attackWord) {
					t.Errorf("attacker's link: %q at %q; want its own page", a.Title, a.URL)
				}
			}
			got, out = summarizeCLI(t, env, victim, false)
			wantGenuine(t, "victim's link again", got, out, victim)
			if !sc.fresh && (!got.Cached || w.victimHits(sc.id) != 1) {
				t.Errorf("victim's link again: cached %v, article read %d times; want cached after 1 read", got.Cached, w.victimHits(sc.id))
			}
		})
	}
	// A short link to a known article: answered from its entry, the
	// redirect remembered.
	victim := w.victim("harbour-1")
	for i := range 2 {
		got, out := summarizeCLI(t, env, w.news.URL+"/s/harbour-1?utm_campaign=x", false)
		wantGenuine(t, fmt.Sprintf("short link, ask %d", i+1), got, out, victim)
		if !got.Cached {
			t.Errorf("short link, ask %d: not cached; want the known article's entry", i+1)
		}
	}
}

// TestDiscordPageCannotClaimAnotherURL drives the bot through the Discord
// stand-in with the same scenarios: pasted links, and /summarize with
// fresh:true for the fresh ones. The genuine URL always gives the genuine
// article.
func TestDiscordPageCannotClaimAnotherURL(t *testing.T) {
	t.Parallel()
	w := newPoisonWeb(t)
	b := startDiscordBot(t, map[string]string{"FETCH_ALLOW_PRIVATE_NETWORKS": "true"})
	srv := b.srv
	// Each scenario asks as its own member, so the per-user limit (a
	// burst of 5) never turns one of its questions away.
	ask := func(t *testing.T, user *discordgo.User, link string, fresh bool) *discordgo.MessageEmbed {
		t.Helper()
		var posts []discordtest.Post
		if fresh {
			in := srv.Command(t, discordtest.Invoker{User: user}, bot.CommandSummarize,
				discordtest.StringOption("url", link), discordtest.BoolOption("fresh", true))
			posts = srv.WaitInteraction(t, in.ID, 2)[1:]
		} else {
			m := srv.Say(t, discordtest.ChannelID, user, link)
			srv.Wait(t, "a reply to "+link, func() bool {
				posts = repliesTo(srv, m.ID)
				return len(posts) > 0
			})
		}
		for _, p := range posts {
			if len(p.Data.Embeds) > 0 {
				return p.Data.Embeds[0]
			}
		}
		t.Fatalf("answer to %s has no embed: %q", link, posts[0].Data.Text())
		return nil
	}
	wantGenuine := func(t *testing.T, what string, e *discordgo.MessageEmbed, victim string) {
		t.Helper()
		var text strings.Builder
		for _, f := range e.Fields {
			text.WriteString(f.Name + "\n" + f.Value + "\n")
		}
		if e.Title != genuineTitle || e.URL != victim || len(e.Fields) == 0 || strings.Contains(text.String(), attackWord) {
			t.Errorf("%s: embed %q at %q; want %q at %q and nothing of the attacker's page:\n%s", what, e.Title, e.URL, genuineTitle, victim, text.String())
		}
	}
	for i, sc := range w.poisonScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			user := &discordgo.User{ID: fmt.Sprintf("12000000000000003%02d", i), Username: fmt.Sprintf("member%d", i), Discriminator: "0"}
			victim := w.victim(sc.id)
			if sc.attackerFirst {
				ask(t, user, sc.attacker, sc.fresh)
			}
			wantGenuine(t, "victim's link", ask(t, user, victim, sc.fresh), victim)
			if !sc.attackerFirst {
				if e := ask(t, user, sc.attacker, sc.fresh); e.Title == genuineTitle {
					t.Errorf("attacker's link: embed %q at %q; want its own page", e.Title, e.URL)
				}
			}
			wantGenuine(t, "victim's link again", ask(t, user, victim, false), victim)
		})
	}
	checkNoPings(t, srv)
}
