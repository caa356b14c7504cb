package driver

import (
	"context"
	"database/sql"
	"sort"
	"sync"

	"github.com/shardsql/shardsql/merge"
	"github.com/shardsql/shardsql/route"
)

// slots are the connections of limited pools a cross-node query holds
// through the gates (gate.go), per data source: held (taken from the
// gate, given back when the rows close) and busy (running a unit now).
//
// The hazard: operators above the units build node statements while the
// query runs — a bound subquery's outer statement, a join's build side
// and lookups, a deep page's later phase (planExec.later). Started on the
// pool beside the query's own units, with no gate, they waited inside
// database/sql for connections only the query itself would give back
// (its streaming units), until the context's deadline: a pool of 2 hung
// a bound subquery over 4 nodes of a data source, a pool of 4 a join
// whose outer side streamed from 4. Now such statements reuse the
// query's slots whose units have ended, take the rest from the gate all
// at once without waiting, and otherwise run one at a time, each read
// whole and given back before the next (one slot, waited for as any
// statement waits for its pool, bounded by WithConnWaitTimeout). A query
// whose tree builds statements reserves one slot per data source more
// than its units, so such a statement never waits for the query's own
// streaming units; when that is not free, the query runs on its pins.
type slots struct {
	c  *Conn
	mu sync.Mutex
	by map[string]*slot
}

type slot struct {
	g          *gate
	held, busy int
}

// reserveSlots is Connector.reserve for a query whose later statements
// (buildsStatements) take slots too; extra is the headroom per data
// source. ok is false when they are not all free now.
func (c *Conn) reserveSlots(units []string, extra int) (*slots, bool, error) {
	sl := &slots{c: c, by: map[string]*slot{}}
	for _, nd := range needsOf(units) {
		db, err := c.c.db(nd.ds)
		if err != nil {
			sl.releaseAll()
			return nil, false, err
		}
		g := c.c.gateFor(nd.ds, db)
		if g == nil {
			continue
		}
		if !g.take(nd.n+extra) && !(c.c.evictParked(nd.ds) > 0 && g.take(nd.n+extra)) {
			sl.releaseAll()
			return nil, false, nil
		}
		sl.by[nd.ds] = &slot{g: g, held: nd.n + extra, busy: nd.n}
	}
	return sl, true, nil
}

// gateOf returns the slot of ds, creating it for a data source the query's
// own units did not reach; nil for an unlimited pool.
func (sl *slots) gateOf(ds string) (*slot, error) {
	if s, ok := sl.by[ds]; ok {
		return s, nil
	}
	db, err := sl.c.c.db(ds)
	if err != nil {
		return nil, err
	}
	g := sl.c.c.gateFor(ds, db)
	if g == nil {
		return nil, nil
	}
	s := &slot{g: g}
	sl.by[ds] = s
	return s, nil
}

// takeGroup takes, without waiting, a slot for every unit of a group of
// later statements: the query's idle slots first, the rest from the
// gates, all or nothing.
func (sl *slots) takeGroup(units []route.Unit) bool {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	ds := make([]string, len(units))
	for i, u := range units {
		ds[i] = u.DataSource
	}
	needs := needsOf(ds)
	type took struct {
		s *slot
		n int
	}
	var taken []took
	for _, nd := range needs {
		s, err := sl.gateOf(nd.ds)
		if err != nil {
			break
		}
		if s == nil {
			continue
		}
		short := nd.n - (s.held - s.busy)
		if short > 0 && !s.g.take(short) {
			for _, t := range taken {
				t.s.g.release(t.n)
				t.s.held -= t.n
			}
			return false
		}
		if short > 0 {
			s.held += short
			taken = append(taken, took{s, short})
		}
	}
	for _, nd := range needs {
		if s := sl.by[nd.ds]; s != nil {
			s.busy += nd.n
		}
	}
	return true
}

// acquireOne takes one slot of ds for a statement run alone: an idle one
// of the query's, or one of the gate, waiting as any statement waits for
// its pool.
func (sl *slots) acquireOne(ctx context.Context, ds string) error {
	sl.mu.Lock()
	s, err := sl.gateOf(ds)
	if err != nil || s == nil {
		sl.mu.Unlock()
		return err
	}
	if s.held > s.busy {
		s.busy++
		sl.mu.Unlock()
		return nil
	}
	sl.mu.Unlock()
	if err := s.g.acquire(ctx, 1, sl.c.c.opts.connWait); err != nil {
		return s.g.waitError(ds, err)
	}
	sl.mu.Lock()
	s.held++
	s.busy++
	sl.mu.Unlock()
	return nil
}

// done gives a unit's slot back to the query (it stays held until the
// rows close).
func (sl *slots) done(ds string) {
	sl.mu.Lock()
	if s := sl.by[ds]; s != nil && s.busy > 0 {
		s.busy--
	}
	sl.mu.Unlock()
}

// releaseAll gives every held slot back to its gate: the rows closed.
func (sl *slots) releaseAll() {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	names := make([]string, 0, len(sl.by))
	for ds := range sl.by {
		names = append(names, ds)
	}
	sort.Strings(names)
	for _, ds := range names {
		s := sl.by[ds]
		if s.held > 0 {
			s.g.release(s.held)
		}
		s.held, s.busy = 0, 0
	}
}

// slotUse ties a cursor to the slot it runs on: ended gives it back once.
type slotUse struct {
	sl   *slots
	ds   string
	gone bool
}

func (u *slotUse) end() {
	if u != nil && u.sl != nil && !u.gone {
		u.gone = true
		u.sl.done(u.ds)
	}
}

// slotSource runs a later statement alone on one slot: taken at open
// (waiting if need be), read whole by its cursor (buffer), and given
// back when the rows end, before the next one opens.
type slotSource struct {
	ctx context.Context
	use slotUse
	run func(context.Context, route.Unit) (*sql.Rows, firstRow, error)
}

func (s *slotSource) open(u route.Unit) (*sql.Rows, error) {
	if err := s.use.sl.acquireOne(s.ctx, u.DataSource); err != nil {
		s.use.gone = true // nothing taken
		return nil, err
	}
	rows, _, err := s.run(s.ctx, u) // a pool's run: nothing peeked
	if err != nil {
		s.use.end()
	}
	return rows, err
}

func (s *slotSource) ended(err error) error { s.use.end(); return err }
func (*slotSource) shared() bool            { return false }
func (*slotSource) eager() bool             { return false }

// buildsStatements reports a tree with operators that build node
// statements while the query runs (planExec.later).
func buildsStatements(op merge.Operator) bool {
	switch op.(type) {
	case *merge.HashJoin, *merge.NestedLoopJoin, *merge.BindSubqueries, *merge.DeepPageScan:
		return true
	}
	for _, in := range op.Inputs() {
		if buildsStatements(in) {
			return true
		}
	}
	return false
}
