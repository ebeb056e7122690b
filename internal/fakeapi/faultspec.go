package fakeapi

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FaultKinds lists every kind by the name ParseFault accepts, in declaration order.
func FaultKinds() []FaultKind {
	kinds := make([]FaultKind, 0, FaultHang)
	for k := FaultStatus; k <= FaultHang; k++ {
		kinds = append(kinds, k)
	}
	return kinds
}

// FaultSpecHelp describes ParseFault's syntax, for a command's -h.
func FaultSpecHelp() string {
	names := make([]string, 0, FaultHang)
	for _, k := range FaultKinds() {
		names = append(names, k.String())
	}
	return "KIND[,status=N][,times=N][,path=/prefix][,retry-after=S][,delay=D]; KIND is one of " +
		strings.Join(names, ", ")
}

// ParseFault reads a fault written as KIND[,key=value…], the form the
// agentsight-fake command takes in -fault, e.g.
//
//	status,status=429,retry-after=2,times=3
//	slow-body,delay=200ms,path=/api/conversations/
//
// Keys: status (an HTTP status, 400–599), times (how many requests it hits; 0,
// the default, means all), path (a path prefix), retry-after (a Retry-After
// value in seconds) and delay (a Go duration).
func ParseFault(spec string) (Fault, error) {
	parts := strings.Split(strings.TrimSpace(spec), ",")
	var f Fault
	for _, k := range FaultKinds() {
		if parts[0] == k.String() {
			f.Kind = k
		}
	}
	if f.Kind == 0 {
		return Fault{}, fmt.Errorf("unknown fault kind %q (want %s)", parts[0], FaultSpecHelp())
	}
	seen := map[string]bool{}
	for _, p := range parts[1:] {
		key, value, ok := strings.Cut(p, "=")
		if !ok || value == "" {
			return Fault{}, fmt.Errorf("fault %s: %q is not key=value", f.Kind, p)
		}
		if seen[key] {
			return Fault{}, fmt.Errorf("fault %s: %s is given twice", f.Kind, key)
		}
		seen[key] = true
		var err error
		switch key {
		case "status":
			f.Status, err = strconv.Atoi(value)
			if err == nil && (f.Status < 400 || f.Status > 599) {
				err = fmt.Errorf("%d is not an error status (400–599)", f.Status)
			}
		case "times":
			f.Times, err = strconv.Atoi(value)
			if err == nil && f.Times < 0 {
				err = fmt.Errorf("%d is negative", f.Times)
			}
		case "path":
			f.PathPrefix = value
			if !strings.HasPrefix(value, "/") {
				err = fmt.Errorf("%q does not start with /", value)
			}
		case "retry-after":
			// Seconds only: an HTTP date has a comma, which separates keys here.
			f.RetryAfter = value
			if secs, numErr := strconv.Atoi(value); numErr != nil || secs < 0 {
				err = fmt.Errorf("%q is not a number of seconds", value)
			}
		case "delay":
			f.Delay, err = time.ParseDuration(value)
			if err == nil && f.Delay < 0 {
				err = fmt.Errorf("%s is negative", value)
			}
		default:
			return Fault{}, fmt.Errorf("fault %s: unknown key %q (want status, times, path, retry-after or delay)", f.Kind, key)
		}
		if err != nil {
			return Fault{}, fmt.Errorf("fault %s: %s: %w", f.Kind, key, err)
		}
	}
	if f.Status != 0 && f.Kind != FaultStatus && f.Kind != FaultHTMLError {
		return Fault{}, fmt.Errorf("fault %s: status applies to the status and html-error kinds only", f.Kind)
	}
	if f.RetryAfter != "" && f.Kind != FaultStatus {
		return Fault{}, fmt.Errorf("fault %s: retry-after applies to the status kind only", f.Kind)
	}
	return f, nil
}
