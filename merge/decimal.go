package merge

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// decimal is an exact decimal: unscaled × 10^-scale. The unscaled value
// lives in small while it fits in an int64 (no allocation per value) and
// moves to big when it does not.
type decimal struct {
	small int64
	big   *big.Int // the unscaled value when it outgrew small; nil otherwise
	scale int
}

var pow10s = func() (p [19]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// parseDecimal reads "-12.50" exactly.
func parseDecimal(b []byte) (decimal, error) {
	var d decimal
	i, neg := 0, false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg, i = b[0] == '-', 1
	}
	digits, dot := 0, false
	var v int64
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '.' && !dot:
			dot = true
		case c >= '0' && c <= '9':
			digits++
			if dot {
				d.scale++
			}
			if digits <= 18 {
				v = v*10 + int64(c-'0')
			}
		default:
			return d, fmt.Errorf("shardsql: merge: bad decimal %q", b)
		}
	}
	if digits == 0 {
		return d, fmt.Errorf("shardsql: merge: bad decimal %q", b)
	}
	if digits > 18 {
		d.big = new(big.Int)
		d.big.SetString(strings.Replace(string(b), ".", "", 1), 10)
		return d, nil
	}
	if neg {
		v = -v
	}
	d.small = v
	return d, nil
}

// toBig returns the unscaled value as a new big.Int.
func (d *decimal) toBig() *big.Int {
	if d.big != nil {
		return new(big.Int).Set(d.big)
	}
	return big.NewInt(d.small)
}

// scaleSmall multiplies v by 10^n, reporting overflow.
func scaleSmall(v int64, n int) (int64, bool) {
	if n == 0 {
		return v, true
	}
	if n >= len(pow10s) {
		return 0, false
	}
	p := pow10s[n]
	if v > math.MaxInt64/p || v < math.MinInt64/p {
		return 0, false
	}
	return v * p, true
}

// add sets d to d + x, keeping the larger scale.
func (d *decimal) add(x *decimal) {
	scale := max(d.scale, x.scale)
	if d.big == nil && x.big == nil {
		a, ok1 := scaleSmall(d.small, scale-d.scale)
		b, ok2 := scaleSmall(x.small, scale-x.scale)
		if ok1 && ok2 && !((b > 0 && a > math.MaxInt64-b) || (b < 0 && a < math.MinInt64-b)) {
			d.small, d.scale = a+b, scale
			return
		}
	}
	a, b := d.toBig(), x.toBig()
	if scale > d.scale {
		a.Mul(a, pow10(scale-d.scale))
	}
	if scale > x.scale {
		b.Mul(b, pow10(scale-x.scale))
	}
	d.big, d.small, d.scale = a.Add(a, b), 0, scale
}

// divInt returns d / n with extra more digits of scale, rounded half away
// from zero, as MySQL's DECIMAL division (div_precision_increment = 4) does.
func (d *decimal) divInt(n int64, extra int) decimal {
	num := d.toBig()
	num.Mul(num, pow10(extra))
	den := big.NewInt(n)
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	r.Abs(r).Mul(r, big.NewInt(2))
	if r.Cmp(new(big.Int).Abs(den)) >= 0 {
		if num.Sign()*den.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return decimal{big: q, scale: d.scale + extra}
}

// divTrunc returns d / n with scale digits after the point, truncated
// toward zero, as MySQL's DECIMAL division computes its digits.
func (d *decimal) divTrunc(n int64, scale int) decimal {
	num := d.toBig()
	if scale > d.scale {
		num.Mul(num, pow10(scale-d.scale))
	} else if scale < d.scale {
		num.Quo(num, pow10(d.scale-scale))
	}
	return decimal{big: num.Quo(num, big.NewInt(n)), scale: scale}
}

// bytes formats d with exactly its scale in fraction digits.
func (d *decimal) bytes() []byte {
	var s string
	neg := false
	if d.big == nil && d.small != math.MinInt64 {
		v := d.small
		if v < 0 {
			neg, v = true, -v
		}
		s = strconv.FormatInt(v, 10)
	} else {
		b := d.toBig()
		neg = b.Sign() < 0
		s = b.Abs(b).String()
	}
	if d.scale > 0 {
		if len(s) <= d.scale {
			s = strings.Repeat("0", d.scale-len(s)+1) + s
		}
		s = s[:len(s)-d.scale] + "." + s[len(s)-d.scale:]
	}
	if neg && strings.Trim(s, "0.") != "" {
		s = "-" + s
	}
	return []byte(s)
}

// round returns d with scale digits after the point: padded with zeros,
// or rounded half away from zero as MySQL rounds a DECIMAL to a column's
// scale.
func (d *decimal) round(scale int) decimal {
	if scale == d.scale {
		return *d
	}
	v := d.toBig()
	if scale > d.scale {
		v.Mul(v, pow10(scale-d.scale))
		return decimal{big: v, scale: scale}
	}
	den := pow10(d.scale - scale)
	q, r := new(big.Int).QuoRem(v, den, new(big.Int))
	if r.Abs(r).Mul(r, big.NewInt(2)).Cmp(den) >= 0 {
		if v.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return decimal{big: q, scale: scale}
}

// appendText appends d's text, as bytes does, without allocating when
// the unscaled value fits in an int64 and the text in 64 bytes.
func (d *decimal) appendText(b []byte) []byte {
	if d.big != nil || d.small == math.MinInt64 || d.scale > 40 {
		return append(b, d.bytes()...)
	}
	v := d.small
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	var tmp [20]byte
	digits := strconv.AppendInt(tmp[:0], v, 10)
	if d.scale == 0 {
		return append(b, digits...)
	}
	if len(digits) <= d.scale {
		b = append(b, '0', '.')
		for i := len(digits); i < d.scale; i++ {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	cut := len(digits) - d.scale
	b = append(b, digits[:cut]...)
	b = append(b, '.')
	return append(b, digits[cut:]...)
}

// slab hands out byte slices carved from larger blocks: merged values
// (the folded SUM of each group) get their own memory, which a row held
// by a later operator keeps, without an allocation per value.
type slab struct{ buf []byte }

// slabBlock is the size of a slab's blocks.
const slabBlock = 4096

// copyOf returns a slab copy of b.
func (s *slab) copyOf(b []byte) []byte {
	if len(b) > slabBlock/4 {
		return append([]byte(nil), b...)
	}
	if cap(s.buf)-len(s.buf) < len(b) {
		s.buf = make([]byte, 0, slabBlock)
	}
	n := len(s.buf)
	s.buf = append(s.buf, b...)
	return s.buf[n:len(s.buf):len(s.buf)]
}
