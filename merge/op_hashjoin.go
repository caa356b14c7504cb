package merge

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/ctxflag"
)

// HashJoin joins two sides by reading the inner (build) side whole into
// memory first, at most MaxRows rows, indexed by key, then streaming the
// outer side and matching each row with MySQL's comparison rules (see
// JoinKeys). The router picks it for a broadcast or unsharded inner
// table (one statement on one data source), for a derived table, and for
// a join without a key (JoinKeys.None: every pair, On decides); beyond the
// cap the statement fails with ErrTooLarge naming the operator and
// driver.WithMaxMemoryRows. For a sharded inner table it is adaptive
// (Fallback): hash join or batched lookups, picked when it opens.
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
	// Fallback, when not nil, makes the join adaptive: it is the same
	// join as batched lookups, and the HashJoin picks between the two
	// when it opens, by the rows it sees rather than by an estimate:
	//
	//   - it reads the outer side's first Fallback.Batch rows; when the
	//     outer side ends there, one lookup of their keys reads fewer
	//     inner rows than the whole inner side, and Fallback runs them;
	//   - otherwise it reads the inner side (the router limits each node
	//     statement to MaxRows+1 rows, so a large inner side is not read
	//     to its end); when it passes MaxRows the rows read so far are
	//     dropped (nothing has been returned) and Fallback runs instead
	//     of failing with ErrTooLarge, starting with the outer rows
	//     already read, so no outer statement runs twice and no row is
	//     returned twice.
	//
	// The router sets it for a sharded inner side, whose size it does
	// not know.
	Fallback *NestedLoopJoin
}

// Description implements Operator.
func (h *HashJoin) Description() string {
	if h.Fallback != nil {
		return fmt.Sprintf("HashJoin build %s (at most %d rows, each node read to %d; NestedLoopJoin batch %d when the outer side has at most %d rows or the build side more than %d), %s",
			h.BuildName, h.maxRows(), h.maxRows()+1, h.Fallback.batch(), h.Fallback.batch(), h.maxRows(), joinDescription(h.Kind, h.Keys, h.On))
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
// side is opened (an adaptive join, with a Fallback, reads the probe
// side's first rows first: see Fallback).
func (h *HashJoin) Open(ctx context.Context, ex Executor) (*Stream, error) {
	if h.Fallback != nil {
		return h.openAdaptive(ctx, ex)
	}
	inner, err := openInput(ctxflag.Auxiliary(ctx), ex, h.Inner)
	if err != nil {
		return nil, err
	}
	outer, err := openInput(ctx, ex, h.Outer)
	if err != nil {
		_ = inner.Close()
		return nil, err
	}
	core, ix, err := h.build(ctx, outer, inner)
	if err != nil {
		_ = outer.Close()
		return nil, err
	}
	return h.stream(outer, inner, core, ix, nil), nil
}

// openAdaptive opens a HashJoin with a Fallback.
func (h *HashJoin) openAdaptive(ctx context.Context, ex Executor) (*Stream, error) {
	outer, err := openInput(ctx, ex, h.Outer)
	if err != nil {
		return nil, err
	}
	pending, eof, err := readRows(outer, h.Fallback.batch())
	if err != nil {
		_ = outer.Close()
		return nil, err
	}
	if eof {
		return h.Fallback.openOn(ctx, ex, outer, pending, true)
	}
	inner, err := openInput(ctxflag.Auxiliary(ctx), ex, h.Inner)
	if err != nil {
		_ = outer.Close()
		return nil, err
	}
	core, ix, err := h.build(ctx, outer, inner)
	if err != nil {
		if errors.Is(err, ErrTooLarge) && ctx.Err() == nil {
			return h.Fallback.openOn(ctx, ex, outer, pending, false)
		}
		_ = outer.Close()
		return nil, err
	}
	return h.stream(outer, inner, core, ix, pending), nil
}

// readRows reads up to n rows of s, copied; eof: s ended.
func readRows(s *Stream, n int) (rows [][]driver.Value, eof bool, err error) {
	for len(rows) < n {
		row := make([]driver.Value, s.Width())
		if err := s.Next(row); err != nil {
			if err == io.EOF {
				return rows, true, nil
			}
			return nil, false, err
		}
		for i, v := range row {
			row[i] = copyValue(v)
		}
		rows = append(rows, row)
	}
	return rows, false, nil
}

// build reads the build side into the index and closes it.
func (h *HashJoin) build(ctx context.Context, outer, inner *Stream) (*joinCore, *joinIndex, error) {
	core, err := newJoinCore("HashJoin", h.Kind, h.Keys, outer.cols, inner.cols, h.On, h.maxRows(), h.InnerCollations)
	var ix *joinIndex
	if err == nil {
		core.maxBytes = MaxBytes(ctx)
		ix, err = core.build(inner.Cursor, inner.Width(), func() error {
			return fmt.Errorf("%w: HashJoin: build side %s has more than %d rows; raise the cap with driver.WithMaxMemoryRows or narrow the query", ErrTooLarge, h.BuildName, core.maxRows)
		})
	}
	if cerr := inner.Close(); cerr != nil && err == nil && !errors.Is(cerr, context.Canceled) {
		err = cerr
	}
	return core, ix, err
}

// stream is the open join: pending outer rows (already read) first.
func (h *HashJoin) stream(outer, inner *Stream, core *joinCore, ix *joinIndex, pending [][]driver.Value) *Stream {
	cols := outer.cols
	if h.Kind == JoinInner || h.Kind == JoinLeft {
		cols = joinedColumns(outer.cols, inner.cols)
		if h.Kind == JoinLeft {
			nullExtended(cols, len(outer.cols.types))
		}
	}
	hj := &hashJoin{outer: outer, ix: ix, pending: pending}
	hj.p.c = core
	return &Stream{Cursor: hj, cols: cols}
}

// hashJoin is an open HashJoin.
type hashJoin struct {
	outer *Stream
	ix    *joinIndex
	p     prober
	// pending are outer rows read before the build side, probed first.
	pending [][]driver.Value
}

// Next implements Cursor.
func (h *hashJoin) Next(dest []driver.Value) error {
	for {
		ok, err := h.p.next(dest)
		if err != nil || ok {
			return err
		}
		var row []driver.Value
		if len(h.pending) > 0 {
			row, h.pending = h.pending[0], h.pending[1:]
		} else {
			row = make([]driver.Value, h.outer.Width())
			if err := h.outer.Next(row); err != nil {
				return err
			}
			for i, v := range row {
				row[i] = copyValue(v)
			}
		}
		if err := h.p.start(h.ix, row); err != nil {
			return err
		}
	}
}

// Close implements Cursor.
func (h *hashJoin) Close() error { return h.outer.Close() }
