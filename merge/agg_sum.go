package merge

import (
	"database/sql/driver"
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/shardsql/shardsql/internal/coltype"
)

// sumAgg adds the nodes' sums exactly: decimals (and integers) as
// decimals, floats as floats; NULL when every node's sum is NULL.
type sumAgg struct {
	col   int
	float bool // the node column is FLOAT/DOUBLE (or sent a float)
	null  bool
	fsum  float64
	dsum  decimal
	out   slab // the results' memory
	tmp   []byte
}

func (s *sumAgg) reset() {
	s.null, s.fsum, s.dsum = true, 0, decimal{}
}

func (s *sumAgg) add(row []driver.Value) error { return s.addValue(row[s.col]) }

func (s *sumAgg) addValue(v driver.Value) error {
	if v == nil {
		return nil
	}
	s.null = false
	if s.float {
		var k key
		if err := decode(coltype.Float, v, &k); err != nil {
			return err
		}
		s.fsum += k.f
		return nil
	}
	var d decimal
	switch x := v.(type) {
	case []byte:
		var err error
		if d, err = parseDecimal(x); err != nil {
			return err
		}
	case int64:
		d.small = x
	case uint64:
		// A BIGINT UNSIGNED column's own values (a window's SUM/AVG and
		// SUM(DISTINCT) add the rows, not the nodes' sums): 2⁶³ and above
		// do not fit small, and MySQL sums them as DECIMAL.
		if x > math.MaxInt64 {
			d.big = new(big.Int).SetUint64(x)
		} else {
			d.small = int64(x)
		}
	case float64:
		s.float = true
		s.fsum += x
		return nil
	default:
		return fmt.Errorf("shardsql: merge: unexpected %T in SUM", v)
	}
	s.dsum.add(&d)
	return nil
}

func (s *sumAgg) result() driver.Value {
	switch {
	case s.null:
		return nil
	case s.float:
		return s.fsum
	}
	s.tmp = s.dsum.appendText(s.tmp[:0])
	return s.out.copyOf(s.tmp)
}

// avgAgg divides the summed node SUMs by the summed node COUNTs: DECIMAL
// with 4 more digits of scale, rounded half away from zero, as MySQL's
// div_precision_increment does; DOUBLE for float input.
type avgAgg struct {
	sumAgg
	countCol int
	cnt      int64
	// internal: the quotient as MySQL holds it inside an expression, not
	// as it sends it (AggAvgInternal)
	internal bool
	// fixed: the declared decimals of a DOUBLE(M,D) argument (0: none)
	fixed int64
}

// AggAvgInternal is AVG inside an expression or HAVING: the summed SUM in
// Col over the summed COUNT in CountCol, truncated where MySQL's DECIMAL
// division stops (whole 9-digit words of scale, at least 4 digits more
// than the sum's) rather than rounded to the scale it sends: MySQL
// computes AVG(x) * SUM(x) or AVG(x) >= 2.5 from that value.
const AggAvgInternal AggKind = 41

func (a *avgAgg) reset() {
	a.sumAgg.reset()
	a.cnt = 0
}

func (a *avgAgg) add(row []driver.Value) error {
	n, err := toInt(row[a.countCol])
	if err != nil {
		return err
	}
	a.cnt += n
	return a.sumAgg.add(row)
}

func (a *avgAgg) result() driver.Value {
	if a.null || a.cnt == 0 {
		return nil
	}
	if a.float {
		q := a.fsum / float64(a.cnt)
		if d := a.fixed + 4; a.fixed > 0 && d < 31 {
			// Hazard (review19a): AVG of a DOUBLE(M,D) is a DOUBLE of
			// D+4 decimals, which the server sends rounded to them
			// (176367.6392857 for a DOUBLE(10,3)); the quotient had all
			// its digits (176367.6392857143).
			q, _ = strconv.ParseFloat(strconv.FormatFloat(q, 'f', int(d), 64), 64)
		}
		return q
	}
	if a.internal {
		q := a.dsum.divTrunc(a.cnt, internalScale(a.dsum.scale))
		return q.bytes()
	}
	q := a.dsum.divInt(a.cnt, 4)
	return q.bytes()
}

// internalScale is the scale of MySQL's DECIMAL quotient of a value of
// scale s by an integer, with div_precision_increment 4: the dividend's
// scale rounded up to whole 9-digit words, plus what remains of the
// increment after that rounding, rounded up to words again.
func internalScale(s int) int {
	f1 := (s + 8) / 9 * 9
	incr := max(0, 4-(f1-s))
	return (f1 + incr + 8) / 9 * 9
}
