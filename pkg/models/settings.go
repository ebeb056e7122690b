// Package models parses, defaults and validates the data source's settings and its queries.
package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"
)

// Settings defaults, as the design lists them.
const (
	DefaultURL              = "https://api.agentsight.io"
	DefaultAuthHeader       = agentsight.DefaultAuthHeader
	DefaultAuthScheme       = agentsight.DefaultAuthScheme
	DefaultPageSize         = 100
	DefaultMaxConversations = 10000
	DefaultConcurrency      = 4
	DefaultCacheTTL         = 60 * time.Second
	DefaultTimeout          = 30 * time.Second
)

// ErrMissingAPIKey is the design's wording for a data source without a key.
const ErrMissingAPIKey = "API key is missing: add it in the data source settings"

// Settings is one data source's configuration.
type Settings struct {
	URL              string
	APIKey           string
	AuthHeader       string
	AuthScheme       string
	PageSize         int
	MaxConversations int
	Concurrency      int
	CacheTTL         time.Duration
	Timeout          time.Duration
}

// DefaultSettings returns the settings of a data source nobody configured beyond its key.
func DefaultSettings() Settings {
	return Settings{
		URL:              DefaultURL,
		AuthHeader:       DefaultAuthHeader,
		AuthScheme:       DefaultAuthScheme,
		PageSize:         DefaultPageSize,
		MaxConversations: DefaultMaxConversations,
		Concurrency:      DefaultConcurrency,
		CacheTTL:         DefaultCacheTTL,
		Timeout:          DefaultTimeout,
	}
}

// settingsJSON mirrors jsonData. Values are raw so that a provisioning file with a number
// written as a string ("100") or a duration written as seconds (60) still loads, and so that
// a wrong type names its key.
type settingsJSON struct {
	AuthHeader       json.RawMessage `json:"authHeader"`
	AuthScheme       json.RawMessage `json:"authScheme"`
	PageSize         json.RawMessage `json:"pageSize"`
	MaxConversations json.RawMessage `json:"maxConversations"`
	Concurrency      json.RawMessage `json:"concurrency"`
	CacheTTL         json.RawMessage `json:"cacheTTL"`
	Timeout          json.RawMessage `json:"timeout"`
}

// LoadSettings reads a data source's URL, jsonData and decrypted secureJsonData. A setting that
// is present but wrong is an error naming it; a missing one takes its default. A missing key
// is reported by Validate, so that the rest of the settings can still be shown and checked.
func LoadSettings(rawURL string, jsonData []byte, secure map[string]string) (Settings, error) {
	s := DefaultSettings()
	if strings.TrimSpace(rawURL) != "" {
		s.URL = strings.TrimSpace(rawURL)
	}
	s.APIKey = strings.TrimSpace(secure["apiKey"])
	var raw settingsJSON
	if len(bytes.TrimSpace(jsonData)) > 0 && !bytes.Equal(bytes.TrimSpace(jsonData), []byte("null")) {
		if err := json.Unmarshal(jsonData, &raw); err != nil {
			return s, fmt.Errorf("settings: jsonData is not a JSON object: %v", err)
		}
	}
	var err error
	if s.AuthHeader, err = stringSetting("authHeader", raw.AuthHeader, s.AuthHeader, false); err != nil {
		return s, err
	}
	if s.AuthScheme, err = stringSetting("authScheme", raw.AuthScheme, s.AuthScheme, true); err != nil {
		return s, err
	}
	if s.PageSize, err = intSetting("pageSize", raw.PageSize, s.PageSize); err != nil {
		return s, err
	}
	if s.MaxConversations, err = intSetting("maxConversations", raw.MaxConversations, s.MaxConversations); err != nil {
		return s, err
	}
	if s.Concurrency, err = intSetting("concurrency", raw.Concurrency, s.Concurrency); err != nil {
		return s, err
	}
	if s.CacheTTL, err = durationSetting("cacheTTL", raw.CacheTTL, s.CacheTTL); err != nil {
		return s, err
	}
	if s.Timeout, err = durationSetting("timeout", raw.Timeout, s.Timeout); err != nil {
		return s, err
	}
	return s, s.Validate()
}

// Validate checks ranges. The missing key is checked last so that any other mistake is
// reported first and the wording of the missing key stays exactly the design's.
func (s Settings) Validate() error {
	if _, err := agentsight.ParseBaseURL(s.URL); err != nil {
		return fmt.Errorf("settings: %v", err)
	}
	if !validHeaderName(s.AuthHeader) {
		return fmt.Errorf("settings: authHeader %q is not a valid HTTP header name", s.AuthHeader)
	}
	if strings.ContainsAny(s.AuthScheme, "\r\n") {
		return fmt.Errorf("settings: authScheme must be one line")
	}
	checks := []struct {
		name      string
		v, lo, hi int
	}{
		{"pageSize", s.PageSize, 1, 100},
		{"maxConversations", s.MaxConversations, 1, agentsight.MaxListRows},
		{"concurrency", s.Concurrency, 1, 32},
	}
	for _, c := range checks {
		if c.v < c.lo || c.v > c.hi {
			return fmt.Errorf("settings: %s must be between %d and %d, got %d", c.name, c.lo, c.hi, c.v)
		}
	}
	if s.CacheTTL < 0 || s.CacheTTL > 24*time.Hour {
		return fmt.Errorf("settings: cacheTTL must be between 0s and 24h, got %s", s.CacheTTL)
	}
	if s.Timeout < time.Second || s.Timeout > 10*time.Minute {
		return fmt.Errorf("settings: timeout must be between 1s and 10m, got %s", s.Timeout)
	}
	if s.APIKey == "" {
		return fmt.Errorf("%s", ErrMissingAPIKey)
	}
	if strings.ContainsAny(s.APIKey, "\r\n") {
		return fmt.Errorf("settings: the API key must be one line")
	}
	// Any other control character would make every request fail in the HTTP client with an
	// error that looks like the host being unreachable.
	if strings.ContainsFunc(s.APIKey, isControl) {
		return fmt.Errorf("settings: the API key contains a control character: paste it again")
	}
	if strings.ContainsFunc(s.AuthScheme, isControl) {
		return fmt.Errorf("settings: authScheme contains a control character")
	}
	return nil
}

// ClientOptions turns the settings into the API client's options.
func (s Settings) ClientOptions(httpClient *http.Client) agentsight.Options {
	scheme := s.AuthScheme
	return agentsight.Options{
		BaseURL:     s.URL,
		APIKey:      s.APIKey,
		AuthHeader:  s.AuthHeader,
		AuthScheme:  &scheme,
		PageSize:    s.PageSize,
		Timeout:     s.Timeout,
		Concurrency: s.Concurrency,
		CacheTTL:    s.CacheTTL,
		HTTPClient:  httpClient,
	}
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

func stringSetting(name string, raw json.RawMessage, def string, emptyAllowed bool) (string, error) {
	if isNull(raw) {
		return def, nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return def, fmt.Errorf("settings: %s must be a string, got %s", name, raw)
	}
	v = strings.TrimSpace(v)
	if v == "" && !emptyAllowed {
		return def, nil
	}
	return v, nil
}

func intSetting(name string, raw json.RawMessage, def int) (int, error) {
	if isNull(raw) {
		return def, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return def, fmt.Errorf("settings: %s must be a whole number, got %s", name, raw)
		}
		if strings.TrimSpace(s) == "" {
			return def, nil
		}
		n = json.Number(strings.TrimSpace(s))
	}
	v, err := strconv.Atoi(n.String())
	if err != nil {
		return def, fmt.Errorf("settings: %s must be a whole number, got %s", name, raw)
	}
	return v, nil
}

func durationSetting(name string, raw json.RawMessage, def time.Duration) (time.Duration, error) {
	if isNull(raw) {
		return def, nil
	}
	var secs float64
	if err := json.Unmarshal(raw, &secs); err == nil {
		// Beyond a year it is a mistake, and beyond ~292 years it would overflow.
		if secs < 0 || secs > 366*24*3600 {
			return def, fmt.Errorf("settings: %s must be a duration such as \"60s\", got %s", name, raw)
		}
		return time.Duration(secs * float64(time.Second)), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return def, fmt.Errorf("settings: %s must be a duration such as \"60s\", got %s", name, raw)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	if s == "0" {
		return 0, nil
	}
	d, err := gtime.ParseDuration(s)
	if err != nil {
		return def, fmt.Errorf("settings: %s must be a duration such as \"60s\", got %q", name, s)
	}
	return d, nil
}

// isControl reports the characters an HTTP header value cannot carry (a tab it can).
func isControl(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f }

func validHeaderName(h string) bool {
	if h == "" {
		return false
	}
	for _, r := range h {
		if r > 126 || r <= 32 || strings.ContainsRune("\"(),/:;<=>?@[\\]{}", r) {
			return false
		}
	}
	return true
}
