package merge

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"sort"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/ctxflag"
)

// DefaultJoinBatch is how many outer rows a NestedLoopJoin collects before
// it looks up their keys on the inner side, when Batch is 0.
const DefaultJoinBatch = 256

// NestedLoopJoin joins two tables that are not on the same nodes by
// batched lookups, as Vitess's join with bind variables does: it reads up
// to Batch outer rows, collects their distinct non-NULL keys, and runs the
// inner side once for the batch with the keys written into its statement
// (Inner: the router adds `AND key IN (…)`, which it routes by the keys, so
// a batch reaches only the nodes that own them when the key is the inner
// table's sharding column). The batch's inner rows are indexed in memory
// (at most MaxRows) and each outer row is matched with MySQL's comparison
// rules (see JoinKeys), then the next batch is read.
//
// Output rows are the outer row's columns followed by the inner row's (for
// JoinSemi and JoinAnti, the outer row's only), in the outer rows' order.
type NestedLoopJoin struct {
	Kind JoinKind
	Keys JoinKeys
	// On is an extra condition of a match, over the joined row's columns
	// (evalenv.Column placeholders): a LEFT JOIN's ON terms across both
	// sides, a correlated subquery's WHERE terms. nil: the keys decide.
	On    sqlparser.Expr
	Outer Operator
	// Inner plans the inner side for a batch's distinct keys (the values
	// of the outer key column, of database type keyType); with no keys it
	// plans a statement that returns no row (the join still needs the
	// inner columns).
	Inner func(keys []driver.Value, keyType string) (Operator, error)
	// InnerPlan is the inner side without the keys, for Explain: what
	// each batch runs with `AND key IN (…)` added.
	InnerPlan Operator
	// Batch is the number of outer rows per lookup (0: DefaultJoinBatch).
	Batch int
	// InnerCollations are, when the router knows them (the catalog),
	// the collation names of the inner rows' collation columns (by
	// column): a NULL-extended row carries them (see joinCore).
	InnerCollations map[int]string
	// MaxRows caps the inner rows one batch may return (0: DefaultMaxRows).
	MaxRows int
}

// Description implements Operator.
func (j *NestedLoopJoin) Description() string {
	return fmt.Sprintf("NestedLoopJoin batch %d, %s (each batch adds the outer keys to the inner statement as IN (…); at most %d inner rows per batch)",
		j.batch(), joinDescription(j.Kind, j.Keys, j.On), j.maxRows())
}

func (j *NestedLoopJoin) batch() int {
	if j.Batch <= 0 {
		return DefaultJoinBatch
	}
	return j.Batch
}

func (j *NestedLoopJoin) maxRows() int {
	if j.MaxRows <= 0 {
		return DefaultMaxRows
	}
	return j.MaxRows
}

// Inputs implements Operator: the outer side, and the inner side without
// its keys (for Explain; each batch plans its own).
func (j *NestedLoopJoin) Inputs() []Operator {
	if j.InnerPlan == nil {
		return []Operator{j.Outer}
	}
	return []Operator{j.Outer, j.InnerPlan}
}

// Open implements Operator. It reads the first batch and runs its lookup,
// so that the inner side's columns (and a failing node) are known before
// the first row.
func (j *NestedLoopJoin) Open(ctx context.Context, ex Executor) (*Stream, error) {
	outer, err := openInput(ctx, ex, j.Outer)
	if err != nil {
		return nil, err
	}
	return j.openOn(ctx, ex, outer, nil, false)
}

// openOn runs the join over an outer side already open, whose first rows
// (pending, copied; eof: they are all of them) were read by a HashJoin
// that handed over to it: they are joined first, then the rest of outer.
// It closes outer when it fails.
func (j *NestedLoopJoin) openOn(ctx context.Context, ex Executor, outer *Stream, pending [][]driver.Value, eof bool) (*Stream, error) {
	n := &nlJoin{j: j, ctx: ctx, ex: ex, outer: outer, owidth: outer.Width(), pending: pending, eof: eof}
	if err := n.readBatch(); err != nil {
		_ = outer.Close()
		return nil, err
	}
	inner, err := n.lookup()
	if err != nil {
		_ = outer.Close()
		return nil, err
	}
	n.core, err = newJoinCore("NestedLoopJoin", j.Kind, j.Keys, outer.cols, inner.cols, j.On, j.maxRows(), j.InnerCollations)
	if err == nil {
		n.core.maxBytes = MaxBytes(ctx)
		n.iwidth = inner.Width()
		err = n.index(inner)
	}
	if err != nil {
		_ = outer.Close()
		return nil, err
	}
	n.p.c = n.core
	cols := outer.cols
	if j.Kind == JoinInner || j.Kind == JoinLeft {
		cols = joinedColumns(outer.cols, inner.cols)
		if j.Kind == JoinLeft {
			nullExtended(cols, len(outer.cols.types))
		}
	}
	return &Stream{Cursor: n, cols: cols}, nil
}

// nlJoin is an open NestedLoopJoin.
type nlJoin struct {
	j      *NestedLoopJoin
	ctx    context.Context
	ex     Executor
	outer  *Stream
	owidth int
	iwidth int
	core   *joinCore
	batch  [][]driver.Value // the current batch's outer rows
	// pending are outer rows read before the join opened (openOn),
	// taken before the outer side's next rows.
	pending [][]driver.Value
	next    int  // the batch's next outer row to probe
	eof     bool // the outer side is exhausted
	ix      *joinIndex
	p       prober
	// keyType is the outer key column's database type.
	keyType string
}

// readBatch reads up to Batch outer rows.
func (n *nlJoin) readBatch() error {
	n.batch, n.next = n.batch[:0], 0
	for len(n.batch) < n.j.batch() && len(n.pending) > 0 {
		n.batch = append(n.batch, n.pending[0])
		n.pending = n.pending[1:]
	}
	for len(n.batch) < n.j.batch() && !n.eof {
		row := make([]driver.Value, n.owidth)
		if err := n.outer.Next(row); err != nil {
			if err == io.EOF {
				n.eof = true
				break
			}
			return err
		}
		for i, v := range row {
			row[i] = copyValue(v)
		}
		n.batch = append(n.batch, row)
	}
	return nil
}

// lookup runs the inner side for the current batch's distinct keys.
func (n *nlJoin) lookup() (*Stream, error) {
	oc := n.outer.cols
	ok, err := oc.at(At(n.j.Keys.OuterKey))
	if err != nil {
		return nil, err
	}
	n.keyType = oc.types[ok]
	kd := oc.kinds[ok]
	coll := oc.colls[ok]
	type entry struct {
		v driver.Value
		k key
	}
	var keys []entry
	for _, row := range n.batch {
		if coll != nil && !coll.learned {
			if err := coll.learn(row); err != nil {
				return nil, err
			}
		}
		var k key
		if err := decode(kd, row[ok], &k); err != nil {
			return nil, err
		}
		if !k.null {
			keys = append(keys, entry{row[ok], k})
		}
	}
	cmp := cmpKey{col: ok, kind: kd, coll: coll}
	sort.SliceStable(keys, func(a, b int) bool { return cmp.compare(&keys[a].k, &keys[b].k) < 0 })
	var values []driver.Value
	for i, e := range keys {
		if i > 0 && cmp.compare(&keys[i-1].k, &e.k) == 0 {
			continue
		}
		values = append(values, e.v)
	}
	if len(values) == 0 && n.core != nil {
		return nil, nil // no key to look up: an empty index
	}
	op, err := n.j.Inner(values, n.keyType)
	if err != nil {
		return nil, err
	}
	// The inner side's rows are not the result's first statement: the
	// join reports its columns itself (Stream.Columns).
	return openInput(ctxflag.Auxiliary(n.ctx), n.ex, op)
}

// index reads the inner rows of the current batch.
func (n *nlJoin) index(inner *Stream) (err error) {
	defer func() {
		if cerr := inner.Close(); cerr != nil && err == nil && !errors.Is(cerr, context.Canceled) {
			err = cerr
		}
	}()
	if inner.Width() != n.iwidth {
		return fmt.Errorf("shardsql: merge: NestedLoopJoin: a batch's inner rows have %d columns, not %d", inner.Width(), n.iwidth)
	}
	n.ix, err = n.core.build(inner.Cursor, n.iwidth, func() error {
		return fmt.Errorf("%w: NestedLoopJoin: one batch of %d outer rows matches more than %d inner rows; raise the cap with driver.WithMaxMemoryRows, lower driver.WithJoinBatch, or narrow the query", ErrTooLarge, len(n.batch), n.core.maxRows)
	})
	return err
}

// Next implements Cursor.
func (n *nlJoin) Next(dest []driver.Value) error {
	for {
		ok, err := n.p.next(dest)
		if err != nil || ok {
			return err
		}
		if n.next < len(n.batch) {
			if err := n.p.start(n.ix, n.batch[n.next]); err != nil {
				return err
			}
			n.next++
			continue
		}
		if n.eof && len(n.pending) == 0 {
			return io.EOF
		}
		if err := n.readBatch(); err != nil {
			return err
		}
		if len(n.batch) == 0 {
			return io.EOF
		}
		inner, err := n.lookup()
		if err != nil {
			return err
		}
		if inner == nil {
			n.ix = &joinIndex{}
			continue
		}
		if err := n.index(inner); err != nil {
			return err
		}
	}
}

// Close implements Cursor.
func (n *nlJoin) Close() error { return n.outer.Close() }
