package models

import (
	"errors"
	"fmt"
	"strings"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
)

// StripCredentials removes a user name and password from a URL as typed, even one that does not
// parse ("htps://user:pass@host:port"), so that no message ever quotes them.
func StripCredentials(raw string) string {
	authority := 0
	if i := strings.Index(raw, "://"); i >= 0 {
		authority = i + len("://")
	}
	end := len(raw)
	if i := strings.IndexAny(raw[authority:], "/?#"); i >= 0 {
		end = authority + i
	}
	if at := strings.LastIndex(raw[authority:end], "@"); at >= 0 {
		return raw[:authority] + "…@" + raw[authority+at+1:]
	}
	return raw
}

// validateURL checks the URL setting; every message quotes it without credentials.
func validateURL(raw string) error {
	label := Spec(KeyURL).Label
	raw = strings.TrimSpace(raw)
	// Neither credentials nor a query (which may hold a token) are ever quoted, nor a page of
	// text pasted by mistake.
	shown := StripCredentials(raw)
	if i := strings.IndexAny(shown, "?#"); i >= 0 {
		shown = shown[:i] + "…"
	}
	if r := []rune(shown); len(r) > 120 {
		shown = string(r[:120]) + "…"
	}
	_, err := agentsight.ParseBaseURL(raw)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, agentsight.ErrURLMissing):
		return fmt.Errorf("settings: %s is missing", label)
	case errors.Is(err, agentsight.ErrURLUnparsable):
		return fmt.Errorf("settings: %s %q is not a valid URL (check the host and port)", label, shown)
	case errors.Is(err, agentsight.ErrURLCredentials):
		return fmt.Errorf("settings: %s must not contain a user name or password: put the key in the API key field", label)
	case errors.Is(err, agentsight.ErrURLScheme):
		return fmt.Errorf("settings: %s %q must start with http:// or https://", label, shown)
	case errors.Is(err, agentsight.ErrURLNoHost):
		return fmt.Errorf("settings: %s %q has no host", label, shown)
	case errors.Is(err, agentsight.ErrURLQuery):
		return fmt.Errorf("settings: %s %q must not have a query or fragment", label, shown)
	}
	return fmt.Errorf("settings: %s %q is not valid", label, shown)
}
