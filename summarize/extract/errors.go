package extract

// kindError is an error of a sentinel's kind (errors.Is matches kind) with
// its own short text, so a wrapped message names the package once:
// "summarize: extract URL: no readable text", not "…: summarize: not an
// article".
type kindError struct {
	kind error
	text string
	err  error // the cause, if any
}

func (e *kindError) Error() string {
	if e.err != nil {
		return e.text + ": " + e.err.Error()
	}
	return e.text
}

func (e *kindError) Is(target error) bool { return target == e.kind }

func (e *kindError) Unwrap() error { return e.err }
