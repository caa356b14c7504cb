package merge

import (
	"bytes"
	"context"
	"database/sql/driver"
	"fmt"
	"sync"

	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/sqltypes"
	querypb "vitess.io/vitess/go/vt/proto/query"
	"vitess.io/vitess/go/vt/sqlparser"
	"vitess.io/vitess/go/vt/vtenv"
	"vitess.io/vitess/go/vt/vterrors"
	"vitess.io/vitess/go/vt/vtgate/evalengine"

	vtrpcpb "vitess.io/vitess/go/vt/proto/vtrpc"
)

// filter keeps the folded rows for which a HAVING condition is true. The
// condition is Vitess's evalengine expression, so comparisons convert
// values by MySQL's rules (a DATETIME against a number, a string against
// an integer, '1e2' against 100) and text compares by the column's
// collation; IN, BETWEEN, LIKE and functions work as on the server.
type filter struct {
	in    Cursor
	cond  evalengine.Expr
	types []sqltypes.Type // of the folded row's columns
	colls []*textColl
	trim  bool // Spec.HavingTrim

	env      *evalengine.ExpressionEnv // built on the first row
	compiled evalengine.Expr
	vals     []sqltypes.Value
}

// Env is the Vitess environment shardsql evaluates with: MySQL 8.0's
// functions and collations, which MariaDB shares for what merges compute.
var Env = sync.OnceValue(func() *vtenv.Environment { return vtenv.NewTestEnv() })

// ConnectionCollation is the collation of string literals in HAVING: the
// connection collation go-sql-driver sets up (utf8mb4_general_ci).
const ConnectionCollation = collations.ID(45)

// noCollation is what text without a known collation compares by: bytes,
// as the embedded shards' utf8mb4_0900_bin (NO PAD) does.
const noCollation = collations.ID(309)

func (f *filter) setup(row []driver.Value) error {
	fields := make([]*querypb.Field, len(f.types))
	for i, t := range f.types {
		id := collations.ID(collations.CollationBinaryID)
		if sqltypes.IsText(t) || t == sqltypes.Enum || t == sqltypes.Set {
			id = noCollation
			if c := f.colls[i]; c != nil {
				if err := c.learn(row); err != nil {
					return err
				}
				if c.learned {
					id = c.id
				}
			}
		}
		fields[i] = &querypb.Field{Type: t, Charset: uint32(id)}
	}
	f.env = evalengine.NewExpressionEnv(context.Background(), nil, evalengine.NewEmptyVCursor(Env(), nil))
	f.env.Fields = fields
	f.vals = make([]sqltypes.Value, len(f.types))
	f.compiled = f.cond
	if u, ok := f.cond.(*evalengine.UntypedExpr); ok {
		c, err := u.Compile(f.env)
		if err != nil {
			return fmt.Errorf("%w: HAVING %s across nodes: %v", ErrUnsupported, sqlparser.String(f.cond), err)
		}
		f.compiled = c
	}
	return nil
}

func (f *filter) Next(dest []driver.Value) error {
	for {
		if err := f.in.Next(dest); err != nil {
			return err
		}
		if f.env == nil {
			if err := f.setup(dest); err != nil {
				return err
			}
		}
		for i, t := range f.types {
			v := dest[i]
			if b, ok := v.([]byte); ok && len(b) > 0 && b[len(b)-1] == ' ' && f.colls[i] != nil && f.colls[i].pad {
				if !f.trim {
					return fmt.Errorf("%w: HAVING with functions or LIKE over text with trailing spaces across nodes (the evaluator does not pad with spaces as the column's collation does)", ErrUnsupported)
				}
				v = bytes.TrimRight(b, " ")
			}
			sv, err := sqlValue(t, v)
			if err != nil {
				return err
			}
			f.vals[i] = sv
		}
		f.env.Row = f.vals
		res, err := f.env.Evaluate(f.compiled)
		if err != nil {
			if vterrors.Code(err) == vtrpcpb.Code_UNIMPLEMENTED {
				return fmt.Errorf("%w: HAVING %s across nodes (%v)", ErrUnsupported, sqlparser.String(f.cond), err)
			}
			return fmt.Errorf("shardsql: merge: HAVING: %w", err)
		}
		if res.ToBoolean() {
			return nil
		}
	}
}

func (f *filter) Close() error { return f.in.Close() }
