package driver

// Adaptive parallelism of a scatter (WithAdaptiveParallel).
//
// A statement that reaches several nodes starts at most maxParallel of
// its units at once. With many such statements in flight at once, all
// their units start together and queue on the servers and on the
// client's cores, and the slowest unit of each statement sets its
// latency: the tail grows with the number of statements times their
// units. Adaptively, a statement that starts while n scatters are
// starting their units starts at most ⌈maxParallel / n⌉ of its own at
// once (at least one): alone it runs as before, under load the units in
// flight across statements stay about maxParallel.
//
// The hazard: the count must fall when a scatter's queries have all
// answered, whatever happens to its rows later (a caller may hold them
// open for long; a cancelled statement starts no more units), or later
// statements would run one unit at a time forever. scatterThen calls
// done once every query it started has answered and no more will start,
// independent of the rows; the count is the Connector's, never global.

// scatterParallel returns how many of a statement's n units start at
// once, and the function to call when they have all answered (nil when
// nothing is counted).
func (c *Connector) scatterParallel(n int) (int, func()) {
	limit := c.opts.maxParallel
	if !c.opts.adaptiveParallel {
		return limit, nil
	}
	inFlight := c.scattering.Add(1) // this one included
	if share := (int64(limit) + inFlight - 1) / inFlight; share < int64(limit) {
		limit = max(1, int(share))
	}
	return min(limit, max(n, 1)), func() { c.scattering.Add(-1) }
}

// WithAdaptiveParallel makes a statement that reaches several nodes start
// fewer of its units at once while other such statements are starting
// theirs: ⌈maxParallel / n⌉ with n of them in flight, at least one (see
// WithMaxParallel). Off, every statement starts up to maxParallel.
//
// On by default since round 13: measured with BenchmarkOverheadScatter
// (a top-10 over 8 tables, 8 runs each, load 3–4) a statement alone
// starts maxParallel units either way (the same median time at
// concurrency 1), and at concurrency 16 adaptive answered 0.78 ms a
// statement against 0.99 ms and its p99 was 71 ms against 197 ms
// (docs/performance.md, "Round 13"). WithAdaptiveParallel(false) starts
// maxParallel units of every statement at once.
func WithAdaptiveParallel(on bool) Option {
	return func(o *options) error {
		o.adaptiveParallel = on
		return nil
	}
}
