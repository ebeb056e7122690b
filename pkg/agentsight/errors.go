package agentsight

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
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

// PanicError is a panic that a worker recovered: a bug in the plugin, reported as an internal
// error of the query (or queries) the worker served rather than a crash of the process that
// serves every dashboard. Stack is where it panicked, for the log.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("internal error: %v", e.Value) }

// Contain runs fn and turns a panic in it into a *PanicError. Every goroutine the plugin starts
// runs its work through it: an errgroup (golang.org/x/sync) does not recover a worker's panic,
// which would end the process.
func Contain(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	return fn()
}

// Redact replaces every occurrence of secret in s with "[redacted]", written plainly or in any
// JSON-escaped form: a character as \uXXXX (surrogate pairs too), "\/" for "/", and escapes
// whose backslash was itself escaped once more when a decoder quoted the raw bytes.
func Redact(s, secret string) string {
	if secret == "" {
		return s
	}
	if !strings.ContainsRune(s, '\\') {
		return strings.ReplaceAll(s, secret, redacted)
	}
	// Unescape s into plain bytes, remembering for each the span of s it came from; find the
	// secret in the plain bytes and cut the spans it covers out of s.
	var plain []byte
	var from, to []int
	for i := 0; i < len(s); {
		b, n := unescapeAt(s, i)
		for _, c := range b {
			plain = append(plain, c)
			from = append(from, i)
			to = append(to, i+n)
		}
		i += n
	}
	var out strings.Builder
	last := 0
	for off := 0; ; {
		j := strings.Index(string(plain[off:]), secret)
		if j < 0 {
			break
		}
		start, end := from[off+j], to[off+j+len(secret)-1]
		if start >= last {
			out.WriteString(s[last:start])
			out.WriteString(redacted)
			last = end
		}
		off += j + len(secret)
	}
	out.WriteString(s[last:])
	return out.String()
}

const redacted = "[redacted]"

// unescapeAt reads one character of s at i, taking a JSON escape (any run of backslashes
// before it) as the character it stands for, and returns its bytes and the length it spans.
func unescapeAt(s string, i int) ([]byte, int) {
	j := i
	for j < len(s) && s[j] == '\\' {
		j++
	}
	if j == i || j == len(s) {
		return []byte{s[i]}, 1
	}
	switch c := s[j]; c {
	case 'u':
		r, ok := hex4(s, j+1)
		if !ok {
			return []byte{s[i]}, 1
		}
		n := j + 5 - i
		if utf16.IsSurrogate(r) {
			if lo, m := lowSurrogateAt(s, j+5); m > 0 {
				r = utf16.DecodeRune(r, lo)
				n += m
			}
		}
		return utf8.AppendRune(nil, r), n
	case '/', '"', '\'':
		return []byte{c}, j + 1 - i
	}
	return []byte{s[i]}, 1
}

// lowSurrogateAt reads the second half of a surrogate pair, escaped, at i.
func lowSurrogateAt(s string, i int) (rune, int) {
	j := i
	for j < len(s) && s[j] == '\\' {
		j++
	}
	if j == i || j >= len(s) || s[j] != 'u' {
		return 0, 0
	}
	r, ok := hex4(s, j+1)
	if !ok {
		return 0, 0
	}
	return r, j + 5 - i
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	v, err := strconv.ParseUint(s[i:i+4], 16, 32)
	return rune(v), err == nil // #nosec G115 -- ParseUint with bitSize 32 leaves at most four hex digits: 16 bits
}
