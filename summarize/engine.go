package summarize

import "context"

// Engine turns a document into topics. Implementations: the LLM engine
// (any OpenAI-compatible endpoint) and the offline extractive engine.
type Engine interface {
	// Name is "llm" or "extractive"; part of the cache key.
	Name() string
	// Model names the model ("" for extractive); part of the cache key.
	Model() string
	// PromptVersion names the prompt or algorithm version; part of the
	// cache key, so changing it invalidates old summaries.
	PromptVersion() string
	// Summarize returns the topics of doc. Quotes need not be verified
	// and topic keys need not be set: the Service grounds every point
	// and keys every topic (TopicKey of its name) afterwards, once, for
	// every engine alike. It returns an error when no usable answer could
	// be had (the Service then falls back).
	Summarize(ctx context.Context, doc *Document) (*Result, error)
}

// Result is what an engine produced for one document.
type Result struct {
	Topics []Topic
	Usage  Usage
	Notes  []string
}
