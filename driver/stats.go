package driver

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/shardsql/shardsql/route"
)

// ConnectorStats is what a Connector has done since it was opened, and its
// data sources' pools now.
type ConnectorStats struct {
	// DataSources holds every data source's pool statistics, by data
	// source name: the pools shardsql opened and those given with
	// Topology.AddDB alike.
	DataSources map[string]sql.DBStats
	// Statements counts the statements routed, by kind ("select",
	// "insert", "update", "delete", "ddl", "other"). A multi-statement
	// string counts each of its statements.
	Statements map[string]uint64
	// Units is the number of node statements the statements were planned
	// into; MultiNode the statements planned into more than one unit, and
	// MaxFanOut the most units of one statement.
	Units, MultiNode uint64
	MaxFanOut        int
	// Refused counts statements refused as unsupported (ErrUnsupported),
	// Errors the other failed statements, Slow those that took at least
	// the WithSlowThreshold duration.
	Refused, Errors, Slow uint64
	// PlanCache is the plan cache's hits, misses and entries.
	PlanCache CacheStats
	// DeepHinted counts the deep pages whose first phase read the windows
	// a position hint predicted; DeepHintMisses those among them that
	// needed more (a phase 2, or a cold read again: the hint was off).
	DeepHinted, DeepHintMisses uint64
}

// statsCounters are a Connector's counters: atomics, per Connector,
// striped.
//
// The hazard: every statement adds to them, from every goroutine. In one
// set of atomics the statements of all cores write the same cache lines,
// which then move from core to core on every statement (issue 16: the
// cost grew with concurrency). Each statement adds to one stripe chosen
// at random, each stripe on cache lines of its own, and Stats sums the
// stripes (each count is exact: only the sum is read). maxFanOut is only
// written when a statement exceeds it, so it stays one value, read-mostly.
type statsCounters struct {
	stripes   [statsStripes]statsStripe
	maxFanOut atomic.Int64
	_         [cacheLine]byte
}

// statsStripes is how many stripes the counters have: more than the
// cores that commonly run statements at once.
const statsStripes = 8

// cacheLine is the padding that keeps two stripes' counters off one
// cache line (64 bytes on amd64 and arm64; 128 covers adjacent-line
// prefetching).
const cacheLine = 128

// statsStripe is one stripe of the counters, padded before it so that no
// two stripes share a cache line.
type statsStripe struct {
	_                     [cacheLine]byte
	kinds                 [route.KindOther + 1]atomic.Uint64
	units, multi          atomic.Uint64
	refused, errs, slowed atomic.Uint64
}

// stripeAt returns the stripe a statement adds to: i, its Conn's, drawn
// once (Conn.statsAt).
//
// A draw per statement (math/rand/v2.Uint32: an interface call into the
// runtime's per-M generator) measured 0.12 µs per point select in place
// (profiles of 400,000 statements, round 16b), a few ns in a loop: the
// generator's state is cold between statements. A Conn runs one statement
// at a time, so its statements all add to the stripe drawn when it was
// opened; two Conns running at once share a stripe as often as two draws
// coincide (1 in statsStripes), and Stats sums every stripe either way.
func (s *statsCounters) stripeAt(i uint8) *statsStripe {
	return &s.stripes[i%statsStripes]
}

// sum returns one counter summed over the stripes.
func (s *statsCounters) sum(counter func(*statsStripe) *atomic.Uint64) uint64 {
	var n uint64
	for i := range s.stripes {
		n += counter(&s.stripes[i]).Load()
	}
	return n
}

// Stats reports the connector's statistics.
func (c *Connector) Stats() ConnectorStats {
	st := ConnectorStats{
		DataSources: make(map[string]sql.DBStats),
		Statements:  make(map[string]uint64),
		Units:       c.stats.sum(func(s *statsStripe) *atomic.Uint64 { return &s.units }),
		MultiNode:   c.stats.sum(func(s *statsStripe) *atomic.Uint64 { return &s.multi }),
		MaxFanOut:   int(c.stats.maxFanOut.Load()),
		Refused:     c.stats.sum(func(s *statsStripe) *atomic.Uint64 { return &s.refused }),
		Errors:      c.stats.sum(func(s *statsStripe) *atomic.Uint64 { return &s.errs }),
		Slow:        c.stats.sum(func(s *statsStripe) *atomic.Uint64 { return &s.slowed }),
		PlanCache:   c.PlanCacheStats(),
	}
	hs := c.deepHints.Stats()
	st.DeepHinted, st.DeepHintMisses = hs.Hinted, hs.Misses
	for k := range c.stats.stripes[0].kinds {
		st.Statements[route.Kind(k).String()] = c.stats.sum(func(s *statsStripe) *atomic.Uint64 { return &s.kinds[k] })
	}
	for _, ds := range c.topo.DataSources() {
		if ds.DB != nil {
			st.DataSources[ds.Name] = c.parkedIdle(ds.Name, ds.DB.Stats())
			continue
		}
		c.mu.Lock()
		db, ok := c.pools[ds.Name]
		c.mu.Unlock()
		if ok {
			st.DataSources[ds.Name] = c.parkedIdle(ds.Name, db.Stats())
		} else {
			st.DataSources[ds.Name] = sql.DBStats{} // not opened yet
		}
	}
	return st
}

// Stats reports the statistics of the shardsql connector behind db (also
// behind a wrapping driver such as otelsql; see connectorOf).
func Stats(ctx context.Context, db *sql.DB) (ConnectorStats, error) {
	c, err := connectorOf(ctx, db)
	if err != nil {
		return ConnectorStats{}, err
	}
	return c.Stats(), nil
}

// observe counts a statement and logs it: at debug level when it worked,
// at warn level when it was slow (WithSlowThreshold), at info level when
// it was refused and at error level when it failed. p is nil when routing
// failed. For a query, the duration runs until its rows were ready.
func (c *Connector) observe(ctx context.Context, at uint8, query string, p *route.Plan, start time.Time, err error) {
	var d time.Duration // zero unless measured (Connector.clock)
	if !start.IsZero() {
		d = time.Since(start)
	}
	st := c.stats.stripeAt(at)
	units := 0
	if p != nil {
		units = len(p.Units)
		if int(p.Kind) >= 0 && int(p.Kind) < len(st.kinds) {
			st.kinds[p.Kind].Add(1)
		}
		st.units.Add(uint64(units))
		if units > 1 {
			st.multi.Add(1)
		}
		for mx := &c.stats.maxFanOut; ; {
			m := mx.Load()
			if int64(units) <= m || mx.CompareAndSwap(m, int64(units)) {
				break
			}
		}
	}
	slow := c.opts.slow > 0 && d >= c.opts.slow
	refused := err != nil && errors.Is(err, ErrUnsupported)
	switch {
	case refused:
		st.refused.Add(1)
	case err != nil:
		st.errs.Add(1)
	}
	if slow {
		st.slowed.Add(1)
	}
	l := c.opts.logger
	if l == nil {
		return
	}
	level := slog.LevelDebug
	msg := "shardsql: statement"
	switch {
	case refused:
		level, msg = slog.LevelInfo, "shardsql: statement refused"
	case err != nil:
		level, msg = slog.LevelError, "shardsql: statement failed"
	case slow:
		level, msg = slog.LevelWarn, "shardsql: slow statement"
	}
	if !l.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{slog.String("sql", query), slog.Duration("duration", d), slog.Int("units", units)}
	if p != nil {
		attrs = append(attrs, slog.String("kind", p.Kind.String()))
		if p.Table != "" {
			attrs = append(attrs, slog.String("table", p.Table))
		}
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.LogAttrs(ctx, level, msg, attrs...)
}

// logNode logs one node statement's duration at debug level (node_conn.go).
func (c *Connector) logNode(ctx context.Context, ds, query string, d time.Duration, err error) {
	l := c.opts.logger
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String("data_source", ds), slog.String("sql", query), slog.Duration("duration", d)}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "shardsql: node statement", attrs...)
}
