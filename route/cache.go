package route

import (
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
)

// planCache keeps the parsed form of recently routed statements, keyed by
// their text. The parsed AST is never modified after parsing (routing
// reads it and rewrites into copies), so one entry serves concurrent
// calls.
//
// Recency is kept CLOCK-style, not as an LRU list: a hit only sets its
// entry's used flag (a plain atomic, already set on every hit of a hot
// statement: no write at all), and eviction sweeps a ring, giving each
// used entry a second chance. The hazard an LRU list had: every hit moved
// its element to the front under the one mutex, so concurrent statements
// serialized on the cache's lock and its cache lines even when they all
// hit.
//
// A hit takes no lock and writes no shared line (issue 16, round 9):
// entries is a sync.Map, whose Load of a present key is a lock-free read,
// and the hit and miss counts are striped (hitStripes: one stripe chosen
// at random per lookup, each on cache lines of its own, summed by
// CacheStats). Before, each hit took the read lock (an RWMutex.RLock
// writes its reader count: one cache line every concurrent statement
// wrote) and added to one hit counter. mu now serializes only put, which
// keeps entries and ring in step: a key is in entries exactly when its
// entry is in ring (a lookup between put's Store and its ring update, or
// between an eviction's Delete and the ring slot's reuse, sees the map
// alone, which is a correct answer either way: a parse is immutable).
type planCache struct {
	entries sync.Map // statement key → *cacheEntry

	mu   sync.Mutex // guards ring, hand and put's check-then-store
	size int
	ring []*cacheEntry // the entries in insertion slots, swept by hand
	hand int

	counts [hitStripes]hitStripe
}

// hitStripes is how many stripes the hit and miss counts have (more than
// the cores a process usually has, so that concurrent lookups rarely
// pick one stripe).
const hitStripes = 8

// hitStripe is one stripe of the hit and miss counts, padded before it so
// that no two stripes share a 64-byte cache line (nor a 128-byte pair).
type hitStripe struct {
	_            [128]byte
	hits, misses atomic.Uint64
}

// stripe returns the stripe a lookup counts in.
func (c *planCache) stripe() *hitStripe {
	return &c.counts[rand.Uint32()%hitStripes]
}

// cacheEntry is one cached parse and whether it was used since the sweep
// last passed it.
type cacheEntry struct {
	p    *parsed
	used atomic.Bool
	// gone: put evicted the entry (set before its Delete). A ParseMemo
	// that holds it answers no more.
	gone atomic.Bool
}

// ParseMemo is a caller's memo of the last statement its routing found in
// the plan cache (Options.Memo): a connection that runs one statement
// text again and again finds its parse without the statement-key scan
// and the cache's hashed lookup. The zero value is ready to use; a memo
// must not be used by concurrent routings (a database/sql connection's
// calls are serialized).
//
// The hazards, and how each is kept:
//   - The answer must be the cache's: a memo answers only for the text
//     it saw (compared whole: the same string is compared by pointer
//     first), on the router it was filled by (another router's parse
//     carries another topology's shortcuts), while its entry is in the
//     cache (gone is set when put evicts it). A text the cache would miss
//     misses, is parsed and put as without the memo.
//   - The counts and the eviction order are the cache's: a memo hit is
//     counted as a hit and marks the entry used, as get does.
//   - Retention: the memo keeps the last text and its entry (the parse)
//     reachable until the next statement fills it, an evicted one too.
//   - The stripe (perf17): a memo hit counts in the stripe drawn when the
//     memo was filled (st), not in one drawn per hit (math/rand/v2 per
//     statement). st is always drawn from the cache of the router the
//     memo is filled by, in the same assignment (a filled memo is
//     written whole), and a hit is taken only on that router (m.r == r):
//     a stripe of another router's cache would count the hit there, and
//     this cache's CacheStats would miss it (TestParseMemo routes twice
//     on a second router after the memo was filled on the first). A
//     memo is one connection's, so several connections drawing one
//     stripe share its line as two random draws can.
type ParseMemo struct {
	r   *Router
	sql string
	e   *cacheEntry
	st  *hitStripe
}

// lookup returns the memo's parse of sql, if it holds one that the
// cache still holds.
func (m *ParseMemo) lookup(r *Router, sql string) (*parsed, bool) {
	e := m.e
	if e == nil || m.r != r || m.sql != sql || e.gone.Load() {
		return nil, false
	}
	r.cache.hitAt(e, m.st)
	return e.p, true
}

// statementKey is the text a statement is parsed from and cached under:
// sql without its plain leading and trailing comments.
//
// Hazard: sqlcommenter (and otelsql's, and ORMs' tagging) put a comment
// with a new trace id on every statement, so keyed by the whole text every
// statement would be a cache miss and push the useful entries out. The
// parser skips such comments anyway (node SQL is printed from the parse and
// never held them), so they are left out of the key. Only plain comments
// go: executable (/*! … */, /*M! … */) and optimizer-hint (/*+ … */)
// comments are SQL to the server and stay. The text is scanned once from
// the start, reading strings ('…', "…" with backslash and doubled-quote
// escapes), quoted names and comments as the server does, so a /* inside a
// string is never taken for a comment. Under NO_BACKSLASH_ESCAPES a string
// ending in a backslash reads longer here than on the server, which can
// only keep more text in the key (a cache miss), never cut SQL off.
func statementKey(sql string) string {
	trimmed := strings.TrimSpace(sql)
	if t := trimmed; t != "" && t[0] != '/' && t[0] != '-' && t[0] != '#' && !strings.HasSuffix(t, "*/") &&
		strings.IndexByte(t, '#') < 0 && !strings.Contains(t, "--") {
		return trimmed // no comment can lead or trail
	}
	start, end := -1, 0
	mark := func(a, b int) {
		if start < 0 {
			start = a
		}
		end = b
	}
	n := len(sql)
	for i := 0; i < n; {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '/' && i+1 < n && sql[i+1] == '*':
			j := strings.Index(sql[i+2:], "*/")
			stop := n
			if j >= 0 {
				stop = i + 2 + j + 2
			}
			if j < 0 || !plainComment(sql[i+2:]) {
				mark(i, stop)
			}
			i = stop
		case c == '#' || c == '-' && strings.HasPrefix(sql[i:], "--") && (i+2 == n || sql[i+2] <= ' '):
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				i = n
			} else {
				i += j + 1
			}
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < n {
				if sql[j] == '\\' && c != '`' {
					j += 2
					continue
				}
				if sql[j] == c {
					if j+1 < n && sql[j+1] == c {
						j += 2 // a doubled quote
						continue
					}
					j++
					break
				}
				j++
			}
			if j > n {
				j = n
			}
			mark(i, j)
			i = j
		default:
			j := i + 1
			for j < n && !keySpecial[sql[j]] {
				j++
			}
			mark(i, j)
			i = j
		}
	}
	if start < 0 {
		return ""
	}
	return sql[start:end]
}

// keySpecial are the bytes that may start a comment, a string or a quoted
// name, or be space, for statementKey's scan.
var keySpecial = func() (t [256]bool) {
	for _, c := range " \t\n\r\f\v/-#'\"`" {
		t[c] = true
	}
	return t
}()

// plainComment reports whether a comment whose text (after "/*") is body
// is a plain comment, not an executable or optimizer-hint one.
func plainComment(body string) bool {
	return !strings.HasPrefix(body, "!") && !strings.HasPrefix(body, "M!") && !strings.HasPrefix(body, "+")
}

func newPlanCache(size int) *planCache {
	return &planCache{size: size}
}

func (c *planCache) get(sql string) (*parsed, bool) {
	e, ok := c.getEntry(sql)
	if !ok {
		return nil, false
	}
	return e.p, true
}

// getEntry is get, returning the entry.
func (c *planCache) getEntry(sql string) (*cacheEntry, bool) {
	v, ok := c.entries.Load(sql)
	if !ok {
		c.stripe().misses.Add(1)
		return nil, false
	}
	e := v.(*cacheEntry)
	c.hit(e)
	return e, true
}

// hit counts a hit of e and marks it used.
func (c *planCache) hit(e *cacheEntry) { c.hitAt(e, c.stripe()) }

// hitAt is hit, counted in stripe st (a ParseMemo's).
func (c *planCache) hitAt(e *cacheEntry, st *hitStripe) {
	if !e.used.Load() {
		e.used.Store(true)
	}
	st.hits.Add(1)
}

// put adds p and returns its entry (the one already cached for its text,
// if any).
func (c *planCache) put(p *parsed) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.entries.Load(p.sql); ok {
		return v.(*cacheEntry)
	}
	e := &cacheEntry{p: p}
	c.entries.Store(p.sql, e)
	if len(c.ring) < c.size {
		c.ring = append(c.ring, e)
		return e
	}
	for {
		old := c.ring[c.hand]
		if old.used.Load() {
			old.used.Store(false) // a second chance
			c.hand = (c.hand + 1) % len(c.ring)
			continue
		}
		old.gone.Store(true) // before the Delete: no memo answers for it after (ParseMemo)
		c.entries.Delete(old.p.sql)
		c.ring[c.hand] = e
		c.hand = (c.hand + 1) % len(c.ring)
		return e
	}
}

// sums sums the striped hit and miss counts.
func (c *planCache) sums() (hits, misses uint64) {
	for i := range c.counts {
		hits += c.counts[i].hits.Load()
		misses += c.counts[i].misses.Load()
	}
	return hits, misses
}

// CacheStats are the plan cache's counters.
type CacheStats struct {
	Hits, Misses uint64
	Entries      int
}

// CacheStats reports the plan cache's hits, misses and size (all zero when
// the cache is off).
func (r *Router) CacheStats() CacheStats {
	if r.cache == nil {
		return CacheStats{}
	}
	r.cache.mu.Lock()
	n := len(r.cache.ring)
	r.cache.mu.Unlock()
	hits, misses := r.cache.sums()
	return CacheStats{Hits: hits, Misses: misses, Entries: n}
}
