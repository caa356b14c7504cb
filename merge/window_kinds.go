package merge

import (
	"fmt"

	"github.com/shardsql/shardsql/internal/coltype"
)

// The window functions that need the whole partition (or the row's peers)
// before they can give a row its value; Window computes them over one
// buffered partition at a time (window_partition.go).
const (
	// PercentRank is (RANK - 1) / (partition rows - 1), 0 for a single
	// row: DOUBLE.
	PercentRank WindowKind = iota + 10
	// CumeDist is the share of the partition's rows up to the row's last
	// peer: DOUBLE.
	CumeDist
	// Ntile is the bucket (1..WindowFunc.N) of the row when the partition
	// is cut into N buckets whose sizes differ by at most one, the larger
	// first.
	Ntile
	// Lag is the argument of the row WindowFunc.N rows before, NULL when
	// there is none.
	Lag
	// Lead is the argument of the row WindowFunc.N rows after.
	Lead
	// FirstValue is the argument of the partition's first row.
	FirstValue
	// LastValue is the argument of the row's last peer (the end of the
	// default frame).
	LastValue
	// WinCount counts the rows (Arg < 0, COUNT(*)) or the non-NULL
	// arguments of the default frame: the partition's rows up to the
	// row's last peer, every row without ORDER BY.
	WinCount
	// WinSum sums the frame's arguments exactly (integers and DECIMAL).
	WinSum
	// WinAvg averages them: DECIMAL with 4 more digits of scale.
	WinAvg
	// WinMin is the frame's smallest argument by type and collation.
	WinMin
	// WinMax is the largest.
	WinMax
)

var partitionWindowNames = map[WindowKind]string{PercentRank: "percent_rank", CumeDist: "cume_dist", Ntile: "ntile",
	Lag: "lag", Lead: "lead", FirstValue: "first_value", LastValue: "last_value",
	WinCount: "count", WinSum: "sum", WinAvg: "avg", WinMin: "min", WinMax: "max"}

// buffered reports a window function that needs the partition buffered.
func (k WindowKind) buffered() bool {
	_, ok := partitionWindowNames[k]
	return ok
}

// name is the function's name in Explain.
func (k WindowKind) name() string {
	if n, ok := windowNames[k]; ok {
		return n
	}
	return partitionWindowNames[k]
}

// windowArg resolves the argument column of a buffered window function f
// into rf, refuses what cannot be computed exactly, and sets the kind of
// the function's column in out (its type is what the nodes report: they
// compute the function itself in that column).
func windowArg(in, out *columns, f WindowFunc, rf *WindowFunc) (cmpKey, error) {
	if f.Arg != nil {
		col, err := in.at(*f.Arg)
		if err != nil {
			return cmpKey{}, err
		}
		abs := At(col)
		rf.Arg = &abs
	}
	if (f.Kind == Ntile && f.N <= 0) || ((f.Kind == Lag || f.Kind == Lead) && f.N < 0) {
		return cmpKey{}, fmt.Errorf("shardsql: merge: %s with %d", f.Kind.name(), f.N)
	}
	switch f.Kind {
	case PercentRank, CumeDist:
		out.kinds[rf.Col.Index] = coltype.Float
		return cmpKey{}, nil
	case Ntile, WinCount:
		out.kinds[rf.Col.Index] = coltype.Int
		return cmpKey{}, nil
	}
	if rf.Arg == nil {
		return cmpKey{}, fmt.Errorf("shardsql: merge: %s without its argument", f.Kind.name())
	}
	kd := in.kinds[rf.Arg.Index]
	arg := cmpKey{col: rf.Arg.Index, kind: kd}
	if kd == coltype.Text {
		arg.coll = in.colls[rf.Arg.Index]
	}
	switch f.Kind {
	case WinSum, WinAvg:
		if kd == coltype.Float {
			// the server adds the frame's values in its own row order
			return cmpKey{}, fmt.Errorf("%w: SUM/AVG window of a floating-point expression across nodes (its last digits depend on the order of the additions; cast it to DECIMAL)", ErrUnsupported)
		}
		if kd != coltype.Int && kd != coltype.Uint && kd != coltype.Decimal {
			return cmpKey{}, fmt.Errorf("%w: SUM/AVG window of a non-numeric expression across nodes (cast it to DECIMAL)", ErrUnsupported)
		}
		out.kinds[rf.Col.Index] = coltype.Decimal
		return arg, nil
	case WinMin, WinMax:
		if kd == coltype.Enum || kd == coltype.Bit {
			return cmpKey{}, fmt.Errorf("%w: MIN/MAX window of an ENUM, SET or BIT column across nodes (use MAX(CAST(col AS CHAR)) or MAX(col+0))", ErrUnsupported)
		}
	}
	// the value of one of the rows: the argument's kind and collation
	out.kinds[rf.Col.Index] = kd
	out.colls[rf.Col.Index] = in.colls[rf.Arg.Index]
	return arg, nil
}
