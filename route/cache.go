package route

import (
	"container/list"
	"sync"
	"sync/atomic"
)

// planCache keeps the parsed form of recently routed statements, keyed by
// their text. The parsed AST is never modified after parsing (routing
// reads it and rewrites into copies), so one entry serves concurrent
// calls.
type planCache struct {
	mu      sync.Mutex
	size    int
	entries map[string]*list.Element
	lru     list.List // of *parsed, most recently used first

	hits, misses atomic.Uint64
}

func newPlanCache(size int) *planCache {
	return &planCache{size: size, entries: make(map[string]*list.Element, size)}
}

func (c *planCache) get(sql string) (*parsed, bool) {
	c.mu.Lock()
	e, ok := c.entries[sql]
	if ok {
		c.lru.MoveToFront(e)
	}
	c.mu.Unlock()
	if !ok {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return e.Value.(*parsed), true
}

func (c *planCache) put(p *parsed) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[p.sql]; ok {
		return
	}
	c.entries[p.sql] = c.lru.PushFront(p)
	for c.lru.Len() > c.size {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.entries, old.Value.(*parsed).sql)
	}
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
	n := r.cache.lru.Len()
	r.cache.mu.Unlock()
	return CacheStats{Hits: r.cache.hits.Load(), Misses: r.cache.misses.Load(), Entries: n}
}
