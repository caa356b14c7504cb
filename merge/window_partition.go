package merge

import (
	"bytes"
	"database/sql/driver"
	"fmt"
	"io"
	"strconv"

	"github.com/shardsql/shardsql/internal/coltype"
)

// partitioned is Window's cursor when a function needs more than the rows
// before it (window_kinds.go): it reads one whole partition of the sorted
// stream into memory (at most maxRows rows, then ErrTooLarge), computes
// every function over it, and returns its rows. The frame is MySQL's
// default: with ORDER BY, RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT
// ROW, so a row sees its peers (rows equal on the ORDER BY keys); without
// it, the whole partition. The rows are kept as the input returns them:
// every row's values are its own (the node cursors scan into fresh
// values), only the slice holding them is reused.
type partitioned struct {
	in          Cursor
	part, order []cmpKey
	funcs       []WindowFunc
	args        []cmpKey // each function's argument column (MIN/MAX compare by it)
	// decimals are, per function, the fixed decimals the server writes a
	// DOUBLE result with (MariaDB's PERCENT_RANK and CUME_DIST: 10), 0
	// for the shortest form
	decimals []int64
	maxRows  int
	bytes    byteCount // the partition's bytes against the byte cap (reset per partition)
	width    int

	rows      [][]driver.Value // the current partition
	free      [][]driver.Value // row slices to reuse
	orderKeys []key            // len(order) keys per row
	partKeys  []key            // the current partition's keys
	nextKeys  []key
	next      []driver.Value // the first row of the next partition
	pending   bool
	done      bool
	pos       int
	peerStart []int
	peerEnd   []int
	sum       sumAgg
}

func newPartitioned(in Cursor, part, order []cmpKey, funcs []WindowFunc, args []cmpKey, decimals []int64, maxRows, width int) *partitioned {
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	return &partitioned{in: in, part: part, order: order, funcs: funcs, args: args, decimals: decimals, maxRows: maxRows, width: width,
		partKeys: make([]key, len(part)), nextKeys: make([]key, len(part))}
}

func (p *partitioned) Next(dest []driver.Value) error {
	if p.pos >= len(p.rows) {
		if err := p.fill(); err != nil {
			return err
		}
	}
	copy(dest, p.rows[p.pos])
	p.pos++
	return nil
}

// row returns a row slice of the input's width, reusing a free one.
func (p *partitioned) row() []driver.Value {
	if n := len(p.free); n > 0 {
		r := p.free[n-1]
		p.free = p.free[:n-1]
		return r
	}
	return make([]driver.Value, p.width)
}

// fill reads the next partition and computes its functions.
func (p *partitioned) fill() error {
	p.free = append(p.free, p.rows...)
	p.rows, p.orderKeys, p.pos = p.rows[:0], p.orderKeys[:0], 0
	p.bytes.used = 0
	if p.done {
		return io.EOF
	}
	if !p.pending {
		ok, err := p.read()
		if err != nil || !ok {
			if err == nil {
				err = io.EOF
			}
			return err
		}
	}
	p.partKeys, p.nextKeys = p.nextKeys, p.partKeys
	if err := p.add(p.next); err != nil {
		return err
	}
	for {
		ok, err := p.read()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if compareKeys(p.part, p.partKeys, p.nextKeys) != 0 {
			p.pending = true
			break
		}
		if err := p.add(p.next); err != nil {
			return err
		}
	}
	return p.compute()
}

// read reads a row into next and decodes its partition keys into nextKeys.
func (p *partitioned) read() (bool, error) {
	p.pending = false
	p.next = p.row()
	if err := p.in.Next(p.next); err != nil {
		p.free = append(p.free, p.next)
		if err == io.EOF {
			p.done = true
			return false, nil
		}
		return false, err
	}
	return true, decodeKeys(p.part, p.next, p.nextKeys)
}

func (p *partitioned) add(r []driver.Value) error {
	if len(p.rows) >= p.maxRows {
		return fmt.Errorf("%w: a window function needs a partition of more than %d rows in memory; raise the cap with driver.WithMaxMemoryRows or narrow the query", ErrTooLarge, p.maxRows)
	}
	if err := p.bytes.add(r, "a window function's partition"); err != nil {
		return err
	}
	p.rows = append(p.rows, r)
	n := len(p.orderKeys)
	p.orderKeys = append(p.orderKeys, make([]key, len(p.order))...)
	return decodeKeys(p.order, r, p.orderKeys[n:])
}

// peers reports whether rows i and j are equal on the ORDER BY keys.
func (p *partitioned) peers(i, j int) bool {
	k := len(p.order)
	return compareKeys(p.order, p.orderKeys[i*k:(i+1)*k], p.orderKeys[j*k:(j+1)*k]) == 0
}

func (p *partitioned) compute() error {
	n := len(p.rows)
	p.peerStart, p.peerEnd = p.peerStart[:0], p.peerEnd[:0]
	for i := 0; i < n; i++ {
		start := i
		if i > 0 && p.peers(i-1, i) {
			start = p.peerStart[i-1]
		}
		p.peerStart = append(p.peerStart, start)
	}
	p.peerEnd = append(p.peerEnd, make([]int, n)...)
	for i := n - 1; i >= 0; i-- {
		if i < n-1 && p.peerStart[i+1] == p.peerStart[i] {
			p.peerEnd[i] = p.peerEnd[i+1]
		} else {
			p.peerEnd[i] = i + 1
		}
	}
	dense := int64(0)
	for fi, f := range p.funcs {
		for i, r := range p.rows {
			switch f.Kind {
			case RowNumber:
				r[f.Col.Index] = int64(i + 1)
			case Rank:
				r[f.Col.Index] = int64(p.peerStart[i] + 1)
			case DenseRank:
				if i == 0 {
					dense = 0
				}
				if p.peerStart[i] == i {
					dense++
				}
				r[f.Col.Index] = dense
			case PercentRank:
				v := 0.0
				if n > 1 {
					v = float64(p.peerStart[i]) / float64(n-1)
				}
				r[f.Col.Index] = p.double(v, fi)
			case CumeDist:
				r[f.Col.Index] = p.double(float64(p.peerEnd[i])/float64(n), fi)
			case Ntile:
				r[f.Col.Index] = ntile(i, n, f.N)
			case Lag, Lead:
				j := i - int(f.N)
				if f.Kind == Lead {
					j = i + int(f.N)
				}
				r[f.Col.Index] = nil
				if j >= 0 && j < n {
					r[f.Col.Index] = p.rows[j][f.Arg.Index]
				}
			case FirstValue:
				r[f.Col.Index] = p.rows[0][f.Arg.Index]
			case LastValue:
				r[f.Col.Index] = p.rows[p.peerEnd[i]-1][f.Arg.Index]
			}
		}
		switch f.Kind {
		case WinCount, WinSum, WinAvg, WinMin, WinMax:
			if err := p.frameAggregate(f, &p.args[fi]); err != nil {
				return err
			}
		}
		switch f.Kind {
		case Lag, Lead, FirstValue, LastValue, WinMin, WinMax:
			if f.Arg != nil && p.args[fi].kind == coltype.Decimal {
				// Hazard (review19a): MariaDB's window function of a
				// ZEROFILL DECIMAL column is not ZEROFILL (MAX(zd) OVER
				// (…) is 12.00, LAG(zd) 2.30), while the rows carry the
				// column's zero-filled text (000012.00): the zeros are
				// dropped (union_zerofill.go).
				for _, r := range p.rows {
					if b, ok := r[f.Col.Index].([]byte); ok {
						r[f.Col.Index] = trimZeroFill(b)
					}
				}
			}
		}
	}
	return nil
}

// double is a DOUBLE result as the server writes it: with the column's
// fixed decimals, correctly rounded, trailing zeros dropped (MariaDB's
// 0.001001001 for 1/999 with 10 decimals); otherwise the float itself.
func (p *partitioned) double(v float64, fi int) driver.Value {
	d := p.decimals[fi]
	if d <= 0 {
		return v
	}
	b := strconv.AppendFloat(nil, v, 'f', int(d), 64)
	b = bytes.TrimRight(b, "0")
	return bytes.TrimSuffix(b, []byte("."))
}

// ntile is the bucket of row i of n cut into b buckets: the first n % b
// buckets hold one row more than the others.
func ntile(i, n int, b int64) int64 {
	size, extra := int64(n)/b, int64(n)%b
	if int64(i) < extra*(size+1) {
		return int64(i)/(size+1) + 1
	}
	return extra + (int64(i)-extra*(size+1))/size + 1
}

// frameAggregate computes an aggregate over the default frame: it folds
// the rows of each peer group in turn and gives every row of the group
// the value up to the group's last row.
func (p *partitioned) frameAggregate(f WindowFunc, arg *cmpKey) error {
	var cnt int64
	mm := minMaxAgg{cmp: *arg, max: f.Kind == WinMax}
	p.sum = sumAgg{col: argIndex(f)}
	p.sum.reset()
	mm.reset()
	for start := 0; start < len(p.rows); {
		end := p.peerEnd[start]
		for _, r := range p.rows[start:end] {
			if f.Arg == nil {
				cnt++
				continue
			}
			v := r[f.Arg.Index]
			if v == nil {
				continue
			}
			cnt++
			switch f.Kind {
			case WinSum, WinAvg:
				if err := p.sum.addValue(v); err != nil {
					return err
				}
			case WinMin, WinMax:
				if err := mm.add(r); err != nil {
					return err
				}
			}
		}
		var v driver.Value
		switch f.Kind {
		case WinCount:
			v = cnt
		case WinSum:
			v = p.sum.result()
		case WinAvg:
			if cnt > 0 {
				q := p.sum.dsum.divInt(cnt, 4)
				v = q.bytes()
			}
		case WinMin, WinMax:
			v = mm.result()
		}
		for _, r := range p.rows[start:end] {
			r[f.Col.Index] = v
		}
		start = end
	}
	return nil
}

func (p *partitioned) Close() error { return p.in.Close() }

// argIndex is the absolute column of f's argument, -1 without one.
func argIndex(f WindowFunc) int {
	if f.Arg == nil {
		return -1
	}
	return f.Arg.Index
}
