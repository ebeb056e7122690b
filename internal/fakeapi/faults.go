package fakeapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// FaultKind selects how a Fault breaks a response.
type FaultKind int

// Fault kinds. The ones that alter a body (BrokenJSON … CountMismatch) only
// touch 200 responses, so a fault never turns an auth error into success.
const (
	FaultStatus        FaultKind = iota + 1 // Status (default 500) with a DRF-style {"detail": …}
	FaultHTMLError                          // Status (default 502) with an HTML page, as a proxy sends
	FaultBrokenJSON                         // 200 with the real body cut in half
	FaultWrongTypes                         // 200 with "count" and every "id" as strings
	FaultBadTimestamp                       // 200 with every started_at "not-a-date"
	FaultSlowBody                           // 200, the real body in small flushed chunks, Delay apart
	FaultNextOtherHost                      // "next" points at http://evil.example.invalid/…
	FaultNextLoop                           // "next" points at the page just served
	FaultCountMismatch                      // "count" ten times too large
	FaultHugeBody                           // 200 with HugeBodySize bytes of padding in a JSON string
	FaultHang                               // no answer until the client gives up or Close is called
)

// EvilHost is where FaultNextOtherHost sends the client.
const EvilHost = "evil.example.invalid"

// HugeBodySize is the padding FaultHugeBody sends; larger than any sane page.
const HugeBodySize = 64 << 20

// slowChunk is how many bytes FaultSlowBody writes between pauses.
const slowChunk = 128

func (k FaultKind) String() string {
	names := [...]string{FaultStatus: "status", FaultHTMLError: "html-error", FaultBrokenJSON: "broken-json",
		FaultWrongTypes: "wrong-types", FaultBadTimestamp: "bad-timestamp", FaultSlowBody: "slow-body",
		FaultNextOtherHost: "next-other-host", FaultNextLoop: "next-loop", FaultCountMismatch: "count-mismatch",
		FaultHugeBody: "huge-body", FaultHang: "hang"}
	if k > 0 && int(k) < len(names) {
		return names[k]
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault describes a misbehaviour injected with AddFault.
type Fault struct {
	Kind FaultKind
	// Times is how many matching requests the fault hits; 0 means every one.
	Times int
	// PathPrefix limits the fault to requests whose path starts with it; "" matches all.
	PathPrefix string
	Status     int
	RetryAfter string // Retry-After header value for FaultStatus, seconds or an HTTP date
	// Delay is the pause between chunks for FaultSlowBody (default 50ms) and a
	// wait before answering for every other kind.
	Delay time.Duration
}

type faultState struct {
	Fault
	hits int
}

// AddFault appends a fault. A request meets the first fault, in the order
// added, whose PathPrefix matches and whose Times are not used up.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	s.faults = append(s.faults, &faultState{Fault: f})
	s.mu.Unlock()
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

var statusDetails = map[int]string{
	http.StatusTooManyRequests:     "Request was throttled.",
	http.StatusInternalServerError: "A server error occurred.",
	http.StatusServiceUnavailable:  "Service temporarily unavailable, try again later.",
}

// serveFault answers the kinds that replace the response outright and
// reports whether it did.
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	switch f.Kind {
	case FaultStatus:
		st := f.Status
		if st == 0 {
			st = http.StatusInternalServerError
		}
		msg, ok := statusDetails[st]
		if !ok {
			msg = http.StatusText(st)
		}
		if st == http.StatusTooManyRequests {
			if secs, err := strconv.Atoi(f.RetryAfter); err == nil {
				msg = fmt.Sprintf("Request was throttled. Expected available in %d seconds.", secs)
			}
		}
		resp := detail(st, msg)
		if f.RetryAfter != "" {
			resp.header.Set("Retry-After", f.RetryAfter)
		}
		writeResponse(w, resp)
	case FaultHTMLError:
		st := f.Status
		if st == 0 {
			st = http.StatusBadGateway
		}
		body := fmt.Sprintf("<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
			st, http.StatusText(st), st, http.StatusText(st))
		writeResponse(w, response{status: st, header: http.Header{"Content-Type": {"text/html"}}, body: []byte(body)})
	case FaultHugeBody:
		s.writeHuge(w, r)
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
	default:
		return false
	}
	return true
}

func (s *Server) writeHuge(w http.ResponseWriter, r *http.Request) {
	// No Content-Length: the client must cap what it reads, not trust a header.
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte(`{"count":1,"padding":"`)); err != nil {
		return
	}
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	for written := 0; written < HugeBodySize; written += len(chunk) {
		if r.Context().Err() != nil {
			return
		}
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
	_, _ = w.Write([]byte(`","next":null,"previous":null,"results":[]}`))
}

func (s *Server) writeSlowly(w http.ResponseWriter, r *http.Request, resp response, delay time.Duration) {
	if delay <= 0 {
		delay = 50 * time.Millisecond
	}
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.status)
	rc := http.NewResponseController(w)
	for body := resp.body; len(body) > 0; {
		n := min(slowChunk, len(body))
		if _, err := w.Write(body[:n]); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
		body = body[n:]
		if len(body) > 0 && !s.sleep(r.Context(), delay) {
			return
		}
	}
}

// transform applies the body-altering kinds to a 200 response.
func (s *Server) transform(r *http.Request, resp response, f *Fault) response {
	if f.Kind == FaultBrokenJSON {
		resp.body = resp.body[:len(resp.body)/2]
		return resp
	}
	if f.Kind == FaultSlowBody {
		return resp
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(resp.body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return resp
	}
	_, isPage := doc["results"]
	switch f.Kind {
	case FaultWrongTypes:
		if c, ok := doc["count"].(json.Number); ok {
			doc["count"] = c.String()
		}
		stringifyIDs(doc)
	case FaultBadTimestamp:
		walk(doc, func(m map[string]any) {
			if _, ok := m["started_at"]; ok {
				m["started_at"] = "not-a-date"
			}
		})
	case FaultNextOtherHost:
		if isPage {
			page := 1
			if n, err := strconv.Atoi(last(r.URL.Query(), "page")); err == nil {
				page = n
			}
			doc["next"] = pageURL(r, EvilHost, page+1)
		}
	case FaultNextLoop:
		if isPage {
			doc["next"] = absoluteURL(r, r.Host, r.URL.Query())
		}
	case FaultCountMismatch:
		if c, ok := doc["count"].(json.Number); ok {
			n, _ := c.Int64()
			doc["count"] = max(n*10, 10)
		}
	}
	resp.body = marshal(doc)
	return resp
}

func walk(v any, fn func(map[string]any)) {
	switch t := v.(type) {
	case map[string]any:
		fn(t)
		for _, x := range t {
			walk(x, fn)
		}
	case []any:
		for _, x := range t {
			walk(x, fn)
		}
	}
}

func stringifyIDs(v any) {
	walk(v, func(m map[string]any) {
		if id, ok := m["id"].(json.Number); ok {
			m["id"] = id.String()
		}
	})
}
