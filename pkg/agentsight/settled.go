package agentsight

import (
	"context"
	"fmt"
	"slices"
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
// newest first as the API lists them. An entry is never changed once stored: a refresh that
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

// ListSettled is ListAll for a listing read again as its range moves (a dashboard on
// auto-refresh): the settled rows an earlier read kept are reused and only the rest of the
// range, [max(settled end, from), to], is read from the API. It also returns how many rows
// came from settled data. A read it cannot complete that way (nothing kept for the range's
// start, a tail with problems, more rows than limit) is a full ListAll, whose settled part
// is kept for the next refresh.
func (c *Client) ListSettled(ctx context.Context, f Filters, limit int, detail Detail, s Settled) (*Listing, int, error) {
	listing, reused, ok, err := c.ListSettledTail(ctx, f, limit, detail, s)
	if err != nil || ok {
		return listing, reused, err
	}
	listing, err = c.ListAll(ctx, f, limit, detail)
	if err != nil {
		return nil, 0, err
	}
	c.KeepSettled(f, detail, listing, s)
	return listing, 0, nil
}

// ListSettledTail is ListSettled without the full read: ok is false, and nothing is sent,
// when no settled rows cover f's start; ok is also false when the tail it read is
// incomplete (cut at limit, or with a problem), for the caller's full read to report. A
// listing longer than limit is cut as ListAll cuts it (Truncated, with the range's count).
func (c *Client) ListSettledTail(ctx context.Context, f Filters, limit int, detail Detail, s Settled) (listing *Listing, reused int, ok bool, err error) {
	if c.cache == nil || !s.on() || f.StartedAfter.IsZero() || f.StartedBefore.IsZero() {
		return nil, 0, false, nil
	}
	key := settledKey(f, detail)
	v, found := c.cache.value(key)
	if !found {
		return nil, 0, false, nil
	}
	kept := v.(*settledRows)
	if f.StartedAfter.Before(kept.from) || !f.StartedAfter.Before(kept.end) {
		return nil, 0, false, nil
	}
	var tail []Conversation
	tailRead := !kept.end.After(f.StartedBefore)
	if tailRead {
		t := f
		t.StartedAfter = kept.end
		read, err := c.ListAll(ctx, t, limit, detail)
		if err != nil {
			return nil, 0, false, err
		}
		if read.Truncated || len(read.Problems) > 0 {
			return nil, 0, false, nil
		}
		tail = read.Conversations
	}
	merged := make([]Conversation, 0, len(tail)+len(kept.rows))
	merged = append(merged, tail...)
	inTail := make(map[int64]struct{}, len(tail))
	for i := range tail {
		inTail[tail[i].ID] = struct{}{}
	}
	for _, conv := range kept.rows {
		// Rows are newest first: skip those after the range, stop at the first before it.
		if conv.StartedAt.After(f.StartedBefore) {
			continue
		}
		if conv.StartedAt.Before(f.StartedAfter) {
			break
		}
		if _, dup := inTail[conv.ID]; dup {
			continue
		}
		merged = append(merged, conv)
		reused++
	}
	if tailRead {
		c.extendSettled(key, kept, f, tail, s)
	}
	// The settled rows and the tail are every row of the range: a cut at limit is the one a
	// full read makes, with the count the API would report.
	listing = &Listing{Conversations: merged, Count: len(merged)}
	if limit > 0 && len(merged) > limit {
		reused -= len(merged) - max(limit, len(tail))
		listing.Conversations, listing.Truncated = merged[:limit], true
	}
	return listing, reused, true, nil
}

// KeepSettled keeps the settled part of listing, a full read of f, for later refreshes; a
// listing that is cut or has problems is not complete, and is not kept.
func (c *Client) KeepSettled(f Filters, detail Detail, listing *Listing, s Settled) {
	if c.cache == nil || !s.on() || listing == nil || listing.Truncated || len(listing.Problems) > 0 ||
		f.StartedAfter.IsZero() || f.StartedBefore.IsZero() {
		return
	}
	end := settledEnd(f, s)
	if !f.StartedAfter.Before(end) {
		return
	}
	rows, ok := startedBefore(listing.Conversations, end)
	if !ok {
		return
	}
	c.storeSettled(settledKey(f, detail), &settledRows{from: f.StartedAfter, end: end, rows: rows, expires: time.Now().Add(s.MaxAge)})
}

// extendSettled stores kept with the tail's rows that have settled since, keeping kept's
// expiry: settled rows are reused for MaxAge after the full read, however often extended.
func (c *Client) extendSettled(key string, kept *settledRows, f Filters, tail []Conversation, s Settled) {
	end := settledEnd(f, s)
	if !end.After(kept.end) {
		return
	}
	fresh, ok := startedBefore(tail, end)
	if !ok {
		return
	}
	rows := make([]Conversation, 0, len(fresh)+len(kept.rows))
	rows = append(append(rows, fresh...), kept.rows...)
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

// startedBefore copies the rows that started before end; false when a row has no start,
// which no range can then place, or when the rows are not newest first: the settled rows
// follow the tail's only if the API lists by start, newest first, as the merge assumes.
func startedBefore(convs []Conversation, end time.Time) ([]Conversation, bool) {
	first := len(convs) // the first row before end: the rows from there on are kept
	for i := range convs {
		t := convs[i].StartedAt
		if t == nil || (i > 0 && t.After(*convs[i-1].StartedAt)) {
			return nil, false
		}
		if first == len(convs) && t.Before(end) {
			first = i
		}
	}
	return slices.Clone(convs[first:]), true
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

// KeepsSettledRows says whether n rows could be kept as settled data: a caller that would
// otherwise stream them (a count) holds them only then.
func (c *Client) KeepsSettledRows(n int) bool {
	return c.cache.holds(int64(n) * minConversationSize)
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

// CountSettled is CountConversations for f, whose whole range started before s.Before: its
// count is kept and reused for s.MaxAge. A range that is not settled, or bounded on one
// side only, is counted each time. reused says whether the count came from settled data.
func (c *Client) CountSettled(ctx context.Context, f Filters, s Settled) (n int, reused bool, err error) {
	if c.cache == nil || !s.on() || f.StartedAfter.IsZero() || f.StartedBefore.IsZero() || !f.StartedBefore.Before(s.Before) {
		n, err = c.CountConversations(ctx, f)
		return n, false, err
	}
	key := "settled count\x00" + f.Values().Encode()
	if v, ok := c.cache.value(key); ok {
		return v.(int), true, nil
	}
	n, err = c.CountConversations(ctx, f)
	if err == nil {
		c.cache.putValue(key, n, 64, time.Now().Add(s.MaxAge))
	}
	return n, false, err
}
