package merge

import (
	"fmt"
	"math/big"
	"strings"
)

// decimal is an exact decimal: unscaled × 10^-scale.
type decimal struct {
	unscaled big.Int
	scale    int
}

var ten = big.NewInt(10)

func pow10(n int) *big.Int {
	return new(big.Int).Exp(ten, big.NewInt(int64(n)), nil)
}

// parseDecimal reads "-12.50" exactly.
func parseDecimal(b []byte) (decimal, error) {
	var d decimal
	s := string(b)
	if dot := strings.IndexByte(s, '.'); dot >= 0 {
		d.scale = len(s) - dot - 1
		s = s[:dot] + s[dot+1:]
	}
	if _, ok := d.unscaled.SetString(s, 10); !ok {
		return d, fmt.Errorf("shardsql: merge: bad decimal %q", b)
	}
	return d, nil
}

// add sets d to d + x, keeping the larger scale.
func (d *decimal) add(x *decimal) {
	switch {
	case x.scale > d.scale:
		d.unscaled.Mul(&d.unscaled, pow10(x.scale-d.scale))
		d.scale = x.scale
		d.unscaled.Add(&d.unscaled, &x.unscaled)
	case x.scale < d.scale:
		t := new(big.Int).Mul(&x.unscaled, pow10(d.scale-x.scale))
		d.unscaled.Add(&d.unscaled, t)
	default:
		d.unscaled.Add(&d.unscaled, &x.unscaled)
	}
}

// divInt returns d / n with extra more digits of scale, rounded half away
// from zero, as MySQL's DECIMAL division (div_precision_increment = 4) does.
func (d *decimal) divInt(n int64, extra int) decimal {
	var q decimal
	q.scale = d.scale + extra
	num := new(big.Int).Mul(&d.unscaled, pow10(extra))
	den := big.NewInt(n)
	var r big.Int
	q.unscaled.QuoRem(num, den, &r)
	r.Abs(&r).Mul(&r, big.NewInt(2))
	if r.Cmp(new(big.Int).Abs(den)) >= 0 {
		if num.Sign()*den.Sign() < 0 {
			q.unscaled.Sub(&q.unscaled, big.NewInt(1))
		} else {
			q.unscaled.Add(&q.unscaled, big.NewInt(1))
		}
	}
	return q
}

// bytes formats d with exactly its scale in fraction digits.
func (d *decimal) bytes() []byte {
	s := new(big.Int).Abs(&d.unscaled).String()
	if d.scale > 0 {
		if len(s) <= d.scale {
			s = strings.Repeat("0", d.scale-len(s)+1) + s
		}
		s = s[:len(s)-d.scale] + "." + s[len(s)-d.scale:]
	}
	if d.unscaled.Sign() < 0 {
		s = "-" + s
	}
	return []byte(s)
}
