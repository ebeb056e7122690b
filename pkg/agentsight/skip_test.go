package agentsight

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// looseEnd is where skipArrayLoosely ends the array at the start of body.
func looseEnd(body string) (int, error) {
	d := newDecoder([]byte(body), StartsGroupedBy(""))
	err := d.skipArrayLoosely()
	return d.pos, err
}

func TestSkipArrayLooselyEndsWhereSkipDoes(t *testing.T) {
	tests := []struct{ name, array string }{
		{"empty", `[]`},
		{"flat", `[1,"a",true,null]`},
		{"nested", `[[[],{}],{"a":[{"b":{}}]}]`},
		{"brackets in strings", `["]","}","[{","x]y"]`},
		{"escaped quotes and backslashes", `["a\"]","\\","\\\"","\\\\"]`},
		// Escapes placed across the eight-byte words the fast path reads.
		{"escape at a word's last byte", `["abcde\"]x","]"]`},
		{"backslash run across words", `["abcdef\\\\\\\\\"]\\","z"]`},
		{"unicode and escapes", `["Köln","\u005d","😀","\ud83d\ude00"]`},
		{"white space", "[ { \"a\" : [ 1 , 2 ] } ,\n\t\"]\" ]"},
		{"messages", `[{"id":1,"timestamp":"2026-10-31T23:59:49Z","sender":"end_user","content":"Ich möchte eine Rückerstattung.","attachments":[{"id":2,"type":"image","file_url":"https://cdn.example.com/a.png","size_bytes":12}]},{"id":3,"attachments":[]}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, after := range []string{"", "}", `,"next":[1]}`, strings.Repeat(" ", 9) + "]"} {
				body := tt.array + after
				got, err := looseEnd(body)
				if err != nil {
					t.Fatalf("skipArrayLoosely(%q): %v", body, err)
				}
				if got != len(tt.array) {
					t.Errorf("skipArrayLoosely(%q) ended at %d, want %d", body, got, len(tt.array))
				}
			}
		})
	}
}

func TestSkipArrayLooselyMatchesSkipOnRandomJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []rune(`ab"\[]{},:/ 	é😀` + "\x01\n")
	var value func(depth int) any
	value = func(depth int) any {
		switch k := r.IntN(6); {
		case depth > 4 || k == 0:
			s := make([]rune, r.IntN(24))
			for i := range s {
				s[i] = alphabet[r.IntN(len(alphabet))]
			}
			return string(s)
		case k == 1:
			return r.Float64()
		case k == 2:
			return nil
		case k == 3:
			m := map[string]any{}
			for range r.IntN(4) {
				m[string(alphabet[r.IntN(len(alphabet))])] = value(depth + 1)
			}
			return m
		default:
			a := make([]any, r.IntN(5))
			for i := range a {
				a[i] = value(depth + 1)
			}
			return a
		}
	}
	for i := range 2000 {
		a := make([]any, r.IntN(6))
		for j := range a {
			a[j] = value(0)
		}
		raw, err := json.Marshal(a)
		if i%2 == 1 {
			raw, err = json.MarshalIndent(a, "", " ")
		}
		if err != nil {
			t.Fatal(err)
		}
		body := string(raw) + `,"x":1}`
		strict := newDecoder([]byte(body), Summary)
		if err := strict.skip(); err != nil {
			t.Fatalf("skip(%s): %v", raw, err)
		}
		got, err := looseEnd(body)
		if err != nil || got != strict.pos {
			t.Fatalf("skipArrayLoosely(%s) = %d, %v; skip ends at %d", raw, got, err, strict.pos)
		}
	}
}

func TestSkipArrayLooselyReportsATruncatedBody(t *testing.T) {
	whole := `[{"id":1,"content":"a long enough message \" with [brackets]"},{"id":2}]`
	for n := 1; n < len(whole); n++ {
		if _, err := looseEnd(whole[:n]); err == nil {
			t.Errorf("skipArrayLoosely(%q) accepted a body that ends inside the array", whole[:n])
		}
	}
}
