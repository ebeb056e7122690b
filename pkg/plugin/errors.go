package plugin

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// queryError is a mistake in the query itself, reported to the user as is.
type queryError struct{ msg string }

func (e *queryError) Error() string { return e.msg }

func badQuery(format string, args ...any) error {
	return &queryError{msg: fmt.Sprintf(format, args...)}
}

// describe words an error as the design's error table does, and says whose fault it is.
func (d *Datasource) describe(err error, conversationID int64) (backend.Status, backend.ErrorSource, string) {
	var qe *queryError
	if errors.As(err, &qe) {
		return backend.StatusBadRequest, backend.ErrorSourceDownstream, qe.msg
	}
	var pe *agentsight.PanicError
	if errors.As(err, &pe) {
		return backend.StatusInternal, backend.ErrorSourcePlugin, internalErrorText
	}
	var apiErr *agentsight.Error
	if !errors.As(err, &apiErr) {
		if errors.Is(err, context.Canceled) {
			return backend.StatusBadRequest, backend.ErrorSourceDownstream, "the query was cancelled"
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return backend.StatusTimeout, backend.ErrorSourceDownstream, "the query timed out"
		}
		return backend.StatusInternal, backend.ErrorSourcePlugin, d.scrub(err.Error())
	}
	host := d.settings.URL
	switch apiErr.Kind {
	case agentsight.KindUnauthorized:
		return backend.StatusUnauthorized, backend.ErrorSourceDownstream, "AgentSight rejected the API key (401 Unauthorized)"
	case agentsight.KindForbidden:
		return backend.StatusForbidden, backend.ErrorSourceDownstream, "the API key is not allowed to read this agent's conversations (403 Forbidden)"
	case agentsight.KindNotFound:
		if conversationID > 0 {
			return backend.StatusNotFound, backend.ErrorSourceDownstream, fmt.Sprintf("conversation %d not found", conversationID)
		}
		return backend.StatusNotFound, backend.ErrorSourceDownstream, d.scrub(fmt.Sprintf("AgentSight answered 404 Not Found for GET %s: %s", apiErr.Endpoint, apiErr.Detail))
	case agentsight.KindBadRequest:
		detail := apiErr.Detail
		if detail == "" {
			detail = "invalid parameters"
		}
		return backend.StatusBadRequest, backend.ErrorSourceDownstream, d.scrub("AgentSight rejected the query (400 Bad Request): " + detail)
	case agentsight.KindRateLimited:
		return backend.StatusTooManyRequests, backend.ErrorSourceDownstream, "AgentSight is rate limiting this API key (429 Too Many Requests) and kept refusing after retries; try again later or raise the cache TTL"
	case agentsight.KindServer:
		return backend.StatusBadGateway, backend.ErrorSourceDownstream, fmt.Sprintf("AgentSight answered %d %s for GET %s", apiErr.StatusCode, http.StatusText(apiErr.StatusCode), apiErr.Endpoint)
	case agentsight.KindNetwork:
		if errors.Is(apiErr.Err, context.Canceled) {
			return backend.StatusBadRequest, backend.ErrorSourceDownstream, "the query was cancelled"
		}
		if errors.Is(apiErr.Err, context.DeadlineExceeded) {
			return backend.StatusTimeout, backend.ErrorSourceDownstream, fmt.Sprintf("AgentSight at %s did not answer in time (the timeout setting, or the query's deadline)", host)
		}
		return backend.StatusBadGateway, backend.ErrorSourceDownstream, d.scrub(fmt.Sprintf("could not reach AgentSight at %s: %v", host, apiErr.Err))
	default: // KindDecode, KindRefused
		msg := apiErr.Detail
		if apiErr.Err != nil {
			if msg != "" {
				msg += ": "
			}
			msg += apiErr.Err.Error()
		}
		return backend.StatusBadGateway, backend.ErrorSourceDownstream, d.scrub(fmt.Sprintf("unexpected response from AgentSight: %s (GET %s)", msg, apiErr.Endpoint))
	}
}

// internalErrorText is what a user sees of a bug (a recovered panic): the log has the rest.
const internalErrorText = "internal error in the AgentSight plugin; see the Grafana server log"

// scrub removes the API key from text that leaves the plugin, in any JSON-escaped form too.
// Nothing should contain it; this is the last line of defence should a future message quote
// a header or a body.
// (A key shorter than 4 characters is not looked for: it would blank out ordinary words.)
func (d *Datasource) scrub(s string) string {
	if len(d.settings.APIKey) < 4 {
		return s
	}
	return agentsight.Redact(s, d.settings.APIKey)
}
