package merge

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/shardsql/shardsql/internal/coltype"
)

// WindowKind is a ranking window function computed above the nodes.
type WindowKind uint8

const (
	// RowNumber numbers the rows of each partition from 1.
	RowNumber WindowKind = iota + 1
	// Rank is the row number of the first of the row's peers (rows equal
	// on the window's ORDER BY): ranks after ties have gaps.
	Rank
	// DenseRank counts the distinct peer groups up to the row's: no gaps.
	DenseRank
)

var windowNames = map[WindowKind]string{RowNumber: "row_number", Rank: "rank", DenseRank: "dense_rank"}

// WindowFunc is one window function and the column its value goes to.
type WindowFunc struct {
	Kind WindowKind
	Col  Col
	// Arg is the column holding the function's argument (LAG, FIRST_VALUE,
	// the aggregates); nil for none (COUNT(*), the ranking functions).
	Arg *Col
	// N is NTILE's bucket count, or LAG's and LEAD's offset.
	N int64
}

// WindowSpec describes the window functions of a Spec.
type WindowSpec struct {
	Partition []SortKey
	Order     []SortKey
	Funcs     []WindowFunc
}

// Window computes ranking window functions over a stream sorted by the
// window's PARTITION BY keys and then its ORDER BY keys (a MergeSort of
// node streams sorted that way), holding one previous row's keys. The
// keys it keeps may point into the previous row's values: they stay
// valid because every row's values are its own (the node cursors scan
// into fresh values), even though dest is reused.
type Window struct {
	Partition []SortKey
	Order     []SortKey
	Funcs     []WindowFunc
	// MaxRows bounds the rows of one partition held in memory by the
	// functions that need it (window_kinds.go); 0: DefaultMaxRows.
	MaxRows int
	Input   Operator
}

// Description implements Operator.
func (w *Window) Description() string {
	var b strings.Builder
	b.WriteString("Window")
	for i, f := range w.Funcs {
		if i > 0 {
			b.WriteString(",")
		}
		arg := ""
		if f.Kind.buffered() && f.Arg != nil {
			arg = colName(*f.Arg)
		} else if f.Kind == WinCount {
			arg = "*"
		}
		if f.Kind == Ntile || f.Kind == Lag || f.Kind == Lead {
			arg = strings.TrimPrefix(arg+", "+fmt.Sprint(f.N), ", ")
		}
		fmt.Fprintf(&b, " %s(%s) into %s", f.Kind.name(), arg, colName(f.Col))
	}
	if len(w.Partition) > 0 {
		fmt.Fprintf(&b, " partition by %s", keyList(w.Partition))
	}
	if len(w.Order) > 0 {
		fmt.Fprintf(&b, " order by %s", keyList(w.Order))
	}
	return b.String()
}

// Inputs implements Operator.
func (w *Window) Inputs() []Operator { return []Operator{w.Input} }

// Open implements Operator.
func (w *Window) Open(ctx context.Context, ex Executor) (*Stream, error) {
	in, err := openInput(ctx, ex, w.Input)
	if err != nil {
		return nil, err
	}
	part, err := in.cols.keys(w.Partition)
	if err == nil {
		var order []cmpKey
		if order, err = in.cols.keys(w.Order); err == nil {
			cur := &windowed{in: in.Cursor, part: part, order: order,
				prevPart: make([]key, len(part)), curPart: make([]key, len(part)),
				prevOrder: make([]key, len(order)), curOrder: make([]key, len(order))}
			cols := in.cols.clone()
			cols.colls = append([]*textColl(nil), in.cols.colls...) // (windowArg sets some)
			cols.merged = make(map[int]ColumnType, len(in.cols.merged)+len(w.Funcs))
			for c, t := range in.cols.merged {
				cols.merged[c] = t
			}
			buffered := false
			for _, f := range w.Funcs {
				buffered = buffered || f.Kind.buffered()
			}
			// MariaDB reports every column of a query with window
			// functions NULL-able (it computes them over a temporary
			// table); the nodes, sent the query without its windows,
			// report a primary key NOT NULL (review18c: a scan by
			// ScanType gave int32 where one database gives int64).
			// Window functions' own columns are typed below.
			for i := 0; i < cols.first && i < len(cols.types); i++ {
				m := cols.merged[i]
				if !m.NotNull {
					m.Nullable = true
					cols.merged[i] = m
				}
			}
			var args []cmpKey
			var decimals []int64
			for _, f := range w.Funcs {
				col, cerr := in.cols.abs(f.Col)
				if cerr != nil {
					err = cerr
					break
				}
				if _, ok := windowNames[f.Kind]; !ok && !f.Kind.buffered() {
					err = fmt.Errorf("shardsql: merge: window function kind %d", f.Kind)
					break
				}
				rf := WindowFunc{Kind: f.Kind, Col: col, N: f.N}
				if !f.Kind.buffered() {
					cur.funcs = append(cur.funcs, rf)
					args = append(args, cmpKey{})
					decimals = append(decimals, 0)
					cols.kinds[col.Index] = coltype.Int
					cols.merged[col.Index] = ColumnType{Name: "BIGINT", NotNull: true}
					continue
				}
				arg, aerr := windowArg(in.cols, cols, f, &rf)
				if aerr != nil {
					err = aerr
					break
				}
				cur.funcs = append(cur.funcs, rf)
				args = append(args, arg)
				decimals = append(decimals, in.cols.scales[col.Index])
			}
			if err == nil && buffered {
				p := newPartitioned(in.Cursor, part, order, cur.funcs, args, decimals, w.MaxRows, len(in.cols.types))
				p.bytes.max = MaxBytes(ctx)
				return &Stream{Cursor: p, cols: cols}, nil
			}
			if err == nil {
				return &Stream{Cursor: cur, cols: cols}, nil
			}
		}
	}
	_ = in.Close()
	return nil, err
}

// windowed is Window's cursor.
type windowed struct {
	in          Cursor
	part, order []cmpKey
	funcs       []WindowFunc

	prevPart, curPart   []key
	prevOrder, curOrder []key
	started             bool
	rowNumber, rank     int64
	dense               int64
}

func (w *windowed) Next(dest []driver.Value) error {
	if err := w.in.Next(dest); err != nil {
		return err
	}
	if err := decodeKeys(w.part, dest, w.curPart); err != nil {
		return err
	}
	if err := decodeKeys(w.order, dest, w.curOrder); err != nil {
		return err
	}
	switch {
	case !w.started || compareKeys(w.part, w.prevPart, w.curPart) != 0:
		w.started = true
		w.rowNumber, w.rank, w.dense = 1, 1, 1
	case compareKeys(w.order, w.prevOrder, w.curOrder) != 0:
		w.rowNumber++
		w.rank, w.dense = w.rowNumber, w.dense+1
	default: // a peer of the previous row
		w.rowNumber++
	}
	for _, f := range w.funcs {
		switch f.Kind {
		case RowNumber:
			dest[f.Col.Index] = w.rowNumber
		case Rank:
			dest[f.Col.Index] = w.rank
		case DenseRank:
			dest[f.Col.Index] = w.dense
		}
	}
	w.prevPart, w.curPart = w.curPart, w.prevPart
	w.prevOrder, w.curOrder = w.curOrder, w.prevOrder
	return nil
}

func (w *windowed) Close() error { return w.in.Close() }
