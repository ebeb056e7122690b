// Package models parses, defaults and validates the data source's settings and its queries.
package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
)

// Settings defaults, as the design lists them.
const (
	DefaultURL              = "https://api.agentsight.io"
	DefaultAuthHeader       = "Authorization"
	DefaultAuthScheme       = "Api-Key"
	DefaultPageSize         = 100
	DefaultMaxConversations = 10000
	DefaultConcurrency      = 4
	DefaultCacheTTL         = 60 * time.Second
	DefaultTimeout          = 30 * time.Second
	DefaultSettleAfter      = time.Hour
	DefaultSettledMaxAge    = 6 * time.Hour
)

// ErrMissingAPIKey is the design's wording for a data source without a key.
const ErrMissingAPIKey = "API key is missing: add it in the data source settings" // #nosec G101 -- a message about the key, not a credential

// Settings is one data source's configuration.
type Settings struct {
	URL              string
	APIKey           string
	AuthHeader       string
	AuthScheme       string
	PageSize         int
	MaxConversations int
	// MaxFilterCombinations bounds the filter-value combinations (one listing each) a query
	// may expand into; see Filters.Combinations.
	MaxFilterCombinations int
	Concurrency           int
	CacheTTL              time.Duration
	Timeout               time.Duration
	// SettleAfter is how long after its start a conversation is taken as settled: a refresh
	// reuses the settled rows it read before rather than reading them again. 0 turns
	// incremental refresh off.
	SettleAfter time.Duration
	// SettledMaxAge bounds how long settled rows are reused, so that deletions and late
	// changes show eventually.
	SettledMaxAge time.Duration
}

// DefaultSettings returns the settings of a data source nobody configured beyond its key.
func DefaultSettings() Settings {
	return Settings{
		URL:                   DefaultURL,
		AuthHeader:            DefaultAuthHeader,
		AuthScheme:            DefaultAuthScheme,
		PageSize:              DefaultPageSize,
		MaxConversations:      DefaultMaxConversations,
		MaxFilterCombinations: DefaultFilterCombos,
		Concurrency:           DefaultConcurrency,
		CacheTTL:              DefaultCacheTTL,
		Timeout:               DefaultTimeout,
		SettleAfter:           DefaultSettleAfter,
		SettledMaxAge:         DefaultSettledMaxAge,
	}
}

// settingsJSON mirrors jsonData. Values are raw so that a provisioning file with a number
// written as a string ("100") or a duration written as seconds (60) still loads, and so that
// a wrong type names its setting.
type settingsJSON struct {
	AuthHeader            json.RawMessage `json:"authHeader"`
	AuthScheme            json.RawMessage `json:"authScheme"`
	PageSize              json.RawMessage `json:"pageSize"`
	MaxConversations      json.RawMessage `json:"maxConversations"`
	MaxFilterCombinations json.RawMessage `json:"maxFilterCombinations"`
	Concurrency           json.RawMessage `json:"concurrency"`
	CacheTTL              json.RawMessage `json:"cacheTTL"`
	Timeout               json.RawMessage `json:"timeout"`
	SettleAfter           json.RawMessage `json:"settleAfter"`
	SettledMaxAge         json.RawMessage `json:"settledMaxAge"`
}

// LoadSettings reads a data source's URL, jsonData and decrypted secureJsonData. A setting that
// is present but wrong is an error naming it by its label on the config page; a missing one
// takes its default. A missing key is reported by Validate, so that the rest of the settings
// can still be shown and checked.
func LoadSettings(rawURL string, jsonData []byte, secure map[string]string) (Settings, error) {
	s := DefaultSettings()
	if strings.TrimSpace(rawURL) != "" {
		s.URL = strings.TrimSpace(rawURL)
	}
	s.APIKey = strings.TrimSpace(secure[KeyAPIKey])
	var raw settingsJSON
	if len(bytes.TrimSpace(jsonData)) > 0 && !bytes.Equal(bytes.TrimSpace(jsonData), []byte("null")) {
		if err := json.Unmarshal(jsonData, &raw); err != nil {
			return s, errors.New("settings: jsonData is not a JSON object")
		}
	}
	var err error
	if s.AuthHeader, err = stringSetting(KeyAuthHeader, raw.AuthHeader, s.AuthHeader, false); err != nil {
		return s, err
	}
	if s.AuthScheme, err = stringSetting(KeyAuthScheme, raw.AuthScheme, s.AuthScheme, true); err != nil {
		return s, err
	}
	ints := []struct {
		key  string
		raw  json.RawMessage
		dest *int
	}{
		{KeyPageSize, raw.PageSize, &s.PageSize},
		{KeyMaxConversations, raw.MaxConversations, &s.MaxConversations},
		{KeyMaxFilterCombinations, raw.MaxFilterCombinations, &s.MaxFilterCombinations},
		{KeyConcurrency, raw.Concurrency, &s.Concurrency},
	}
	for _, c := range ints {
		if *c.dest, err = intSetting(c.key, c.raw, *c.dest); err != nil {
			return s, err
		}
	}
	if s.CacheTTL, err = durationSetting(KeyCacheTTL, raw.CacheTTL, s.CacheTTL); err != nil {
		return s, err
	}
	if s.Timeout, err = durationSetting(KeyTimeout, raw.Timeout, s.Timeout); err != nil {
		return s, err
	}
	if s.SettleAfter, err = durationSetting(KeySettleAfter, raw.SettleAfter, s.SettleAfter); err != nil {
		return s, err
	}
	if s.SettledMaxAge, err = durationSetting(KeySettledMaxAge, raw.SettledMaxAge, s.SettledMaxAge); err != nil {
		return s, err
	}
	return s, s.Validate()
}

// Validate checks ranges against the settings' specs. The missing key is checked last so that
// any other mistake is reported first and the wording of the missing key stays exactly the
// design's.
func (s Settings) Validate() error {
	if err := validateURL(s.URL); err != nil {
		return err
	}
	if err := validateAuthHeader(s.AuthHeader); err != nil {
		return err
	}
	scheme := Spec(KeyAuthScheme).Label
	if strings.ContainsAny(s.AuthScheme, "\r\n") {
		return fmt.Errorf("settings: %s must be one line", scheme)
	}
	ints := []struct {
		key string
		v   int
	}{
		{KeyPageSize, s.PageSize},
		{KeyMaxConversations, s.MaxConversations},
		{KeyMaxFilterCombinations, s.MaxFilterCombinations},
		{KeyConcurrency, s.Concurrency},
	}
	for _, c := range ints {
		spec := Spec(c.key)
		lo, hi := spec.intLimits()
		if c.v < lo || c.v > hi {
			return fmt.Errorf("settings: %s must be between %d and %d, got %d", spec.Label, lo, hi, c.v)
		}
	}
	durations := []struct {
		key string
		v   time.Duration
	}{
		{KeyCacheTTL, s.CacheTTL},
		{KeyTimeout, s.Timeout},
		{KeySettleAfter, s.SettleAfter},
		{KeySettledMaxAge, s.SettledMaxAge},
	}
	for _, c := range durations {
		spec := Spec(c.key)
		lo, hi := spec.durationLimits()
		if c.v < lo || c.v > hi {
			return fmt.Errorf("settings: %s must be between %s and %s, got %s", spec.Label, spec.Min, spec.Max, FormatDuration(c.v))
		}
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
		return fmt.Errorf("settings: %s contains a control character", scheme)
	}
	return nil
}

// validateAuthHeader accepts a header name that the HTTP client lets a request carry.
func validateAuthHeader(h string) error {
	label := Spec(KeyAuthHeader).Label
	if !validHeaderName(h) {
		return fmt.Errorf("settings: %s %q is not a valid HTTP header name", label, h)
	}
	canonical := http.CanonicalHeaderKey(h)
	for _, r := range ReservedHeaders {
		if canonical == http.CanonicalHeaderKey(r) {
			return fmt.Errorf("settings: %s cannot be %q: the HTTP client sets that header itself; use Authorization or a custom header such as X-Api-Key", label, h)
		}
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

func stringSetting(key string, raw json.RawMessage, def string, emptyAllowed bool) (string, error) {
	if isNull(raw) {
		return def, nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return def, fmt.Errorf("settings: %s must be text", Spec(key).Label)
	}
	v = strings.TrimSpace(v)
	if v == "" && !emptyAllowed {
		return def, nil
	}
	return v, nil
}

func intSetting(key string, raw json.RawMessage, def int) (int, error) {
	if isNull(raw) {
		return def, nil
	}
	spec := Spec(key)
	lo, hi := spec.intLimits()
	bad := fmt.Errorf("settings: %s must be a whole number between %d and %d", spec.Label, lo, hi)
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return def, bad
		}
		if strings.TrimSpace(s) == "" {
			return def, nil
		}
		n = json.Number(strings.TrimSpace(s))
	}
	v, err := strconv.Atoi(n.String())
	if err != nil {
		return def, bad
	}
	return v, nil
}

func durationSetting(key string, raw json.RawMessage, def time.Duration) (time.Duration, error) {
	if isNull(raw) {
		return def, nil
	}
	spec := Spec(key)
	lo, hi := spec.durationLimits()
	outOfRange := func(got string) error {
		return fmt.Errorf("settings: %s must be between %s and %s, got %s", spec.Label, spec.Min, spec.Max, got)
	}
	notDuration := fmt.Errorf("settings: %s must be a duration such as %q (between %s and %s), got %s", spec.Label, spec.Default, spec.Min, spec.Max, excerpt(raw))
	var secs float64
	if err := json.Unmarshal(raw, &secs); err == nil {
		// Checked as seconds, before converting, so that no number can overflow.
		if secs < lo.Seconds() || secs > hi.Seconds() {
			return def, outOfRange(strconv.FormatFloat(secs, 'g', -1, 64) + "s")
		}
		return time.Duration(secs * float64(time.Second)), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return def, notDuration
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	d, err := ParseDuration(s, 0)
	switch {
	case errors.Is(err, errDurationRange):
		return def, outOfRange(s)
	case err != nil:
		return def, notDuration
	case d < lo || d > hi:
		return def, outOfRange(s)
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

// excerpt quotes a setting's raw value briefly: enough to recognise it, never a page of it.
func excerpt(raw json.RawMessage) string {
	const most = 40
	t := bytes.TrimSpace(raw)
	if len([]rune(string(t))) > most {
		return string([]rune(string(t))[:most]) + "…"
	}
	return string(t)
}
