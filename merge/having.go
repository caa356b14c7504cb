package merge

import (
	"database/sql/driver"
	"fmt"
	"strconv"
)

// Expr is a condition evaluated on merged rows (HAVING), with SQL's
// three-valued logic: a row is kept when the condition is true.
type Expr interface {
	eval(row []driver.Value, kinds []Kind) (truth, error)
}

type truth int8

const (
	unknown truth = iota
	isFalse
	isTrue
)

func truthOf(b bool) truth {
	if b {
		return isTrue
	}
	return isFalse
}

// Operand is a value in a condition: a column of the merged row or a literal.
type Operand struct {
	// Col is the merged-row column, when Literal is false.
	Col int
	// Literal marks Value as a constant.
	Literal bool
	// Value is the constant: int64, float64, []byte (decimal or string text), or nil.
	Value driver.Value
}

func (o Operand) value(row []driver.Value) driver.Value {
	if o.Literal {
		return o.Value
	}
	return row[o.Col]
}

// CmpOp is a comparison operator.
type CmpOp uint8

// Comparison operators.
const (
	OpEQ CmpOp = iota
	OpNE
	OpLT
	OpLE
	OpGT
	OpGE
)

// Cmp compares two operands.
type Cmp struct {
	Op          CmpOp
	Left, Right Operand
}

func (c Cmp) eval(row []driver.Value, kinds []Kind) (truth, error) {
	l, r := c.Left.value(row), c.Right.value(row)
	if l == nil || r == nil {
		return unknown, nil
	}
	kd := KindBytes
	if !c.Left.Literal {
		kd = kinds[c.Left.Col]
	} else if !c.Right.Literal {
		kd = kinds[c.Right.Col]
	}
	n, err := compareValues(kd, l, r)
	if err != nil {
		return unknown, err
	}
	switch c.Op {
	case OpEQ:
		return truthOf(n == 0), nil
	case OpNE:
		return truthOf(n != 0), nil
	case OpLT:
		return truthOf(n < 0), nil
	case OpLE:
		return truthOf(n <= 0), nil
	case OpGT:
		return truthOf(n > 0), nil
	}
	return truthOf(n >= 0), nil
}

// compareValues compares two non-NULL values of a column of kind kd (or a
// literal): numbers exactly as decimals unless a float is involved.
func compareValues(kd Kind, a, b driver.Value) (int, error) {
	switch kd {
	case KindInt, KindUint, KindDecimal, KindFloat:
		_, af := a.(float64)
		_, bf := b.(float64)
		if kd == KindFloat || af || bf {
			var x, y key
			if err := decode(KindFloat, a, &x); err != nil {
				return 0, err
			}
			if err := decode(KindFloat, b, &y); err != nil {
				return 0, err
			}
			return cmpOrdered(x.f, y.f), nil
		}
		return compareDecimal(numText(a), numText(b)), nil
	}
	var x, y key
	if err := decode(kd, a, &x); err != nil {
		return 0, err
	}
	if err := decode(kd, b, &y); err != nil {
		return 0, err
	}
	return compare(kd, &x, &y), nil
}

func numText(v driver.Value) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case int64:
		return strconv.AppendInt(nil, x, 10)
	case uint64:
		return strconv.AppendUint(nil, x, 10)
	case string:
		return []byte(x)
	}
	return []byte(fmt.Sprint(v))
}

// And is true when both sides are.
type And struct{ Left, Right Expr }

func (a And) eval(row []driver.Value, kinds []Kind) (truth, error) {
	l, err := a.Left.eval(row, kinds)
	if err != nil || l == isFalse {
		return l, err
	}
	r, err := a.Right.eval(row, kinds)
	if err != nil || r == isFalse {
		return r, err
	}
	if l == isTrue && r == isTrue {
		return isTrue, nil
	}
	return unknown, nil
}

// Or is true when either side is.
type Or struct{ Left, Right Expr }

func (o Or) eval(row []driver.Value, kinds []Kind) (truth, error) {
	l, err := o.Left.eval(row, kinds)
	if err != nil || l == isTrue {
		return l, err
	}
	r, err := o.Right.eval(row, kinds)
	if err != nil || r == isTrue {
		return r, err
	}
	if l == isFalse && r == isFalse {
		return isFalse, nil
	}
	return unknown, nil
}

// Not negates its operand (NOT NULL is NULL).
type Not struct{ Expr Expr }

func (n Not) eval(row []driver.Value, kinds []Kind) (truth, error) {
	t, err := n.Expr.eval(row, kinds)
	switch t {
	case isTrue:
		return isFalse, err
	case isFalse:
		return isTrue, err
	}
	return unknown, err
}

// IsNull tests an operand for NULL (IS NOT NULL when Negate).
type IsNull struct {
	Operand Operand
	Negate  bool
}

func (n IsNull) eval(row []driver.Value, _ []Kind) (truth, error) {
	return truthOf((n.Operand.value(row) == nil) != n.Negate), nil
}

// filter keeps the rows for which cond is true.
type filter struct {
	in    Cursor
	cond  Expr
	kinds []Kind
}

func (f *filter) Next(dest []driver.Value) error {
	for {
		if err := f.in.Next(dest); err != nil {
			return err
		}
		t, err := f.cond.eval(dest, f.kinds)
		if err != nil {
			return err
		}
		if t == isTrue {
			return nil
		}
	}
}

func (f *filter) Close() error { return f.in.Close() }
