package agentsight

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// DecodeError is a body the decoder refuses: where, as a JSON pointer into the body
// ("/results/3/started_at"), and why. It quotes at most a short excerpt of the body: a value
// or a member name the API sent may hold anything, the API key included.
type DecodeError struct {
	Pointer string // "" for the body as a whole
	Msg     string
}

func (e *DecodeError) Error() string {
	if e.Pointer == "" {
		return e.Msg
	}
	return e.Pointer + ": " + e.Msg
}

// The excerpt limits: a value or a member name is quoted whole up to maxExcerpt bytes and not
// at all beyond (a time up to maxQuoted bytes), a pointer
// keeps its first and last few tokens, and the library's own description of a syntax error
// (a character or an escape sequence) is cut at maxReason bytes.
const (
	maxExcerpt       = 12
	maxQuoted        = 40 // a string that looks like a time: quoted whole up to this
	maxPointerTokens = 8
	maxReason        = 80
)

// describe turns an error of the JSON library on body into a DecodeError.
func describe(err error, body []byte) error {
	var de *DecodeError
	var syntax *jsontext.SyntacticError
	var semantic *json.SemanticError
	switch {
	case errors.As(err, &de):
		return &DecodeError{Pointer: shortPointer(de.Pointer), Msg: de.Msg}
	case errors.As(err, &syntax):
		if errors.Is(syntax.Err, io.ErrUnexpectedEOF) {
			return &DecodeError{Pointer: shortPointer(string(syntax.JSONPointer)), Msg: "invalid JSON: the body ends early"}
		}
		return &DecodeError{
			Pointer: shortPointer(string(syntax.JSONPointer)),
			Msg:     fmt.Sprintf("invalid JSON at byte %d: %s", syntax.ByteOffset, cut(reason(syntax.Err), maxReason)),
		}
	case errors.As(err, &semantic):
		if errors.Is(semantic.Err, io.ErrUnexpectedEOF) {
			return &DecodeError{Pointer: shortPointer(string(semantic.JSONPointer)), Msg: "invalid JSON: the body ends early"}
		}
		value := semantic.JSONValue
		if len(value) == 0 {
			value = valueAt(body, semantic.ByteOffset, semantic.JSONKind)
		}
		return &DecodeError{
			Pointer: shortPointer(string(semantic.JSONPointer)),
			Msg:     fmt.Sprintf("expected %s, found %s", expected(semantic.GoType), found(semantic.JSONKind, value)),
		}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &DecodeError{Msg: "invalid JSON: the body ends early"}
	}
	return &DecodeError{Msg: "invalid JSON: " + cut(err.Error(), maxReason)}
}

func reason(err error) string {
	if err == nil {
		return "syntax error"
	}
	return err.Error()
}

var timeType = reflect.TypeFor[time.Time]()

// expected names what a Go type reads, in the API's terms.
func expected(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == nil:
		return "another value"
	case t == timeType:
		return "an RFC 3339 time"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprintf("a %d-bit integer", t.Bits())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "another value"
}

// found names a JSON value by its kind, with a short excerpt of a string or a number.
func found(kind jsontext.Kind, value jsontext.Value) string {
	switch kind {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '{', '}':
		return "an object"
	case '[', ']':
		return "an array"
	case '"':
		if len(value) == 0 {
			return "a string"
		}
		if len(value) > maxExcerpt && !(len(value) <= maxQuoted && looksLikeATime(value)) {
			// A longer string is not quoted, not even its start: a key the API echoes where a
			// value belongs would otherwise show its first bytes. A time that did not parse is
			// (it holds no letters but T and Z), since seeing it is what helps.
			return fmt.Sprintf("a string of %d bytes", len(value)-2)
		}
		return "the string " + string(value)
	case '0':
		if len(value) == 0 {
			return "a number"
		}
		return "the number " + cut(string(value), maxExcerpt)
	}
	return "another value"
}

// valueAt is the string or number of that kind at offset in body, or nil: the library keeps
// the value of few semantic errors, but their offset points at it.
func valueAt(body []byte, offset int64, kind jsontext.Kind) jsontext.Value {
	if (kind != '"' && kind != '0') || offset < 0 || offset >= int64(len(body)) {
		return nil
	}
	v, err := jsontext.NewDecoder(bytes.NewReader(body[offset:]), jsontext.AllowInvalidUTF8(true)).ReadValue()
	if err != nil || v.Kind() != kind {
		return nil
	}
	return v
}

// shortPointer shortens each token of a JSON pointer to an excerpt and elides the middle of
// a deep one.
func shortPointer(p string) string {
	if p == "" {
		return ""
	}
	tokens := strings.Split(p[1:], "/")
	for i, t := range tokens {
		if len(t) > maxExcerpt {
			tokens[i] = "…" // a long member name is not quoted, for the same reason as a long string
		}
	}
	if len(tokens) > maxPointerTokens {
		tokens = append(append(tokens[:maxPointerTokens/2:maxPointerTokens/2], "…"), tokens[len(tokens)-maxPointerTokens/2+1:]...)
	}
	return "/" + strings.Join(tokens, "/")
}

// cut keeps at most n bytes of s, on a rune boundary, and marks a cut with "…".
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// looksLikeATime is true for a quoted string of digits and the separators of a date and time.
func looksLikeATime(quoted jsontext.Value) bool {
	return strings.Trim(string(quoted[1:len(quoted)-1]), "0123456789-:.TZ+ ") == ""
}
