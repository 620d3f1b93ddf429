package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"regexp"
	"slices"
	"strings"

	openai "github.com/sashabaranov/go-openai"
	"github.com/sashabaranov/go-openai/jsonschema"

	"briefbot/prompts"
	"briefbot/summarize"
)

// JSONRequest is one question CompleteJSON puts to the model.
type JSONRequest struct {
	// Name names the answer schema in the request (response_format
	// json_schema) and in the log: letters, digits, '_' and '-', at most
	// 64 characters.
	Name string
	// System and User are the two messages. Untrusted data in User must
	// already be delimited and neutralised (see package prompts); the
	// system message should describe the JSON shape in words for servers
	// that do not accept schemas.
	System, User string
	// Check, when not nil, judges the answer after it was decoded into
	// CompleteJSON's out and validated against the schema. Its error is
	// sent back to the model in the one repair request, so it should say
	// what is wrong in words fit for the model ("groups[1].topics[0]: t9
	// is not a listed topic").
	Check func() error
}

// schemaNameRE is what OpenAI accepts as a response_format schema name.
var schemaNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// CompleteJSON asks the model one question and decodes its JSON answer
// into out, a non-nil pointer to a struct whose exported fields are all
// required (no omitempty: strict structured output requires every
// property). The answer's schema is generated from out's type and sent as
// response_format json_schema, falling back like Summarize to json_object
// or to none for servers that refuse schemas.
//
// It shares Summarize's call machinery: the concurrency bound, the
// per-call timeout, retries with backoff and Retry-After, and one repair
// request when the answer is not valid JSON, breaks the schema or fails
// req.Check. out holds a usable answer only when the error is nil. The
// usage counts every call made, failed or not.
//
// Errors wrap ErrUnavailable (the endpoint failed or refused) or
// ErrBadAnswer (the answer and its repair were both unusable), or say
// what is wrong with req or out.
func (e *Engine) CompleteJSON(ctx context.Context, req JSONRequest, out any) (summarize.Usage, error) {
	var usage summarize.Usage
	if !schemaNameRE.MatchString(req.Name) {
		return usage, fmt.Errorf("llm: complete json: schema name %q: want 1-64 letters, digits, _ or -", req.Name)
	}
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return usage, fmt.Errorf("llm: complete %s: out is %T; want a non-nil pointer to a struct", req.Name, out)
	}
	s, err := newAnswerSchema(req.Name, out)
	if err != nil {
		return usage, fmt.Errorf("llm: complete %s: %w", req.Name, err)
	}
	msgs := []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: req.System},
		{Role: openai.ChatMessageRoleUser, Content: req.User},
	}
	err = e.completeChecked(ctx, s, msgs, &usage, func(ans answer, _ bool) error {
		// Decode into a fresh value so nothing of a rejected first answer
		// survives in out.
		fresh := reflect.New(rv.Type().Elem())
		if err := decodeJSON(ans, s, nil, fresh.Interface()); err != nil {
			return err
		}
		rv.Elem().Set(fresh.Elem())
		if req.Check != nil {
			return req.Check()
		}
		return nil
	}, slog.String("schema", req.Name))
	if err != nil {
		return usage, fmt.Errorf("llm: complete %s: %w", req.Name, err)
	}
	return usage, nil
}

// answerSchema is an answer schema, sent as response_format json_schema and
// used to validate the answer.
type answerSchema struct {
	name string
	def  *jsonschema.Definition
}

// newAnswerSchema generates the schema of the type v points to and checks it
// is one strict structured output accepts: an object at the root, every
// object's properties all required. A schema the server refuses would be
// taken for a server without schema support and move the whole engine
// down the format ladder.
func newAnswerSchema(name string, v any) (answerSchema, error) {
	def, err := jsonschema.GenerateSchemaForType(v)
	if err != nil {
		return answerSchema{}, fmt.Errorf("answer schema: %w", err)
	}
	if def.Type != jsonschema.Object {
		return answerSchema{}, fmt.Errorf("answer schema: the root is %q; want an object", def.Type)
	}
	if p := strictProblem(*def, jsonschema.CollectDefs(*def), "", map[string]bool{}); p != "" {
		return answerSchema{}, fmt.Errorf("answer schema: %s", p)
	}
	return answerSchema{name: name, def: def}, nil
}

// strictProblem returns the first object of def with a property that is
// not required, or "".
func strictProblem(def jsonschema.Definition, defs map[string]jsonschema.Definition, path string, seen map[string]bool) string {
	if def.Ref != "" {
		if seen[def.Ref] {
			return ""
		}
		seen[def.Ref] = true
		d, ok := defs[def.Ref]
		if !ok {
			return fmt.Sprintf("%s: unknown reference %s", pathName(path), def.Ref)
		}
		def = d
	}
	switch def.Type {
	case jsonschema.Object:
		names := make([]string, 0, len(def.Properties))
		for name := range def.Properties {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if !slices.Contains(def.Required, name) {
				return fmt.Sprintf("%s: property %q is optional (omitempty); strict output needs every property required", pathName(path), name)
			}
			if p := strictProblem(def.Properties[name], defs, joinPath(path, name), seen); p != "" {
				return p
			}
		}
	case jsonschema.Array:
		if def.Items != nil {
			return strictProblem(*def.Items, defs, path+"[]", seen)
		}
	}
	return ""
}

// completeChecked sends msgs and hands the answer to use, which returns
// what is wrong with it in words for the model (repaired tells the
// repaired answer from the first). When use rejects the first answer, it
// asks once more: the repair request repeats msgs, the
// bad answer (up to repairEcho bytes) and the problem (prompts.Repair).
// attrs are logged with a rejected answer. Its errors have no package
// prefix: ErrUnavailable from complete, ErrBadAnswer when the
// repaired answer is rejected too.
func (e *Engine) completeChecked(ctx context.Context, s answerSchema, msgs []openai.ChatCompletionMessage, usage *summarize.Usage, use func(ans answer, repaired bool) error, attrs ...any) error {
	ans, err := e.complete(ctx, s, msgs, usage)
	if err != nil {
		return err
	}
	problem := use(ans, false)
	if problem == nil {
		return nil
	}
	e.log.Info("llm_answer_invalid", append(attrs, slog.String("problem", problem.Error()))...)

	repair, err := prompts.Repair(problem.Error())
	if err != nil {
		return err
	}
	echo := ans.content
	if len(echo) > repairEcho {
		echo = truncateUTF8(echo, repairEcho)
	}
	msgs = append(slices.Clip(msgs),
		openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: echo},
		openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: repair},
	)
	ans2, err := e.complete(ctx, s, msgs, usage)
	if err != nil {
		return err
	}
	if problem2 := use(ans2, true); problem2 != nil {
		return fmt.Errorf("%w: after one repair: %w (first answer: %v)", ErrBadAnswer, problem2, problem)
	}
	return nil
}

// decodeJSON reads a reply into out, or says what is wrong with it in
// words fit to send back to the model. The reply is read leniently first
// (code fences, a leading <think> block and text around the JSON object
// are dropped; normalize, when not nil, may fix the decoded value in
// place), then validated against s, naming the first place that breaks
// it.
func decodeJSON(ans answer, s answerSchema, normalize func(any), out any) error {
	if ans.tooLarge {
		return fmt.Errorf("the reply was longer than %d bytes; answer briefly, within the rules", maxResponseBytes)
	}
	if strings.TrimSpace(ans.content) == "" {
		if ans.truncated {
			return errors.New("the reply was empty: it hit the length limit")
		}
		return errors.New("the reply was empty")
	}
	body := extractJSON(ans.content)
	var raw any
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		if ans.truncated {
			return errors.New("the reply was cut off at the length limit before its JSON ended; answer more briefly")
		}
		return fmt.Errorf("the reply is not valid JSON: %v", err)
	}
	if normalize != nil {
		normalize(raw)
	}
	if p := schemaProblem(*s.def, jsonschema.CollectDefs(*s.def), raw, ""); p != "" {
		return errors.New(p)
	}
	norm, err := json.Marshal(raw)
	if err != nil {
		return fmt.Errorf("the reply could not be re-encoded: %v", err)
	}
	if err := s.def.Unmarshal(string(norm), out); err != nil {
		return fmt.Errorf("the reply does not match the schema: %v", err)
	}
	return nil
}
