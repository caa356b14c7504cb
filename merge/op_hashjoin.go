package merge

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/ctxflag"
)

// HashJoin joins two sides by reading the inner (build) side whole into
// memory first, at most MaxRows rows, indexed by key, then streaming the
// outer side and matching each row with MySQL's comparison rules (see
// JoinKeys). The router picks it when the inner side is a broadcast or
// unsharded table (one statement on one data source) or otherwise small;
// beyond the cap the statement fails with ErrTooLarge naming the operator
// and driver.WithMaxMemoryRows.
//
// The index is sorted by the key's collation and probed by binary search
// rather than hashed: equality under a PAD SPACE, case-insensitive
// collation is what the collation's comparison says, and a sort needs
// only that comparison, where a hash would need weight strings that agree
// with it exactly.
type HashJoin struct {
	Kind JoinKind
	Keys JoinKeys
	// On is an extra condition of a match (see NestedLoopJoin.On).
	On sqlparser.Expr
	// Outer is the probe side, Inner the build side.
	Outer, Inner Operator
	// BuildName names the build side in Explain (its table).
	BuildName string
	// InnerCollations are, when the router knows them (the catalog),
	// the collation names of the inner rows' collation columns (by
	// column): a NULL-extended row carries them (see joinCore).
	InnerCollations map[int]string
	// MaxRows caps the build side's rows (0: DefaultMaxRows).
	MaxRows int
	// Fallback, when not nil, is the same join as batched lookups: a
	// build side that passes MaxRows is dropped (the rows read so far,
	// at most MaxRows, are discarded, nothing has been returned) and
	// Fallback runs instead of failing with ErrTooLarge. The router sets
	// it when it guessed a sharded inner side small (its own conditions
	// route it to few nodes) without knowing its size.
	Fallback *NestedLoopJoin
}

// Description implements Operator.
func (h *HashJoin) Description() string {
	if h.Fallback != nil {
		return fmt.Sprintf("HashJoin build %s (at most %d rows, beyond them NestedLoopJoin batch %d), %s", h.BuildName, h.maxRows(), h.Fallback.batch(), joinDescription(h.Kind, h.Keys, h.On))
	}
	return fmt.Sprintf("HashJoin build %s (at most %d rows), %s", h.BuildName, h.maxRows(), joinDescription(h.Kind, h.Keys, h.On))
}

func (h *HashJoin) maxRows() int {
	if h.MaxRows <= 0 {
		return DefaultMaxRows
	}
	return h.MaxRows
}

// Inputs implements Operator: the probe side, then the build side.
func (h *HashJoin) Inputs() []Operator { return []Operator{h.Outer, h.Inner} }

// Open implements Operator: the build side is read whole, then the probe
// side is opened.
func (h *HashJoin) Open(ctx context.Context, ex Executor) (*Stream, error) {
	inner, err := openInput(ctxflag.Auxiliary(ctx), ex, h.Inner)
	if err != nil {
		return nil, err
	}
	outer, err := openInput(ctx, ex, h.Outer)
	if err != nil {
		_ = inner.Close()
		return nil, err
	}
	core, err := newJoinCore("HashJoin", h.Kind, h.Keys, outer.cols, inner.cols, h.On, h.maxRows(), h.InnerCollations)
	var ix *joinIndex
	if err == nil {
		ix, err = core.build(inner.Cursor, inner.Width(), func() error {
			return fmt.Errorf("%w: HashJoin: build side %s has more than %d rows; raise the cap with driver.WithMaxMemoryRows or narrow the query", ErrTooLarge, h.BuildName, core.maxRows)
		})
	}
	if cerr := inner.Close(); cerr != nil && err == nil && !errors.Is(cerr, context.Canceled) {
		err = cerr
	}
	if err != nil {
		_ = outer.Close()
		if h.Fallback != nil && errors.Is(err, ErrTooLarge) && ctx.Err() == nil {
			return h.Fallback.Open(ctx, ex)
		}
		return nil, err
	}
	cols := outer.cols
	if h.Kind == JoinInner || h.Kind == JoinLeft {
		cols = joinedColumns(outer.cols, inner.cols)
	}
	hj := &hashJoin{outer: outer, ix: ix, row: make([]driver.Value, outer.Width())}
	hj.p.c = core
	return &Stream{Cursor: hj, cols: cols}, nil
}

// hashJoin is an open HashJoin.
type hashJoin struct {
	outer *Stream
	ix    *joinIndex
	p     prober
	row   []driver.Value
}

// Next implements Cursor.
func (h *hashJoin) Next(dest []driver.Value) error {
	for {
		ok, err := h.p.next(dest)
		if err != nil || ok {
			return err
		}
		row := make([]driver.Value, len(h.row))
		if err := h.outer.Next(row); err != nil {
			return err
		}
		for i, v := range row {
			row[i] = copyValue(v)
		}
		if err := h.p.start(h.ix, row); err != nil {
			return err
		}
	}
}

// Close implements Cursor.
func (h *hashJoin) Close() error { return h.outer.Close() }
