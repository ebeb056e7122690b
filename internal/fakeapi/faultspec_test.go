package fakeapi

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseFault(t *testing.T) {
	tests := []struct {
		spec string
		want Fault
	}{
		{"hang", Fault{Kind: FaultHang}},
		{"status,status=429,retry-after=2,times=3", Fault{Kind: FaultStatus, Status: 429, RetryAfter: "2", Times: 3}},
		{"html-error,status=503,path=/api/conversations/", Fault{Kind: FaultHTMLError, Status: 503, PathPrefix: "/api/conversations/"}},
		{"slow-body,delay=200ms", Fault{Kind: FaultSlowBody, Delay: 200 * time.Millisecond}},
		{" broken-json,times=0 ", Fault{Kind: FaultBrokenJSON}},
	}
	for _, tt := range tests {
		got, err := ParseFault(tt.spec)
		if err != nil {
			t.Errorf("ParseFault(%q): %v", tt.spec, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseFault(%q) (-want +got):\n%s", tt.spec, diff)
		}
	}
}

func TestParseFaultEveryKindByName(t *testing.T) {
	if len(FaultKinds()) != int(FaultHang) {
		t.Fatalf("FaultKinds has %d kinds, want %d", len(FaultKinds()), FaultHang)
	}
	for _, k := range FaultKinds() {
		f, err := ParseFault(k.String())
		if err != nil || f.Kind != k {
			t.Errorf("ParseFault(%q) = %v, %v; want kind %v", k.String(), f.Kind, err, k)
		}
		if !strings.Contains(FaultSpecHelp(), k.String()) {
			t.Errorf("FaultSpecHelp does not name %s", k)
		}
	}
}

func TestParseFaultRejects(t *testing.T) {
	tests := map[string]string{
		"":                         "unknown fault kind",
		"teapot":                   "unknown fault kind",
		"status,status=200":        "not an error status",
		"status,status=abc":        "status",
		"status,times=-1":          "negative",
		"status,times":             "not key=value",
		"status,times=":            "not key=value",
		"status,times=1,times=2":   "given twice",
		"status,path=api":          "does not start with /",
		"status,retry-after=soon":  "not a number of seconds",
		"status,retry-after=-3":    "not a number of seconds",
		"slow-body,delay=fast":     "delay",
		"slow-body,delay=-1s":      "negative",
		"status,colour=red":        "unknown key",
		"broken-json,status=500":   "status applies to",
		"html-error,retry-after=2": "retry-after applies to",
	}
	for spec, want := range tests {
		_, err := ParseFault(spec)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseFault(%q) error = %v, want one containing %q", spec, err, want)
		}
	}
}
