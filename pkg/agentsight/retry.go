package agentsight

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

type retryPolicy struct {
	maxAttempts int
	base        time.Duration
	max         time.Duration
}

// next says whether a failed attempt is worth another try and how long to wait first. Only
// throttling, gateway failures and dropped connections are retried: any other answer would be
// the same the second time. The wait never runs past the caller's deadline.
func (p retryPolicy) next(ctx context.Context, attempt int, err error) (time.Duration, bool) {
	if attempt >= p.maxAttempts || ctx.Err() != nil {
		return 0, false
	}
	var apiErr *Error
	if !errors.As(err, &apiErr) {
		return 0, false
	}
	switch {
	case apiErr.Kind == KindRateLimited:
	case apiErr.Kind == KindServer && (apiErr.StatusCode == http.StatusBadGateway ||
		apiErr.StatusCode == http.StatusServiceUnavailable || apiErr.StatusCode == http.StatusGatewayTimeout):
	case apiErr.Kind == KindNetwork && isConnectionReset(apiErr.Err):
	default:
		return 0, false
	}
	wait := p.backoff(attempt)
	if apiErr.RetryAfter > 0 {
		// A wait longer than the longest backoff would hang a query that has no deadline;
		// report the 429 (with its Retry-After) instead.
		if apiErr.RetryAfter > p.max {
			return 0, false
		}
		wait = apiErr.RetryAfter
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		return 0, false
	}
	return wait, true
}

// backoff is exponential with full jitter in its upper half, so that many panels throttled
// at once do not come back in step.
func (p retryPolicy) backoff(attempt int) time.Duration {
	d := p.base << (attempt - 1)
	if d <= 0 || d > p.max {
		d = p.max
	}
	half := d / 2
	return half + rand.N(half+1) // #nosec G404 -- backoff jitter spreads retries; it needs no cryptographic randomness
}

func isConnectionReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// parseRetryAfter reads Retry-After as seconds or as an HTTP date; anything else is ignored.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
