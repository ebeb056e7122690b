package models

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const key = "sk-live-models-TEST-4e2a"

func secure() map[string]string { return map[string]string{"apiKey": key} }

func TestLoadSettingsDefaults(t *testing.T) {
	for _, jsonData := range []string{"", "  ", "null", "{}", `{"unknownKey": 5}`, `{"pageSize": null, "authHeader": ""}`} {
		t.Run(jsonData, func(t *testing.T) {
			s, err := LoadSettings("", []byte(jsonData), secure())
			if err != nil {
				t.Fatal(err)
			}
			want := DefaultSettings()
			want.APIKey = key
			if s != want {
				t.Errorf("settings = %+v, want %+v", s, want)
			}
		})
	}
}

func TestLoadSettingsValues(t *testing.T) {
	tests := []struct {
		name     string
		url      string
		jsonData string
		check    func(Settings) bool
	}{
		{"url", " https://eu.agentsight.example/prefix ", `{}`, func(s Settings) bool { return s.URL == "https://eu.agentsight.example/prefix" }},
		{"authHeader", "", `{"authHeader":"X-Api-Key"}`, func(s Settings) bool { return s.AuthHeader == "X-Api-Key" }},
		{"authScheme", "", `{"authScheme":"Bearer"}`, func(s Settings) bool { return s.AuthScheme == "Bearer" }},
		{"authScheme empty sends the bare key", "", `{"authScheme":""}`, func(s Settings) bool { return s.AuthScheme == "" }},
		{"pageSize", "", `{"pageSize":50}`, func(s Settings) bool { return s.PageSize == 50 }},
		{"pageSize as string", "", `{"pageSize":"25"}`, func(s Settings) bool { return s.PageSize == 25 }},
		{"pageSize empty string", "", `{"pageSize":""}`, func(s Settings) bool { return s.PageSize == DefaultPageSize }},
		{"maxConversations", "", `{"maxConversations":250000}`, func(s Settings) bool { return s.MaxConversations == 250000 }},
		{"maxConversations as string", "", `{"maxConversations":" 500 "}`, func(s Settings) bool { return s.MaxConversations == 500 }},
		{"concurrency", "", `{"concurrency":8}`, func(s Settings) bool { return s.Concurrency == 8 }},
		{"concurrency as string", "", `{"concurrency":"2"}`, func(s Settings) bool { return s.Concurrency == 2 }},
		{"cacheTTL 60s", "", `{"cacheTTL":"60s"}`, func(s Settings) bool { return s.CacheTTL == time.Minute }},
		{"cacheTTL 1m", "", `{"cacheTTL":"1m"}`, func(s Settings) bool { return s.CacheTTL == time.Minute }},
		{"cacheTTL seconds as number", "", `{"cacheTTL":60}`, func(s Settings) bool { return s.CacheTTL == time.Minute }},
		{"cacheTTL 0s turns the cache off", "", `{"cacheTTL":"0s"}`, func(s Settings) bool { return s.CacheTTL == 0 }},
		{"settleAfter 0s turns incremental refresh off", "", `{"settleAfter":"0s"}`, func(s Settings) bool { return s.SettleAfter == 0 }},
		{"settleAfter and settledMaxAge default", "", `{}`, func(s Settings) bool { return s.SettleAfter == time.Hour && s.SettledMaxAge == 6*time.Hour }},
		{"cacheTTL 0", "", `{"cacheTTL":"0"}`, func(s Settings) bool { return s.CacheTTL == 0 }},
		{"cacheTTL number 0", "", `{"cacheTTL":0}`, func(s Settings) bool { return s.CacheTTL == 0 }},
		{"cacheTTL 1d", "", `{"cacheTTL":"1d"}`, func(s Settings) bool { return s.CacheTTL == 24*time.Hour }},
		{"cacheTTL 24h, the maximum", "", `{"cacheTTL":"24h"}`, func(s Settings) bool { return s.CacheTTL == 24*time.Hour }},
		{"cacheTTL compound", "", `{"cacheTTL":"1h30m"}`, func(s Settings) bool { return s.CacheTTL == 90*time.Minute }},
		{"timeout 10m, the maximum", "", `{"timeout":"10m"}`, func(s Settings) bool { return s.Timeout == 10*time.Minute }},
		{"timeout 1500ms", "", `{"timeout":"1500ms"}`, func(s Settings) bool { return s.Timeout == 1500*time.Millisecond }},
		{"maxFilterCombinations", "", `{"maxFilterCombinations":500}`, func(s Settings) bool { return s.MaxFilterCombinations == 500 }},
		{"authHeader X-Api-Key", "", `{"authHeader":"X-Api-Key"}`, func(s Settings) bool { return s.AuthHeader == "X-Api-Key" }},
		{"timeout 45s", "", `{"timeout":"45s"}`, func(s Settings) bool { return s.Timeout == 45*time.Second }},
		{"timeout 2m", "", `{"timeout":"2m"}`, func(s Settings) bool { return s.Timeout == 2*time.Minute }},
		{"timeout as number", "", `{"timeout":10}`, func(s Settings) bool { return s.Timeout == 10*time.Second }},
		{"timeout fractional seconds", "", `{"timeout":1.5}`, func(s Settings) bool { return s.Timeout == 1500*time.Millisecond }},
		{"every key", "http://localhost:8080", `{"authHeader":"X-Key","authScheme":"Token","pageSize":"10","maxConversations":100,"concurrency":1,"cacheTTL":"5m","timeout":"1s","settleAfter":"30m","settledMaxAge":"2h"}`,
			func(s Settings) bool {
				return s == Settings{URL: "http://localhost:8080", APIKey: key, AuthHeader: "X-Key", AuthScheme: "Token", PageSize: 10,
					MaxConversations: 100, MaxFilterCombinations: DefaultFilterCombos, Concurrency: 1, CacheTTL: 5 * time.Minute, Timeout: time.Second,
					SettleAfter: 30 * time.Minute, SettledMaxAge: 2 * time.Hour}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := LoadSettings(tt.url, []byte(tt.jsonData), secure())
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(s) {
				t.Errorf("settings = %+v", s)
			}
		})
	}
}

func TestLoadSettingsErrors(t *testing.T) {
	tests := []struct {
		name     string
		url      string
		jsonData string
		secure   map[string]string
		want     []string // substrings of the error
	}{
		{"jsonData not an object", "", `[1,2]`, secure(), []string{"jsonData"}},
		{"jsonData broken", "", `{"pageSize":`, secure(), []string{"jsonData"}},
		{"authHeader wrong type", "", `{"authHeader":5}`, secure(), []string{"Auth header", "text"}},
		{"authHeader invalid", "", `{"authHeader":"X Api Key"}`, secure(), []string{"Auth header", "X Api Key"}},
		{"authHeader with colon", "", `{"authHeader":"Authorization:"}`, secure(), []string{"Auth header"}},
		{"authHeader Host", "", `{"authHeader":"Host"}`, secure(), []string{"Auth header", `"Host"`, "sets that header itself"}},
		{"authHeader content-length any case", "", `{"authHeader":"content-length"}`, secure(), []string{"Auth header", `"content-length"`}},
		{"authHeader Transfer-Encoding", "", `{"authHeader":"Transfer-Encoding"}`, secure(), []string{"Auth header", "Transfer-Encoding"}},
		{"authHeader Connection", "", `{"authHeader":"Connection"}`, secure(), []string{"Auth header", "Connection"}},
		{"authHeader Cookie", "", `{"authHeader":"Cookie"}`, secure(), []string{"Auth header", "Cookie"}},
		{"authScheme wrong type", "", `{"authScheme":["Api-Key"]}`, secure(), []string{"Auth scheme", "text"}},
		{"authScheme with newline", "", `{"authScheme":"Api-Key\nX-Evil: 1"}`, secure(), []string{"Auth scheme"}},
		{"pageSize wrong type", "", `{"pageSize":true}`, secure(), []string{"Page size", "whole number between 1 and 100"}},
		{"pageSize fraction", "", `{"pageSize":10.5}`, secure(), []string{"Page size", "whole number"}},
		{"pageSize text", "", `{"pageSize":"ten"}`, secure(), []string{"Page size", "whole number"}},
		{"pageSize 0", "", `{"pageSize":0}`, secure(), []string{"Page size must be between 1 and 100, got 0"}},
		{"cacheTTL absurd number", "", `{"cacheTTL":1e10}`, secure(), []string{"Cache TTL must be between 0s and 24h, got 1e+10s"}},
		{"timeout negative number", "", `{"timeout":-5}`, secure(), []string{"Timeout must be between 1s and 10m, got -5s"}},
		{"settledMaxAge below its minimum", "", `{"settledMaxAge":"10s"}`, secure(), []string{"Settled data max age must be between 1m and 7d, got 10s"}},
		{"pageSize too large", "", `{"pageSize":101}`, secure(), []string{"Page size must be between 1 and 100, got 101"}},
		{"maxConversations negative", "", `{"maxConversations":-1}`, secure(), []string{"Max conversations must be between 1 and 1000000"}},
		{"maxConversations too large", "", `{"maxConversations":"1000001"}`, secure(), []string{"Max conversations must be between 1 and 1000000"}},
		{"maxFilterCombinations 0", "", `{"maxFilterCombinations":0}`, secure(), []string{"Max filter combinations must be between 1 and 1000, got 0"}},
		{"maxFilterCombinations too large", "", `{"maxFilterCombinations":"1001"}`, secure(), []string{"Max filter combinations must be between 1 and 1000, got 1001"}},
		{"concurrency 0", "", `{"concurrency":0}`, secure(), []string{"Concurrency must be between 1 and 32"}},
		{"concurrency 33", "", `{"concurrency":33}`, secure(), []string{"Concurrency must be between 1 and 32"}},
		{"concurrency object", "", `{"concurrency":{}}`, secure(), []string{"Concurrency", "whole number"}},
		{"cacheTTL wrong type", "", `{"cacheTTL":true}`, secure(), []string{"Cache TTL", "duration such as \"60s\""}},
		{"cacheTTL bad text", "", `{"cacheTTL":"soon"}`, secure(), []string{"Cache TTL", "duration"}},
		{"cacheTTL negative", "", `{"cacheTTL":"-1s"}`, secure(), []string{"Cache TTL must be between 0s and 24h, got -1s"}},
		{"cacheTTL too long", "", `{"cacheTTL":"25h"}`, secure(), []string{"Cache TTL must be between 0s and 24h, got 25h"}},
		{"cacheTTL 48h, plainly", "", `{"cacheTTL":"48h"}`, secure(), []string{"Cache TTL must be between 0s and 24h, got 48h"}},
		// Beyond time.Duration: refused, not wrapped to a small value.
		{"cacheTTL overflowing days", "", `{"cacheTTL":"213503982335d"}`, secure(), []string{"Cache TTL must be between 0s and 24h, got 213503982335d"}},
		{"timeout overflowing days", "", `{"timeout":"213503982335d"}`, secure(), []string{"Timeout must be between 1s and 10m, got 213503982335d"}},
		{"timeout overflowing weeks", "", `{"timeout":"99999999999999w"}`, secure(), []string{"Timeout must be between 1s and 10m"}},
		{"timeout overflowing Go form", "", `{"timeout":"9999999999h"}`, secure(), []string{"Timeout must be between 1s and 10m"}},
		{"timeout overflowing digits", "", `{"timeout":"99999999999999999999s"}`, secure(), []string{"Timeout must be between 1s and 10m"}},
		{"timeout 0s", "", `{"timeout":"0s"}`, secure(), []string{"Timeout must be between 1s and 10m, got 0s"}},
		{"timeout too long", "", `{"timeout":3600}`, secure(), []string{"Timeout must be between 1s and 10m, got 3600s"}},
		{"timeout wrong type", "", `{"timeout":[30]}`, secure(), []string{"Timeout", "duration"}},
		{"ftp URL", "ftp://api.agentsight.io", `{}`, secure(), []string{"URL", "http:// or https://"}},
		{"URL without host", "https://", `{}`, secure(), []string{"no host"}},
		{"URL without scheme", "api.agentsight.io", `{}`, secure(), []string{"http:// or https://"}},
		{"URL with credentials", "https://user:pass@api.agentsight.io", `{}`, secure(), []string{"user name or password"}},
		{"URL with credentials and a bad scheme", "htps://user:pass@api.agentsight.io", `{}`, secure(), []string{"URL"}},
		{"URL with credentials and a bad port", "https://user:pass@api.agentsight.io:port/x", `{}`, secure(), []string{"URL", "…@api.agentsight.io:port/x"}},
		{"URL with credentials, no scheme, bad port", "user:pass@host:99999999999", `{}`, secure(), []string{"URL"}},
		{"URL with query", "https://api.agentsight.io/?key=1", `{}`, secure(), []string{"query", `"https://api.agentsight.io/…"`}},
		{"key with newline", "", `{}`, map[string]string{"apiKey": "abc\ndef"}, []string{"one line"}},
		{"key with carriage return", "", `{}`, map[string]string{"apiKey": "abc\rdef"}, []string{"one line"}},
		{"key with a control character", "", `{}`, map[string]string{"apiKey": "abc\x00def"}, []string{"API key", "control character"}},
		{"authScheme with a control character", "", `{"authScheme":"Api\u0007Key"}`, secure(), []string{"Auth scheme", "control character"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadSettings(tt.url, []byte(tt.jsonData), tt.secure)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "user:pass") || strings.Contains(err.Error(), "pass@") {
				t.Errorf("error repeats a secret: %v", err)
			}
			// Labels and plain values, never Go's formatting or a jsonData key.
			for _, goism := range []string{"0m0s", "h0m", "cacheTTL", "pageSize", "maxConversations", "authHeader", "authScheme"} {
				if strings.Contains(err.Error(), goism) {
					t.Errorf("error %q contains %q", err, goism)
				}
			}
		})
	}
}

func TestMissingAPIKey(t *testing.T) {
	for name, sec := range map[string]map[string]string{
		"nil":         nil,
		"empty":       {},
		"blank":       {"apiKey": ""},
		"whitespace":  {"apiKey": "  \t "},
		"another key": {"apikey": key},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := LoadSettings("", []byte(`{"pageSize":"50"}`), sec)
			if err == nil || err.Error() != "API key is missing: add it in the data source settings" {
				t.Fatalf("error = %v, want exactly the design's wording", err)
			}
			// The rest of the settings still load so that they can be shown.
			if s.PageSize != 50 {
				t.Errorf("pageSize = %d", s.PageSize)
			}
		})
	}
	// Other mistakes are reported first.
	_, err := LoadSettings("ftp://x", nil, nil)
	if err == nil || strings.Contains(err.Error(), "API key") {
		t.Errorf("error = %v, want the URL's", err)
	}
}

func TestAPIKeyTrimmed(t *testing.T) {
	s, err := LoadSettings("", nil, map[string]string{"apiKey": "  " + key + "\n"})
	if err != nil || s.APIKey != key {
		t.Fatalf("key = %q, %v", s.APIKey, err)
	}
}

func TestClientOptions(t *testing.T) {
	s, err := LoadSettings("https://api.agentsight.io", []byte(`{"authHeader":"X-Key","authScheme":"","pageSize":20,"concurrency":3,"cacheTTL":"0s","timeout":"5s"}`), secure())
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{}
	o := s.ClientOptions(hc)
	if o.BaseURL != s.URL || o.APIKey != key || o.AuthHeader != "X-Key" || o.AuthScheme == nil || *o.AuthScheme != "" ||
		o.PageSize != 20 || o.Concurrency != 3 || o.CacheTTL != 0 || o.Timeout != 5*time.Second || o.HTTPClient != hc {
		t.Errorf("options = %+v", o)
	}
}

func TestStripCredentials(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pass@api.example":            "https://…@api.example",
		"htps://user:pass@api.example:port/x":      "htps://…@api.example:port/x",
		"user:pass@api.example":                    "…@api.example",
		"https://api.example/p@th":                 "https://api.example/p@th",
		"https://u:p@ss@api.example/x?y=@z":        "https://…@api.example/x?y=@z",
		"https://api.example":                      "https://api.example",
		"https://user@api.example#frag@":           "https://…@api.example#frag@",
		"http://user:pass@[::1]:8080/api":          "http://…@[::1]:8080/api",
		"https://user:p%40ss@api.example:99999999": "https://…@api.example:99999999",
	} {
		if got := StripCredentials(in); got != want {
			t.Errorf("StripCredentials(%q) = %q, want %q", in, got, want)
		}
	}
}
