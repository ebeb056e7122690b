package agentsight

import (
	"container/list"
	"sync"
	"time"
	"weak"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

// responseCache keeps response bodies by endpoint (path and normalised query; the key is in a
// header and never part of it) for a TTL, evicting the least recently used beyond maxBytes.
// Expired bodies are dropped by a timer, so that a data source nobody queries any more does
// not hold its last dashboard's responses.
type responseCache struct {
	ttl      time.Duration
	maxBytes int64
	now      func() time.Time

	mu      sync.Mutex
	bytes   int64
	order   *list.List // front = most recently used
	entries map[string]*list.Element
	sweeper *time.Timer // armed while the cache holds entries
	sweepAt time.Time   // when it fires
	closed  bool
}

// cacheEntry is a response body, or a value the client keeps with the same budget and
// eviction (settled rows, see settled.go).
type cacheEntry struct {
	key     string
	body    []byte
	value   any
	size    int64
	expires time.Time
}

func newResponseCache(ttl time.Duration, maxBytes int64) *responseCache {
	return &responseCache{ttl: ttl, maxBytes: maxBytes, now: time.Now, order: list.New(), entries: map[string]*list.Element{}}
}

func (c *responseCache) get(key string) ([]byte, bool) {
	e, ok := c.entry(key)
	if !ok {
		return nil, false
	}
	return e.body, true
}

// value is what putValue stored under key, until it expires or is evicted.
func (c *responseCache) value(key string) (any, bool) {
	e, ok := c.entry(key)
	if !ok {
		return nil, false
	}
	return e.value, true
}

func (c *responseCache) entry(key string) (*cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if !c.now().Before(e.expires) {
		c.remove(el)
		return nil, false
	}
	c.order.MoveToFront(el)
	return e, true
}

// holds says whether n more bytes of responses fit in half the cache; false without a cache.
func (c *responseCache) holds(n int64) bool {
	return c != nil && n <= c.maxBytes/2
}

func (c *responseCache) put(key string, body []byte) {
	c.store(&cacheEntry{key: key, body: body, size: int64(len(body) + len(key)), expires: c.now().Add(c.ttl)})
}

// putValue keeps v, of about size bytes, under key until expires, within the budget the
// responses share: what a refresh reuses competes for the same memory, and goes with it.
func (c *responseCache) putValue(key string, v any, size int64, expires time.Time) {
	c.store(&cacheEntry{key: key, value: v, size: size + int64(len(key)), expires: expires})
}

func (c *responseCache) store(e *cacheEntry) {
	key, size := e.key, e.size
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.remove(el)
	}
	if c.closed {
		return
	}
	c.entries[key] = c.order.PushFront(e)
	c.bytes += size
	for c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
	// Settled rows live for hours and responses for a minute: an entry that expires before
	// the armed sweep brings it forward.
	if c.sweeper == nil || e.expires.Before(c.sweepAt) {
		if c.sweeper != nil {
			c.sweeper.Stop()
		}
		c.armSweep(max(e.expires.Sub(c.now()), 0))
		c.sweepAt = e.expires
	}
}

// armSweep has the timer sweep the cache after d. The timer holds the cache weakly, so that
// a client dropped without Close is still collected, bodies and all, rather than kept
// until its entries expire.
func (c *responseCache) armSweep(d time.Duration) {
	cache := weak.Make(c)
	c.sweeper = time.AfterFunc(d, func() {
		if c := cache.Value(); c != nil {
			if err := Contain(func() error { c.sweep(); return nil }); err != nil {
				// No query waits for a sweep: log the bug and start the cache afresh rather
				// than let the timer's goroutine end the process.
				log.DefaultLogger.Error("the response cache's sweep panicked; cache emptied", "error", err, "stack", string(err.(*PanicError).Stack))
				c.reset()
			}
		}
	})
}

// sweep drops the expired entries and, while entries remain, comes back when the next one
// expires.
func (c *responseCache) sweep() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweeper = nil
	if c.closed {
		return
	}
	now := c.now()
	var next time.Time
	for el := c.order.Back(); el != nil; {
		prev := el.Prev()
		if e := el.Value.(*cacheEntry); !now.Before(e.expires) {
			c.remove(el)
		} else if next.IsZero() || e.expires.Before(next) {
			next = e.expires
		}
		el = prev
	}
	if !next.IsZero() {
		c.armSweep(next.Sub(now))
		c.sweepAt = next
	}
}

// close empties the cache for good: the data source it served was replaced.
func (c *responseCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.resetLocked()
}

// reset drops every entry and stops the sweep.
func (c *responseCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resetLocked()
}

func (c *responseCache) resetLocked() {
	if c.sweeper != nil {
		c.sweeper.Stop()
		c.sweeper = nil
	}
	c.order.Init()
	clear(c.entries)
	c.bytes = 0
}

func (c *responseCache) remove(el *list.Element) {
	e := c.order.Remove(el).(*cacheEntry)
	delete(c.entries, e.key)
	c.bytes -= e.size
}
