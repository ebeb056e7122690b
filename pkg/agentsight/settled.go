package agentsight

import (
	"context"
	"fmt"
	"time"
)

// Settled says which conversations a refresh may take from what an earlier read of the same
// listing returned rather than from the API: those that started before Before (the caller's
// now minus its settle time), for at most MaxAge after they were read, so that deletions and
// late changes show eventually. The zero value reuses nothing.
type Settled struct {
	Before time.Time
	MaxAge time.Duration
}

func (s Settled) on() bool { return !s.Before.IsZero() && s.MaxAge > 0 }

// settledRows are every conversation a listing's filters select that started in [from, end),
// newest first. An entry is never changed once stored: a refresh that
// extends it stores a new one.
type settledRows struct {
	from, end time.Time
	rows      []Conversation
	expires   time.Time
}

// settledKey names a listing whatever its range: its other filters and the detail decoded.
func settledKey(f Filters, detail Detail) string {
	f.StartedAfter, f.StartedBefore = time.Time{}, time.Time{}
	return fmt.Sprintf("settled rows %+v\x00%s", detail, f.Values().Encode())
}

// listSettled answers req from the settled rows an earlier read kept and the API's rows
// since, [settled end, to], when the kept rows cover the range's start; nil (and nothing
// sent) when they do not, or when the tail is incomplete (cut at the limit, or with a
// problem), for the full read to report. A caller that counts (Visit or Choose) gets nil too
// when the range holds more rows than its limit: it plans that case as a first read does.
// The tail's rows win over the kept ones of the same id: a conversation whose start moved
// is where the API last put it.
func (c *Client) listSettled(ctx context.Context, req ListRequest) (*Listing, error) {
	f, s := req.Filters, req.Settled
	if c.cache == nil || !s.on() || f.StartedAfter.IsZero() || f.StartedBefore.IsZero() {
		return nil, nil
	}
	key := settledKey(f, req.Detail)
	v, found := c.cache.value(key)
	if !found {
		return nil, nil
	}
	kept := v.(*settledRows)
	if f.StartedAfter.Before(kept.from) || !f.StartedAfter.Before(kept.end) {
		return nil, nil
	}
	var tail []Conversation
	tailRead := !kept.end.After(f.StartedBefore)
	if tailRead {
		t := req
		t.Filters.StartedAfter, t.Visit, t.Choose, t.Settled = kept.end, nil, nil, Settled{}
		first, err := c.listPage(ctx, t.Filters, 1, c.pageSize, t.Detail, true)
		if err != nil {
			return nil, err
		}
		read, err := c.readAll(ctx, t, first)
		if err != nil {
			return nil, err
		}
		if read.Truncated || len(read.Problems) > 0 {
			return nil, nil
		}
		tail = read.Conversations
	}
	inTail := make(map[int64]struct{}, len(tail))
	for i := range tail {
		inTail[tail[i].ID] = struct{}{}
	}
	merged := make([]Conversation, 0, len(tail)+len(kept.rows))
	merged = append(merged, tail...)
	for _, conv := range kept.rows {
		if _, moved := inTail[conv.ID]; !moved {
			merged = append(merged, conv)
		}
	}
	if tailRead {
		c.extendSettled(key, kept, f, merged, s)
	}
	// The settled rows and the tail are every row of the range: a cut at limit is the one a
	// full read makes, with the count the range holds.
	rows, cut := finishRows(merged, f, MaxListRows)
	listing := &Listing{Count: len(rows), Plan: "settled listing"}
	if cut || len(rows) > req.Limit {
		if req.Visit != nil || req.Choose != nil {
			return nil, nil
		}
		rows, listing.Truncated = rows[:req.Limit], true
	}
	for i := range rows {
		if _, fromTail := inTail[rows[i].ID]; !fromTail {
			listing.Reused++
		}
	}
	listing.Conversations = rows
	if req.Visit != nil {
		req.Visit(rows)
		listing.Conversations = nil
	}
	return listing, nil
}

// keepSettled keeps the settled part of listing, a full read of req, for later refreshes; a
// listing that is cut or has problems is not complete, and is not kept.
func (c *Client) keepSettled(req ListRequest, listing *Listing) {
	f, s := req.Filters, req.Settled
	if c.cache == nil || !s.on() || listing == nil || listing.Truncated || len(listing.Problems) > 0 ||
		f.StartedAfter.IsZero() || f.StartedBefore.IsZero() {
		return
	}
	end := settledEnd(f, s)
	if !f.StartedAfter.Before(end) {
		return
	}
	rows, ok := startedIn(listing.Conversations, f.StartedAfter, end)
	if !ok {
		return
	}
	c.storeSettled(settledKey(f, req.Detail), &settledRows{from: f.StartedAfter, end: end, rows: rows, expires: time.Now().Add(s.MaxAge)})
}

// extendSettled stores the rows of merged (the kept rows and the tail, by id) that have
// settled since, keeping kept's expiry: settled rows are reused for MaxAge after the full
// read, however often extended. Until then a conversation deleted, or whose start moved into
// the settled part, after it was kept is shown as it was kept: the staleness settledMaxAge
// bounds.
func (c *Client) extendSettled(key string, kept *settledRows, f Filters, merged []Conversation, s Settled) {
	end := settledEnd(f, s)
	if !end.After(kept.end) {
		return
	}
	rows, ok := startedIn(merged, kept.from, end)
	if !ok {
		return
	}
	c.storeSettled(key, &settledRows{from: kept.from, end: end, rows: rows, expires: kept.expires})
}

// settledEnd is where the settled rows a read of f completes end (exclusive): at s.Before,
// or just after the end of f's range (inclusive) when it ends earlier, so that reading the
// same settled range again sends nothing. A microsecond is the API's precision.
func settledEnd(f Filters, s Settled) time.Time {
	if end := f.StartedBefore.Add(time.Microsecond); end.Before(s.Before) {
		return end
	}
	return s.Before
}

// startedIn copies the rows that started in [from, end), newest first; false when a row has
// no start, which no range can then place.
func startedIn(convs []Conversation, from, end time.Time) ([]Conversation, bool) {
	out := make([]Conversation, 0, len(convs))
	for i := range convs {
		t := convs[i].StartedAt
		if t == nil {
			return nil, false
		}
		if !t.Before(from) && t.Before(end) {
			out = append(out, convs[i])
		}
	}
	sortNewestFirst(out)
	return out, true
}

func (c *Client) storeSettled(key string, kept *settledRows) {
	var size int64
	for i := range kept.rows {
		size += conversationSize(&kept.rows[i])
	}
	// As for a listing's pages: rows that would fill more than half the cache would push
	// out what the other panels share.
	if !c.cache.holds(size) {
		return
	}
	c.cache.putValue(key, kept, size, kept.expires)
}

// minConversationSize is the least conversationSize counts for a row.
const minConversationSize = 256

// keepsRows says whether a listing that would stream its rows (Visit) holds them instead, to
// keep them as settled data: only with settled data on, and only if they fit what the cache
// may keep.
func (c *Client) keepsRows(req ListRequest, count int) bool {
	return req.Settled.on() && c.cache.holds(int64(min(count, req.Limit))*minConversationSize)
}

// conversationSize is about what a decoded conversation holds in memory, for the cache's
// budget.
func conversationSize(conv *Conversation) int64 {
	n := minConversationSize + len(conv.ConversationID) + len(conv.CustomerID) + len(conv.Language) + len(conv.Device)
	if g := conv.GeoLocation; g != nil {
		n += 64 + len(g.IPAddress) + len(g.City) + len(g.Country)
	}
	for _, m := range conv.Messages {
		n += 96 + len(m.Sender) + len(m.Content)
		for _, a := range m.Attachments {
			n += 128 + len(a.Type) + len(a.FileURL) + len(a.Filename) + len(a.MimeType)
		}
	}
	return int64(n)
}

// Count is the number of conversations f selects, asked with one page_size=1 request. When
// the whole of f's range started before s.Before, the count is kept and reused for
// s.MaxAge; a range that is not settled, or bounded on one side only, is counted each time.
// reused says whether the count came from settled data.
func (c *Client) Count(ctx context.Context, f Filters, s Settled) (n int, reused bool, err error) {
	settled := c.cache != nil && s.on() && !f.StartedAfter.IsZero() && !f.StartedBefore.IsZero() && f.StartedBefore.Before(s.Before)
	key := "settled count\x00" + f.Values().Encode()
	if settled {
		if v, ok := c.cache.value(key); ok {
			return v.(int), true, nil
		}
	}
	p, err := c.listPage(ctx, f, 1, 1, Summary, true)
	if err != nil {
		return 0, false, err
	}
	if settled {
		c.cache.putValue(key, p.Count, 64, time.Now().Add(s.MaxAge))
	}
	return p.Count, false, nil
}
