package agentsight

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ErrorKind classifies a failed API call so that callers can word it for their users.
type ErrorKind int

// The kinds of failure the client reports.
const (
	KindNetwork      ErrorKind = iota + 1 // the API could not be reached or timed out
	KindBadRequest                        // 400: the API rejected a parameter
	KindUnauthorized                      // 401
	KindForbidden                         // 403
	KindNotFound                          // 404
	KindRateLimited                       // 429 after retries
	KindServer                            // 5xx after retries, or another unexpected status
	KindDecode                            // the body was not the JSON the API documents
	KindRefused                           // the client refused to follow what the API sent
)

// Error is a failed API call. It never holds the API key: requests carry the key in a header,
// and Endpoint is the path and query only.
type Error struct {
	Kind       ErrorKind
	StatusCode int
	Endpoint   string
	// Detail is the API's own message: DRF's "detail", or "field: message" pairs for a 400.
	Detail     string
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	switch e.Kind {
	case KindNetwork:
		b.WriteString("request failed")
	case KindDecode:
		b.WriteString("unexpected response")
	case KindRefused:
		b.WriteString("refused")
	default:
		fmt.Fprintf(&b, "status %d", e.StatusCode)
	}
	if e.Endpoint != "" {
		fmt.Fprintf(&b, " from GET %s", e.Endpoint)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of an API error anywhere in err's chain, or 0.
func KindOf(err error) ErrorKind {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return apiErr.Kind
	}
	return 0
}

// detailFromBody turns a DRF error body into one line: {"detail": "..."} or
// {"field": ["message", ...], ...} (fields sorted so the text is stable).
func detailFromBody(body map[string]any) string {
	if d, ok := body["detail"].(string); ok {
		return d
	}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		switch v := body[k].(type) {
		case string:
			parts = append(parts, k+": "+v)
		case []any:
			msgs := make([]string, 0, len(v))
			for _, m := range v {
				msgs = append(msgs, fmt.Sprint(m))
			}
			parts = append(parts, k+": "+strings.Join(msgs, " "))
		}
	}
	return strings.Join(parts, "; ")
}
