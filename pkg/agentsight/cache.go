package agentsight

import (
	"container/list"
	"sync"
	"time"
	"weak"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

// Budget is the memory a plugin process keeps between queries: response bodies and the values
// kept with them (settled rows, see settled.go), for every data source instance it serves.
// Entries are evicted least recently used first whichever instance they belong to, and each
// expires after its own time. Every client has a namespace of its own in the budget (see
// responseCache): no entry is ever read by another client, whatever their URLs or keys.
// The plugin makes one Budget per process; it is safe for concurrent use.
type Budget struct {
	maxBytes int64
	now      func() time.Time

	mu        sync.Mutex
	bytes     int64
	order     *list.List // front = most recently used, across namespaces
	spaces    map[uint64]map[string]*list.Element
	nextSpace uint64
	sweeper   *time.Timer // armed while the budget holds entries
	sweepAt   time.Time   // when it fires
}

// NewBudget returns a budget of maxBytes; 0 or less keeps nothing.
func NewBudget(maxBytes int64) *Budget {
	return &Budget{maxBytes: max(maxBytes, 0), now: time.Now, order: list.New(), spaces: map[uint64]map[string]*list.Element{}}
}

// MaxBytes is what the budget may hold.
func (b *Budget) MaxBytes() int64 { return b.maxBytes }

// Bytes is what the budget holds now.
func (b *Budget) Bytes() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bytes
}

// responseCache is one client's namespace in a Budget: response bodies by endpoint (path and
// normalised query; the key is in a header and never part of it) for a TTL, and values kept
// with the same eviction. Its entries are its own: the namespace is a number no other client
// has, so two data sources never read each other's entries even with the same URL and
// endpoint, and close drops them all at once. Expired entries are dropped by the budget's
// timer, so that a data source nobody queries any more does not hold its last dashboard's
// responses.
type responseCache struct {
	budget *Budget
	space  uint64
	ttl    time.Duration
	closed bool // guarded by budget.mu
}

// cacheEntry is a response body, or a value the client keeps with the same budget and
// eviction (settled rows, see settled.go).
type cacheEntry struct {
	space   uint64
	key     string
	body    []byte
	value   any
	size    int64
	expires time.Time
}

// newResponseCache opens a new namespace in b, whose bodies live for ttl.
func newResponseCache(b *Budget, ttl time.Duration) *responseCache {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.nextSpace++
	return &responseCache{budget: b, space: b.nextSpace, ttl: ttl}
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
	b := c.budget
	b.mu.Lock()
	defer b.mu.Unlock()
	el, ok := b.spaces[c.space][key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if !b.now().Before(e.expires) {
		b.remove(el)
		return nil, false
	}
	b.order.MoveToFront(el)
	return e, true
}

// holds says whether n more bytes fit in half the process's budget; false without a cache.
// Half the shared budget, not a share per instance: a data source's large listing may push
// out other data sources' least recently used entries (that is the budget's eviction), but
// never more than half of what the process keeps, and a share per instance would stop
// refreshes from reusing anything as soon as many data sources exist.
func (c *responseCache) holds(n int64) bool {
	return c != nil && n <= c.budget.maxBytes/2
}

func (c *responseCache) put(key string, body []byte) {
	c.budget.store(c, &cacheEntry{key: key, body: body, size: int64(len(body) + len(key)), expires: c.budget.now().Add(c.ttl)})
}

// putValue keeps v, of about size bytes, under key until expires, within the budget the
// responses share: what a refresh reuses competes for the same memory, and goes with it.
func (c *responseCache) putValue(key string, v any, size int64, expires time.Time) {
	c.budget.store(c, &cacheEntry{key: key, value: v, size: size + int64(len(key)), expires: expires})
}

// close drops the namespace's entries at once and keeps nothing more in it: the data
// source it served was replaced.
func (c *responseCache) close() {
	b := c.budget
	b.mu.Lock()
	defer b.mu.Unlock()
	c.closed = true
	for _, el := range b.spaces[c.space] {
		b.remove(el)
	}
	delete(b.spaces, c.space)
	if b.order.Len() == 0 {
		b.stopSweep()
	}
}

func (b *Budget) store(c *responseCache, e *cacheEntry) {
	if e.size > b.maxBytes {
		return
	}
	e.space = c.space
	b.mu.Lock()
	defer b.mu.Unlock()
	if c.closed {
		return
	}
	if el, ok := b.spaces[c.space][e.key]; ok {
		b.remove(el)
	}
	// Looked up after the removal, which drops a namespace's map with its last entry.
	space := b.spaces[c.space]
	if space == nil {
		space = map[string]*list.Element{}
		b.spaces[c.space] = space
	}
	space[e.key] = b.order.PushFront(e)
	b.bytes += e.size
	for b.bytes > b.maxBytes {
		b.remove(b.order.Back())
	}
	// Settled rows live for hours and responses for a minute: an entry that expires before
	// the armed sweep brings it forward.
	if b.sweeper == nil || e.expires.Before(b.sweepAt) {
		b.stopSweep()
		b.armSweep(max(e.expires.Sub(b.now()), 0))
		b.sweepAt = e.expires
	}
}

// armSweep has the timer sweep the budget after d. The timer holds the budget weakly, so that
// a budget nobody uses any more (a test's) is still collected, entries and all, rather than
// kept until its entries expire.
func (b *Budget) armSweep(d time.Duration) {
	budget := weak.Make(b)
	b.sweeper = time.AfterFunc(d, func() {
		if b := budget.Value(); b != nil {
			if err := Contain(func() error { b.sweep(); return nil }); err != nil {
				// No query waits for a sweep: log the bug and start afresh rather than let
				// the timer's goroutine end the process.
				log.DefaultLogger.Error("the response cache's sweep panicked; cache emptied", "error", err, "stack", string(err.(*PanicError).Stack))
				b.reset()
			}
		}
	})
}

// sweep drops the expired entries and, while entries remain, comes back when the next one
// expires.
func (b *Budget) sweep() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweeper = nil
	now := b.now()
	var next time.Time
	for el := b.order.Back(); el != nil; {
		prev := el.Prev()
		if e := el.Value.(*cacheEntry); !now.Before(e.expires) {
			b.remove(el)
		} else if next.IsZero() || e.expires.Before(next) {
			next = e.expires
		}
		el = prev
	}
	if !next.IsZero() {
		b.armSweep(next.Sub(now))
		b.sweepAt = next
	}
}

// reset drops every entry of every namespace and stops the sweep.
func (b *Budget) reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopSweep()
	b.order.Init()
	clear(b.spaces)
	b.bytes = 0
}

func (b *Budget) stopSweep() {
	if b.sweeper != nil {
		b.sweeper.Stop()
		b.sweeper = nil
	}
}

func (b *Budget) remove(el *list.Element) {
	e := b.order.Remove(el).(*cacheEntry)
	if space := b.spaces[e.space]; space != nil {
		delete(space, e.key)
		if len(space) == 0 {
			delete(b.spaces, e.space)
		}
	}
	b.bytes -= e.size
}
