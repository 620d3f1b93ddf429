package summarize

// Request asks the Service for the summary of one link.
type Request struct {
	URL string
	// Fresh bypasses the cache and replaces its entry.
	Fresh bool
	// Language is the language to summarize in ("" means the service's
	// default, and failing that the article's own).
	Language string
}
