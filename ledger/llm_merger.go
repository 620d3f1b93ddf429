package ledger

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"briefbot/prompts"
	"briefbot/summarize"
	"briefbot/summarize/llm"
	"briefbot/summarize/textnorm"
)

// Defaults of LLMMerger.
const (
	// DefaultMergeChunkTokens is the budget of the topics listed in one
	// call (llm.EstimateTokens units): with the ~350-token system
	// prompt and a short answer it fits an 8k-context local model, and
	// holds 50–80 topics, a busy day of 10–15 articles, in one call.
	DefaultMergeChunkTokens = 4000
	// DefaultMergeMaxCalls bounds the calls of one briefing; the topics of
	// a day too large for them are merged by keywords.
	DefaultMergeMaxCalls = 8
)

// What of each topic is shown to the model: its name and the start of
// its first points, enough to tell "Energy ceasefire" from "Black Sea
// ceasefire" without paying for every point of every article.
const (
	mergePromptPoints     = 2
	mergePromptPointWords = 30
)

// maxLoggedIDs bounds the dropped ids logged per call.
const maxLoggedIDs = 20

// mergeMaxNameRunes bounds a merged topic's name taken from a model's
// answer (the prompt asks for at most six words): it is a heading of the
// briefing, as a summary's topic name is (80 runes there too). Longer
// names are cut at a word. The answer's other parts are bounded by what
// was listed: a group keeps only listed ids, each once, so there are never
// more groups than topics; and the engine reads at most 1 MiB of it.
const mergeMaxNameRunes = 80

// LLMMerger is the Merger backed by a model: one schema-validated call
// per briefing (llm.Engine.CompleteJSON) lists the day's topics
// by id and asks which are one subject. When the topics exceed
// ChunkTokens they are listed over several calls (at most MaxCalls, the
// rest merged by keywords), similar names kept in the same call, and
// the calls' groups merged by their names' content words.
//
// The answer only references listed ids, so nothing can be invented:
// unknown and repeated ids are dropped and logged, topics the answer
// leaves out stay on their own, and an empty name becomes the first
// member's. Set the fields before the first Merge.
type LLMMerger struct {
	engine *llm.Engine
	log    *slog.Logger
	// ChunkTokens is the budget of the topics listed in one call; 0 means
	// DefaultMergeChunkTokens.
	ChunkTokens int
	// MaxCalls bounds the calls per briefing; 0 means
	// DefaultMergeMaxCalls.
	MaxCalls int
}

var _ Merger = (*LLMMerger)(nil)

// NewLLMMerger returns a Merger asking e's model; logger may be nil. With
// a nil e (no model configured) it merges by keywords, as KeywordMerger.
func NewLLMMerger(e *llm.Engine, logger *slog.Logger) *LLMMerger {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &LLMMerger{engine: e, log: logger}
}

// mergeChunk is the topics listed in one call: indices into Merge's
// topics, in the order the prompt lists them (ids t1, t2, …).
type mergeChunk []int

var _ StoryMerger = (*LLMMerger)(nil)

// Merge returns every topic in exactly one group. It returns an error
// wrapping llm.ErrUnavailable or llm.ErrBadAnswer when
// any call fails (the briefing then merges by keywords), or ctx's error.
func (m *LLMMerger) Merge(ctx context.Context, topics []MergeTopic) ([]TopicGroup, error) {
	groups, _, err := m.MergeStories(ctx, topics)
	return groups, err
}

// MergeStories is Merge, and the stories the same calls' answers name:
// the articles (MergeTopic.Source) that report one news story, each of
// two or more articles whose topics the call listed; an article named
// twice stays in its first story. Without a model it returns no stories.
func (m *LLMMerger) MergeStories(ctx context.Context, topics []MergeTopic) ([]TopicGroup, [][]int, error) {
	if len(topics) == 0 {
		return nil, nil, nil
	}
	if m.engine == nil {
		return keywordGroups(topics, nil), nil, nil
	}
	budget := m.ChunkTokens
	if budget <= 0 {
		budget = DefaultMergeChunkTokens
	}
	maxCalls := m.MaxCalls
	if maxCalls <= 0 {
		maxCalls = DefaultMergeMaxCalls
	}
	listed := make([]prompts.BriefingTopic, len(topics))
	for i, t := range topics {
		listed[i] = promptTopic(t)
	}
	units := keywordGroups(topics, nil)
	chunks := packChunks(units, listed, budget)
	var overflow []TopicGroup
	if len(chunks) > maxCalls {
		left := make([]bool, len(topics))
		n := 0
		for _, c := range chunks[maxCalls:] {
			for _, i := range c {
				left[i] = true
				n++
			}
		}
		// The topics left over are grouped as the keyword merge grouped
		// them (a group split across the last call keeps its listed part
		// there).
		for _, u := range units {
			var members []int
			for _, i := range u.Members {
				if left[i] {
					members = append(members, i)
				}
			}
			if len(members) > 0 {
				overflow = append(overflow, TopicGroup{Name: topics[members[0]].Name, Members: members})
			}
		}
		m.log.Warn("briefing_merge_over_budget", slog.Int("topics", len(topics)),
			slog.Int("calls", maxCalls), slog.Int("keyword_topics", n))
		chunks = chunks[:maxCalls]
	}

	answers := make([][]TopicGroup, len(chunks))
	stories := make([][][]int, len(chunks))
	usages := make([]summarize.Usage, len(chunks))
	g, gctx := errgroup.WithContext(ctx)
	for i, c := range chunks {
		if len(c) < 2 {
			answers[i] = []TopicGroup{{Name: topics[c[0]].Name, Members: []int{c[0]}}}
			continue
		}
		g.Go(func() error {
			groups, st, usage, err := m.mergeChunk(gctx, topics, listed, c, i+1, len(chunks))
			answers[i], stories[i], usages[i] = groups, st, usage
			if err != nil && len(chunks) > 1 {
				return fmt.Errorf("ledger: llm merge: part %d of %d: %w", i+1, len(chunks), err)
			}
			if err != nil {
				return fmt.Errorf("ledger: llm merge: %w", err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("ledger: llm merge: %w", ctx.Err())
		}
		return nil, nil, err
	}
	out := unionByName(answers)
	out = append(out, overflow...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Members[0] < out[j].Members[0] })

	var usage summarize.Usage
	for _, u := range usages {
		usage.Calls += u.Calls
		usage.PromptTokens += u.PromptTokens
		usage.CompletionTokens += u.CompletionTokens
	}
	m.log.Info("briefing_merge", slog.String("prompt_version", prompts.BriefingVersion),
		slog.String("model", m.engine.Model()), slog.Int("topics", len(topics)), slog.Int("groups", len(out)),
		slog.Int("parts", len(chunks)), slog.Int("calls", usage.Calls),
		slog.Int("prompt_tokens", usage.PromptTokens), slog.Int("completion_tokens", usage.CompletionTokens))
	all := [][]int{} // the model answered: no story is an answer too
	for _, st := range stories {
		all = append(all, st...)
	}
	return out, all, nil
}

// mergeChunk asks about one chunk and maps the answer back to indices
// into topics. Every topic of the chunk ends in exactly one group. The
// stories are of articles the chunk lists, each in one story of two or
// more.
func (m *LLMMerger) mergeChunk(ctx context.Context, topics []MergeTopic, listed []prompts.BriefingTopic, c mergeChunk, part, parts int) ([]TopicGroup, [][]int, summarize.Usage, error) {
	in := prompts.BriefingInput{Topics: make([]prompts.BriefingTopic, len(c))}
	for k, i := range c {
		in.Topics[k] = listed[i]
	}
	if parts > 1 {
		in.Part, in.Parts = part, parts
	}
	system, user, err := prompts.Briefing(in)
	if err != nil {
		return nil, nil, summarize.Usage{}, err
	}
	var ans prompts.BriefingAnswer
	usage, err := m.engine.CompleteJSON(ctx, llm.JSONRequest{
		Name: "briefing", System: system, User: user,
		Check: func() error { return checkIDs(ans, len(c)) },
	}, &ans)
	if err != nil {
		return nil, nil, usage, err
	}

	used := make([]bool, len(c))
	var groups []TopicGroup
	var dropped []string
	ndropped := 0
	for _, ag := range ans.Groups {
		var members []int
		for _, id := range ag.Topics {
			k, ok := prompts.ParseBriefingTopicID(id)
			if !ok || k >= len(c) || used[k] {
				ndropped++
				if len(dropped) < maxLoggedIDs {
					dropped = append(dropped, textnorm.Clip(id, 20, "…"))
				}
				continue
			}
			used[k] = true
			members = append(members, c[k])
		}
		if len(members) == 0 {
			continue
		}
		sort.Ints(members)
		name := textnorm.Clip(strings.Join(strings.Fields(ag.Name), " "), mergeMaxNameRunes, "…")
		if name == "" {
			name = topics[members[0]].Name
		}
		groups = append(groups, TopicGroup{Name: name, Members: members})
	}
	for k, i := range c {
		if !used[k] {
			groups = append(groups, TopicGroup{Name: topics[i].Name, Members: []int{i}})
		}
	}
	if ndropped > 0 {
		m.log.Warn("briefing_merge_ids_dropped", slog.Int("part", part), slog.Int("count", ndropped),
			slog.Any("ids", dropped))
	}
	return groups, chunkStories(ans.Stories, topics, c), usage, nil
}

// maxStories bounds the stories read from one answer.
const maxStories = 200

// chunkStories keeps the stories of articles chunk c lists (article
// numbers are 1-based MergeTopic.Source), each article in its first
// story, stories of two or more articles.
func chunkStories(in []prompts.BriefingStory, topics []MergeTopic, c mergeChunk) [][]int {
	listed := map[int]bool{}
	for _, i := range c {
		listed[topics[i].Source] = true
	}
	seen := map[int]bool{}
	var out [][]int
	for _, st := range in {
		if len(out) == maxStories {
			break
		}
		var arts []int
		for _, n := range st.Articles {
			if a := n - 1; listed[a] && !seen[a] {
				seen[a] = true
				arts = append(arts, a)
			}
		}
		if len(arts) > 1 {
			out = append(out, arts)
		}
	}
	return out
}

// checkIDs rejects an answer whose groups reference ids but none that was
// listed: the model misread the ids (article numbers, bare numbers), and
// one repair is worth more than dropping every group. A few unknown ids
// among listed ones are dropped instead.
func checkIDs(ans prompts.BriefingAnswer, n int) error {
	refs := 0
	for _, g := range ans.Groups {
		for _, id := range g.Topics {
			refs++
			if k, ok := prompts.ParseBriefingTopicID(id); ok && k < n {
				return nil
			}
		}
	}
	if refs == 0 {
		return nil
	}
	return fmt.Errorf("no id in groups[].topics is a listed topic id; use only the ids %s to %s",
		prompts.BriefingTopicID(0), prompts.BriefingTopicID(n-1))
}

// promptTopic is what the model sees of t: its name and the start of its
// first points.
func promptTopic(t MergeTopic) prompts.BriefingTopic {
	bt := prompts.BriefingTopic{Name: t.Name, Article: t.Source + 1}
	for _, p := range t.Points {
		if len(bt.Points) == mergePromptPoints {
			break
		}
		words := strings.Fields(p)
		if len(words) == 0 {
			continue
		}
		if len(words) > mergePromptPointWords {
			words = append(words[:mergePromptPointWords:mergePromptPointWords], "…")
		}
		bt.Points = append(bt.Points, strings.Join(words, " "))
	}
	return bt
}

// topicTokens estimates the tokens a topic takes in the prompt, as
// prompts.Briefing lists it (with a four-digit id).
func topicTokens(t prompts.BriefingTopic) int {
	n := llm.EstimateTokens(fmt.Sprintf("t0000 (article %d): %s\n", t.Article, t.Name))
	for _, p := range t.Points {
		n += llm.EstimateTokens("- " + p + "\n")
	}
	return n
}

// packChunks lists the topics in chunks of at most budget tokens, keyword
// group by keyword group, so topics with similar names are asked about
// together; a group is split only when it alone exceeds the budget. A
// topic over the budget gets a chunk of its own.
func packChunks(units []TopicGroup, listed []prompts.BriefingTopic, budget int) []mergeChunk {
	var chunks []mergeChunk
	var cur mergeChunk
	curTokens := 0
	flush := func() {
		if len(cur) > 0 {
			chunks = append(chunks, cur)
			cur, curTokens = nil, 0
		}
	}
	for _, u := range units {
		unitTokens := 0
		for _, i := range u.Members {
			unitTokens += topicTokens(listed[i])
		}
		if curTokens+unitTokens > budget {
			flush()
		}
		for _, i := range u.Members {
			t := topicTokens(listed[i])
			if len(cur) > 0 && curTokens+t > budget {
				flush()
			}
			cur = append(cur, i)
			curTokens += t
		}
	}
	flush()
	return chunks
}

// unionByName merges the groups of different calls whose names have the
// same content words ("Ceasefire" in one part, "Truce" in another). The
// groups of one call stay as the model made them: two groups of the same
// call are never joined.
func unionByName(answers [][]TopicGroup) []TopicGroup {
	if len(answers) == 1 {
		return answers[0]
	}
	var out []TopicGroup
	var parts []map[int]bool // the calls each out group draws from
	byKey := map[string][]int{}
	for part, groups := range answers {
		for _, g := range groups {
			key := strings.Join(contentWords(g.Name), " ")
			if o, ok := joinable(byKey[key], parts, part); ok && key != "" {
				out[o].Members = append(out[o].Members, g.Members...)
				sort.Ints(out[o].Members)
				parts[o][part] = true
				continue
			}
			byKey[key] = append(byKey[key], len(out))
			out = append(out, TopicGroup{Name: g.Name, Members: append([]int(nil), g.Members...)})
			parts = append(parts, map[int]bool{part: true})
		}
	}
	return out
}

// joinable returns the first of the groups candidates that no group of
// call part has joined yet.
func joinable(candidates []int, parts []map[int]bool, part int) (int, bool) {
	for _, o := range candidates {
		if !parts[o][part] {
			return o, true
		}
	}
	return 0, false
}
