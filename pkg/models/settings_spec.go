package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
)

// SettingKind is how a setting is typed on the config page and read here.
type SettingKind string

// The kinds of settings.
const (
	KindURL      SettingKind = "url"
	KindSecret   SettingKind = "secret"
	KindHeader   SettingKind = "header"
	KindString   SettingKind = "string"
	KindInt      SettingKind = "int"
	KindDuration SettingKind = "duration"
)

// SettingSpec is one setting's definition: its label on the config page, its default and its
// limits. It is the one definition both sides use: the backend validates with it and
// src/generated/settings.json, generated from it (TestSettingsJSONIsGenerated), is what the
// config page validates and labels with.
type SettingSpec struct {
	Key      string
	Label    string
	Kind     SettingKind
	Required bool
	// Default, Min and Max are a number for an int and a duration as a person types it
	// ("60s", "24h") for a duration.
	Default, Min, Max any
	Schemes           []string
	Reserved          []string
}

// Setting keys, as jsonData (and secureJsonData for the key) stores them.
const (
	KeyURL                   = "url"
	KeyAPIKey                = "apiKey"
	KeyAuthHeader            = "authHeader"
	KeyAuthScheme            = "authScheme"
	KeyPageSize              = "pageSize"
	KeyMaxConversations      = "maxConversations"
	KeyMaxFilterCombinations = "maxFilterCombinations"
	KeyConcurrency           = "concurrency"
	KeyCacheTTL              = "cacheTTL"
	KeyTimeout               = "timeout"
	KeySettleAfter           = "settleAfter"
	KeySettledMaxAge         = "settledMaxAge"
)

// ReservedHeaders are the headers the HTTP client itself must control (framing, connection,
// host, cookies, compression, proxies): an API key sent in one of them would be dropped or
// would break every request.
var ReservedHeaders = []string{
	"Accept-Encoding", "Connection", "Content-Length", "Cookie", "Expect", "Host", "Keep-Alive",
	"Proxy-Authorization", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
}

// Setting limits, shared by the specs below and the code that enforces them.
const (
	MinPageSize          = 1
	MaxPageSize          = 100
	MinMaxConversations  = 1
	MaxMaxConversations  = agentsight.MaxListRows
	DefaultFilterCombos  = 100
	MaxFilterCombosLimit = 1000
	MinConcurrency       = 1
	MaxConcurrency       = 32
	defaultCacheTTLText  = "60s"
	minCacheTTLText      = "0s"
	maxCacheTTLText      = "24h"
	defaultTimeoutText   = "30s"
	minTimeoutText       = "1s"
	maxTimeoutText       = "10m"
	// A conversation's messages (and so has_messages, message_contains, action_name and
	// its message count) change while it is live; an hour covers a long support chat.
	defaultSettleAfterText   = "1h"
	minSettleAfterText       = "0s"
	maxSettleAfterText       = "7d"
	defaultSettledMaxAgeText = "6h"
	minSettledMaxAgeText     = "1m"
	maxSettledMaxAgeText     = "7d"
)

// SettingSpecs lists every setting in the order the config page shows them.
func SettingSpecs() []SettingSpec {
	return []SettingSpec{
		{Key: KeyURL, Label: "URL", Kind: KindURL, Default: DefaultURL, Schemes: []string{"http", "https"}},
		{Key: KeyAPIKey, Label: "API key", Kind: KindSecret, Required: true},
		{Key: KeyAuthHeader, Label: "Auth header", Kind: KindHeader, Default: DefaultAuthHeader, Reserved: ReservedHeaders},
		{Key: KeyAuthScheme, Label: "Auth scheme", Kind: KindString, Default: DefaultAuthScheme},
		{Key: KeyPageSize, Label: "Page size", Kind: KindInt, Default: DefaultPageSize, Min: MinPageSize, Max: MaxPageSize},
		{Key: KeyMaxConversations, Label: "Max conversations", Kind: KindInt, Default: DefaultMaxConversations, Min: MinMaxConversations, Max: MaxMaxConversations},
		{Key: KeyMaxFilterCombinations, Label: "Max filter combinations", Kind: KindInt, Default: DefaultFilterCombos, Min: 1, Max: MaxFilterCombosLimit},
		{Key: KeyConcurrency, Label: "Concurrency", Kind: KindInt, Default: DefaultConcurrency, Min: MinConcurrency, Max: MaxConcurrency},
		{Key: KeyCacheTTL, Label: "Cache TTL", Kind: KindDuration, Default: defaultCacheTTLText, Min: minCacheTTLText, Max: maxCacheTTLText},
		{Key: KeyTimeout, Label: "Timeout", Kind: KindDuration, Default: defaultTimeoutText, Min: minTimeoutText, Max: maxTimeoutText},
		{Key: KeySettleAfter, Label: "Settle after", Kind: KindDuration, Default: defaultSettleAfterText, Min: minSettleAfterText, Max: maxSettleAfterText},
		{Key: KeySettledMaxAge, Label: "Settled data max age", Kind: KindDuration, Default: defaultSettledMaxAgeText, Min: minSettledMaxAgeText, Max: maxSettledMaxAgeText},
	}
}

// Spec is the definition of the setting named key. Only this package's constants are passed;
// an unknown key (a mistake here, caught by the tests) gets a spec labelled with the key itself
// rather than a panic.
func Spec(key string) SettingSpec {
	for _, s := range SettingSpecs() {
		if s.Key == key {
			return s
		}
	}
	return SettingSpec{Key: key, Label: key}
}

// intLimits are an int setting's bounds.
func (s SettingSpec) intLimits() (lo, hi int) {
	lo, _ = s.Min.(int)
	hi, _ = s.Max.(int)
	return lo, hi
}

// durationLimits are a duration setting's bounds, parsed from their text.
func (s SettingSpec) durationLimits() (lo, hi time.Duration) {
	return specDuration(s.Min), specDuration(s.Max)
}

// specDuration parses a duration of the specs; TestSettingsJSONMatchesValidation proves every
// one parses, so the zero value is never used.
func specDuration(v any) time.Duration {
	text, _ := v.(string)
	d, _ := ParseDuration(text, 0)
	return d
}

// settingJSON is one entry of src/generated/settings.json.
type settingJSON struct {
	Label     string   `json:"label"`
	Kind      string   `json:"kind"`
	Required  bool     `json:"required,omitempty"`
	Default   any      `json:"default,omitempty"`
	Min       any      `json:"min,omitempty"`
	Max       any      `json:"max,omitempty"`
	DefaultMs *int64   `json:"defaultMs,omitempty"`
	MinMs     *int64   `json:"minMs,omitempty"`
	MaxMs     *int64   `json:"maxMs,omitempty"`
	Schemes   []string `json:"schemes,omitempty"`
	Reserved  []string `json:"reserved,omitempty"`
}

// SettingsJSON renders the specs as src/generated/settings.json: an object keyed by setting,
// in the config page's order, one setting a line.
func SettingsJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{\n")
	specs := SettingSpecs()
	for i, s := range specs {
		entry := settingJSON{Label: s.Label, Kind: string(s.Kind), Required: s.Required, Schemes: s.Schemes, Reserved: s.Reserved}
		entry.Default, entry.Min, entry.Max = s.Default, s.Min, s.Max
		if s.Kind == KindDuration {
			ms := func(v any) *int64 { n := specDuration(v).Milliseconds(); return &n }
			entry.DefaultMs, entry.MinMs, entry.MaxMs = ms(s.Default), ms(s.Min), ms(s.Max)
		}
		line, err := json.Marshal(entry)
		if err != nil {
			return nil, err
		}
		key, _ := json.Marshal(s.Key)
		fmt.Fprintf(&b, "  %s: %s", key, spaced(line))
		if i < len(specs)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// spaced writes compact JSON with a space after each colon and comma and inside braces, so that
// each setting reads as one line: { "label": "URL", "schemes": ["http", "https"] }.
func spaced(compact []byte) []byte {
	var b bytes.Buffer
	inString, escaped := false, false
	for _, c := range compact {
		if inString {
			b.WriteByte(c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			b.WriteByte(c)
		case ':', ',':
			b.WriteByte(c)
			b.WriteByte(' ')
		case '{':
			b.WriteString("{ ")
		case '}':
			b.WriteString(" }")
		default:
			b.WriteByte(c)
		}
	}
	return b.Bytes()
}
