package merge

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/internal/ctxflag"
)

// SubqueryKind says how the outer statement uses an uncorrelated
// subquery, hence how many of its rows are read.
type SubqueryKind uint8

const (
	// SubqueryScalar is a scalar subquery: at most one row of one column
	// (MySQL error 1242 beyond it); no row is NULL.
	SubqueryScalar SubqueryKind = iota
	// SubqueryIn is the right side of [NOT] IN: every row of one column.
	SubqueryIn
	// SubqueryExists is [NOT] EXISTS: whether there is a first row.
	SubqueryExists
)

var subqueryKindNames = [...]string{"scalar", "in", "exists"}

// Subquery is one uncorrelated subquery of a statement, planned on its own.
type Subquery struct {
	// Kind is how its rows are read.
	Kind SubqueryKind
	// Input is the subquery's own plan.
	Input Operator
	// Text is the subquery as written, for Explain and messages.
	Text string
}

// Bound is what a subquery returned: the database type name of its
// column and its values (copies), in the order read. An EXISTS subquery
// has one value (any) when it found a row and none otherwise.
type Bound struct {
	Type   string
	Values []driver.Value
}

// BindSubqueries runs a statement's uncorrelated subqueries first, one
// after another, reading each whole, then plans the outer statement with
// their values (Outer, the router's, substitutes them as literals and
// routes the result: an IN list on a sharding column prunes nodes) and
// returns the outer statement's rows.
//
// The subqueries' rows are not the result's: they are opened with a
// context the executor recognises (ctxflag.Auxiliary), so that the result's
// column names and types are the outer statement's.
type BindSubqueries struct {
	Subqueries []Subquery
	// MaxValues caps the values an IN subquery may bind (0:
	// DefaultMaxRows); beyond it the statement fails with ErrTooLarge.
	MaxValues int
	// Outer plans the outer statement with one Bound per subquery.
	Outer func([]Bound) (Operator, error)
	// OuterText is the outer statement, for Explain.
	OuterText string
}

// Description implements Operator.
func (b *BindSubqueries) Description() string {
	kinds := make([]string, len(b.Subqueries))
	for i, s := range b.Subqueries {
		kinds[i] = subqueryKindNames[s.Kind]
	}
	return fmt.Sprintf("BindSubqueries %s (at most %d values each), then route with the values: %s", strings.Join(kinds, ", "), b.maxValues(), b.OuterText)
}

func (b *BindSubqueries) maxValues() int {
	if b.MaxValues <= 0 {
		return DefaultMaxRows
	}
	return b.MaxValues
}

// Inputs implements Operator: the subqueries' plans (the outer statement's
// plan exists only once their values are known).
func (b *BindSubqueries) Inputs() []Operator {
	out := make([]Operator, len(b.Subqueries))
	for i, s := range b.Subqueries {
		out[i] = s.Input
	}
	return out
}

// Open implements Operator.
func (b *BindSubqueries) Open(ctx context.Context, ex Executor) (*Stream, error) {
	bounds := make([]Bound, len(b.Subqueries))
	for i, s := range b.Subqueries {
		bd, err := b.read(ctx, ex, s)
		if err != nil {
			return nil, err
		}
		bounds[i] = bd
	}
	outer, err := b.Outer(bounds)
	if err != nil {
		return nil, err
	}
	return outer.Open(ctx, ex)
}

// read runs one subquery and keeps the values its kind needs.
func (b *BindSubqueries) read(ctx context.Context, ex Executor, s Subquery) (bd Bound, err error) {
	in, err := openInput(ctxflag.Auxiliary(ctx), ex, s.Input)
	if err != nil {
		return bd, subqueryError(s, err)
	}
	defer func() {
		if cerr := in.Close(); cerr != nil && err == nil && !errors.Is(cerr, context.Canceled) {
			err = cerr
		}
	}()
	width := in.Width()
	if s.Kind != SubqueryExists && width != 1 {
		// MySQL error 1241.
		return bd, fmt.Errorf("shardsql: operand should contain 1 column(s): subquery %s returns %d", s.Text, width)
	}
	bd.Type = in.cols.types[0]
	if m, ok := in.ColumnTypes()[0]; ok && m.Name != "" {
		bd.Type = m.Name
	}
	limit := b.maxValues()
	switch s.Kind {
	case SubqueryExists:
		limit = 1
	case SubqueryScalar:
		limit = 2
	}
	row := make([]driver.Value, width)
	for len(bd.Values) < limit {
		if err := in.Next(row); err != nil {
			if err == io.EOF {
				return bd, nil
			}
			return bd, subqueryError(s, err)
		}
		bd.Values = append(bd.Values, copyValue(row[0]))
	}
	switch s.Kind {
	case SubqueryScalar:
		return bd, tooManyRows(s)
	case SubqueryIn:
		if err := in.Next(row); err == nil {
			return bd, fmt.Errorf("%w: subquery %s binds more than %d values into the outer statement (BindSubqueries); raise the cap with driver.WithMaxMemoryRows or narrow the subquery", ErrTooLarge, s.Text, limit)
		} else if err != io.EOF {
			return bd, subqueryError(s, err)
		}
	}
	return bd, nil
}

// subqueryError names the subquery in err. A refusal keeps its text first:
// a refused statement's error starts "shardsql: unsupported: ", and the
// subquery's own refusal (MIN/MAX of a BIT column, found when its rows
// arrive) wrapped as "shardsql: subquery …: shardsql: unsupported: …" did
// not (found by review17b: SELECT (SELECT MAX(bt) FROM r16) FROM r16b).
func subqueryError(s Subquery, err error) error {
	if errors.Is(err, ErrUnsupported) {
		return fmt.Errorf("%w (in subquery %s)", err, s.Text)
	}
	return fmt.Errorf("shardsql: subquery %s: %w", s.Text, err)
}

// errSubqueryRows is MySQL's error 1242, which tooManyRows wraps.
var errSubqueryRows = &mysql.MySQLError{Number: 1242, SQLState: [5]byte{'2', '1', '0', '0', '0'}, Message: "Subquery returns more than 1 row"}

// tooManyRows is the error of scalar subquery s that returned a second
// row. Hazard (review18b): MariaDB fails with error 1242 only when it
// evaluates the subquery for some row of the outer statement, and
// answers when it evaluates it for none — `SELECT id, (SELECT n FROM y18
// WHERE g = 1) FROM x18 WHERE id > 100` (no outer row), `WHERE 1 = 0 AND
// n = (SELECT …)`, `IF(id > 100, (SELECT …), 0)`, a derived table's
// unused column — while the bound subquery runs first, before any outer
// row is read. Which one MariaDB does shardsql cannot know, so the error
// is a refusal (errors.Is ErrUnsupported) that also carries the 1242 a
// caller may test for (errors.As *mysql.MySQLError).
func tooManyRows(s Subquery) error {
	return fmt.Errorf("%w: scalar subquery %s: subquery returns more than 1 row; MariaDB fails with error 1242 only when it evaluates the subquery for some outer row and answers when it skips it (no outer rows, a condition or branch not taken), which the subquery shardsql runs first cannot tell (make it return one row: LIMIT 1, an aggregate or a narrower WHERE): %w",
		ErrUnsupported, s.Text, errSubqueryRows)
}

// copyValue copies a value whose storage the cursor may reuse.
//
// Hazard (diff21): append([]byte(nil), b...) of an empty b is nil, and a
// nil []byte is NULL to go-sql-driver (an argument) and to a caller
// scanning into []byte or sql.RawBytes: empty VARBINARY/BLOB values (and an empty
// GROUP_CONCAT, MIN, MAX) came back as NULL. Copies of values start
// from []byte{}.
func copyValue(v driver.Value) driver.Value {
	if b, ok := v.([]byte); ok {
		return append([]byte{}, b...)
	}
	return v
}
