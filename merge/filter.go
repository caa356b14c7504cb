package merge

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/mysql/collations/charset"
	"vitess.io/vitess/go/mysql/collations/colldata"
	"vitess.io/vitess/go/mysql/datetime"
	"vitess.io/vitess/go/sqltypes"
	vtrpcpb "vitess.io/vitess/go/vt/proto/vtrpc"
	"vitess.io/vitess/go/vt/sqlparser"
	"vitess.io/vitess/go/vt/vterrors"
	"vitess.io/vitess/go/vt/vtgate/evalengine"

	"github.com/shardsql/shardsql/internal/evalenv"
)

// filter keeps the folded rows for which a HAVING condition is true. The
// condition is compiled by Vitess's evalengine for the folded columns'
// types and collations (see evaluator), so comparisons convert values by
// MySQL's rules (a DATETIME against a number, a string against an
// integer, '1e2' against 100) and text compares by the column's
// collation; IN, BETWEEN, LIKE and functions work as on the server.
type filter struct {
	in Cursor
	evaluator
}

func newFilter(in Cursor, cond sqlparser.Expr, types []sqltypes.Type, scales []int64, colls []*textColl, quotients, avgs map[int]bool) *filter {
	return &filter{in: in, evaluator: evaluator{what: "HAVING", cond: cond, types: types, scales: scales, colls: colls, quotients: quotients, avgs: avgs}}
}

// evaluator evaluates one expression over a folded row, whose columns it
// reads as evalenv.Column placeholders. It compiles on the first row, when
// the text columns' collations are known.
type evaluator struct {
	what string // the clause, for errors: "HAVING", "select item"
	// rootDiv allows a DECIMAL division of two columns at the top of the
	// expression (a select item, not a condition)
	rootDiv bool
	// roundRoot rounds a value computed from an AVG quotient (quotients)
	// to its declared decimals, as MariaDB sends it (roundCompared): set
	// for Evaluate's select items, whose scale no node reports
	roundRoot bool
	// quotients are the columns holding a DECIMAL quotient with MySQL's
	// internal digits (AggAvgInternal): divisions, for decimalDivInFloat
	quotients map[int]bool
	// avgs are the columns holding a rounded AVG (columns.avgs).
	avgs  map[int]bool
	cond  sqlparser.Expr
	types []sqltypes.Type // of the folded row's columns
	// scales are the folded row's columns' scales (columns.scales): of a
	// DATETIME, TIMESTAMP or TIME column its declared fraction digits,
	// which a time.Time value (parseTime) is written with (sqlValue)
	scales []int64
	colls  []*textColl
	refs   []colRef // how the expression uses each column
	// compares: the expression compares values (comparisonNode), so a
	// function's text result may be compared by its collation
	compares bool

	env         *evalengine.ExpressionEnv // built on the first row
	compiled    evalengine.Expr
	interpreted evalengine.Expr
	overflow    []overflowCheck // DOUBLE subexpressions MySQL checks (evaluate_overflow.go)
	vals        []sqltypes.Value
}

// noCollation is what text without a known collation compares by: bytes,
// as the embedded shards' utf8mb4_0900_bin (NO PAD) does.
const noCollation = collations.ID(309)

func (f *evaluator) setup(row []driver.Value) error {
	width := len(f.types)
	colls := make([]collations.ID, width)
	for i, t := range f.types {
		colls[i] = collations.CollationBinaryID
		if sqltypes.IsText(t) || t == sqltypes.Enum || t == sqltypes.Set {
			colls[i] = noCollation
			if c := f.colls[i]; c != nil {
				if err := c.learn(row); err != nil {
					return err
				}
				if c.learned {
					colls[i] = c.id
				}
			}
		}
	}
	f.refs = make([]colRef, width)
	f.compares = comparesText(f.cond)
	if err := f.checkKinds(colls); err != nil {
		return err
	}
	if err := f.checkMariaDB(row); err != nil {
		return err
	}
	cond, literals, err := f.prepare(f.cond, colls)
	if err != nil {
		return err
	}
	cfg := &evalengine.Config{
		Environment: evalenv.Env(),
		Collation:   literals,
		ResolveColumn: func(c *sqlparser.ColName) (int, error) {
			if n, ok := evalenv.Offset(c); ok {
				return n, nil
			}
			return 0, fmt.Errorf("unknown column %s", sqlparser.String(c))
		},
		ResolveType: func(e sqlparser.Expr) (evalengine.Type, bool) {
			c, ok := e.(*sqlparser.ColName)
			if !ok {
				return evalengine.Type{}, false
			}
			n, ok := evalenv.Offset(c)
			if !ok {
				return evalengine.Type{}, false
			}
			return evalengine.NewTypeEx(f.types[n], colls[n], true, 0, 0, nil), true
		},
	}
	if f.compiled, err = evalengine.Translate(cond, cfg); err != nil {
		return fmt.Errorf("%w: %s %s across nodes: %v (route the statement to one node with a condition on the sharding column, or compute it in the application)", ErrUnsupported, f.what, sqlparser.String(f.cond), err)
	}
	// The interpreter, for when the compiled form fails: the compiler
	// specializes for the types it infers, and COALESCE(MAX(decimal), 0)
	// then meets an integer where it compiled a decimal comparison (a
	// panic); the interpreter lacks some functions (UPPER) the compiler has.
	// Without an interpreted form (UPPER), a panic of the compiled one
	// refuses the statement.
	cfg.NoCompilation = true
	if f.interpreted, err = evalengine.Translate(cond, cfg); err != nil {
		f.interpreted = nil
	}
	f.overflow = f.overflowChecks(cond, cfg)
	f.env = evalengine.NewExpressionEnv(context.Background(), nil, evalengine.NewEmptyVCursor(evalenv.Env(), nil))
	f.vals = make([]sqltypes.Value, width)
	return nil
}

// colRef is how a HAVING condition uses a column of the folded row.
type colRef struct {
	used bool
	// compared: an operand of a comparison, IN or BETWEEN, where MySQL
	// pads with spaces; other uses (functions, LIKE) see trailing spaces.
	compared, other bool
	// text: used other than compared or in arithmetic (a function's
	// argument, which may read the value as text)
	text bool
	pad  bool // text of a PAD SPACE collation
}

// prepare rewrites the condition for the evaluator and records how it
// uses each column (f.refs); it returns the collation of the remaining
// string literals.
//
// Hazards it avoids:
//   - evalengine compares NO PAD: trailing spaces of PAD SPACE text are
//     trimmed where the text is compared (values and string literals), and
//     text with trailing spaces used otherwise is refused;
//   - evalengine gives columns COERCIBLE collations, like literals, so a
//     literal of the connection collation against a utf8mb4_unicode_ci
//     column compares by neither: a literal compared with a text column
//     gets the column's collation (COLLATE), as MySQL's IMPLICIT column
//     collation wins over the literal's;
//   - evalengine compares a temporal value with a number numerically
//     (20250206110000 > 20250301): an integer compared with a DATE,
//     DATETIME, TIMESTAMP or TIME column becomes the temporal value MySQL
//     converts it to.
func (f *evaluator) prepare(cond sqlparser.Expr, colls []collations.ID) (sqlparser.Expr, collations.ID, error) {
	col := func(x sqlparser.Expr) (int, bool) {
		c, ok := x.(*sqlparser.ColName)
		if !ok {
			return -1, false
		}
		return evalenv.Offset(c)
	}
	for _, n := range evalenv.Offsets(cond) {
		if n < 0 || n >= len(f.types) {
			return nil, 0, fmt.Errorf("shardsql: merge: %s column %d out of range for a %d-column result", f.what, n, len(f.types))
		}
	}
	if f.nestedDecimalDiv(cond) {
		// review18c: the message named the evaluator's placeholders
		// (__shardsql_having_1 / 3) and advised "the quotient by itself"
		// for a select item that was one already (x.amount / 3).
		return nil, 0, fmt.Errorf("%w: %s %s across nodes (#n: the n-th column the nodes send): a DECIMAL division inside an expression or a condition, or by a literal (MySQL computes with the quotient's internal digits, the evaluator rounds it; compute the quotient inside the derived table or on the nodes, use AVG(x), or select one column divided by another by itself)", ErrUnsupported, f.what, unplaceheld(f.cond))
	}
	if f.decimalDivInFloat(cond) {
		return nil, 0, fmt.Errorf("%w: %s %s across nodes: a DECIMAL division (or AVG) with floating-point values (the server divides in DOUBLE there, the merge in DECIMAL; CAST the operands to DOUBLE or keep them apart)", ErrUnsupported, f.what, unplaceheld(f.cond))
	}
	// which columns are compared directly, and with what
	operand := func(c *sqlparser.Cursor) bool {
		switch p := c.Parent().(type) {
		case *sqlparser.ComparisonExpr:
			switch p.Operator {
			case sqlparser.EqualOp, sqlparser.NotEqualOp, sqlparser.LessThanOp, sqlparser.LessEqualOp,
				sqlparser.GreaterThanOp, sqlparser.GreaterEqualOp, sqlparser.NullSafeEqualOp,
				sqlparser.InOp, sqlparser.NotInOp:
				return true
			}
		case *sqlparser.BetweenExpr, sqlparser.ValTuple:
			return true
		}
		return false
	}
	arithmetic := func(c *sqlparser.Cursor) bool {
		switch c.Parent().(type) {
		case *sqlparser.BinaryExpr, *sqlparser.UnaryExpr:
			return true
		}
		return false
	}
	cond = sqlparser.Rewrite(sqlparser.Clone(cond), func(c *sqlparser.Cursor) bool {
		if n, ok := col(asExpr(c.Node())); ok {
			r := &f.refs[n]
			r.used = true
			r.pad = f.colls[n] != nil && f.colls[n].pad && sqltypes.IsText(f.types[n])
			if operand(c) {
				r.compared = true
			} else {
				r.other = true
				if !arithmetic(c) {
					r.text = true
				}
			}
		}
		return true
	}, nil).(sqlparser.Expr)
	// the literal collation for what is not compared with a column: the one
	// collation of the text columns used otherwise
	literals, seen := evalenv.ConnectionCollation, false
	for n, r := range f.refs {
		if r.other && sqltypes.IsText(f.types[n]) && colls[n] != collations.CollationBinaryID {
			if seen && colls[n] != literals {
				return nil, 0, fmt.Errorf("%w: %s with functions over text of two collations across nodes (route the statement to one node with a condition on the sharding column, or compute it in the application)", ErrUnsupported, f.what)
			}
			literals, seen = colls[n], true
		}
	}
	var fixErr error
	fix := func(n int, x sqlparser.Expr) sqlparser.Expr {
		lit, ok := x.(*sqlparser.Literal)
		if !ok {
			return x
		}
		t := f.types[n]
		switch {
		case lit.Type == sqlparser.StrVal && sqltypes.IsText(t) && colls[n] != collations.CollationBinaryID:
			val := lit.Val
			if f.refs[n].pad {
				val = strings.TrimRight(val, " ")
				if f.colls[n].padHazard([]byte(val)) {
					fixErr = errors.New(padHazardText)
				}
			}
			lit := sqlparser.NewStrLiteral(val)
			var inner sqlparser.Expr = lit
			if cs := singleByteCharset(colls[n]); cs != nil {
				// the literal in the column's charset (an introducer: COLLATE
				// alone would relabel a utf8mb4 literal, which fails)
				if err := toColumnCharset(lit, colls[n]); err != nil {
					fixErr = err
				}
				inner = &sqlparser.IntroducerExpr{CharacterSet: "_" + cs.Name(), Expr: lit}
			}
			return &sqlparser.CollateExpr{Expr: inner, Collation: collationEnv.LookupName(colls[n])}
		case lit.Type == sqlparser.IntVal && sqltypes.IsDateOrTime(t):
			return temporalLiteral(t, lit)
		}
		return x
	}
	cond = sqlparser.Rewrite(cond, nil, func(c *sqlparser.Cursor) bool {
		switch n := c.Node().(type) {
		case *sqlparser.ComparisonExpr:
			if i, ok := col(n.Left); ok {
				if tuple, ok := n.Right.(sqlparser.ValTuple); ok {
					for j := range tuple {
						tuple[j] = fix(i, tuple[j])
					}
				} else {
					n.Right = fix(i, n.Right)
				}
			} else if i, ok := col(n.Right); ok {
				n.Left = fix(i, n.Left)
			}
		case *sqlparser.BetweenExpr:
			if i, ok := col(n.Left); ok {
				n.From, n.To = fix(i, n.From), fix(i, n.To)
			}
		}
		return true
	}).(sqlparser.Expr)
	if fixErr == nil && singleByteCharset(literals) != nil {
		// the literals left bare take the collation literals (the one of
		// the text columns used otherwise): their bytes too
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			switch x := n.(type) {
			case *sqlparser.CollateExpr:
				return false, nil // converted by fix, or the statement's own
			case *sqlparser.Literal:
				if x.Type == sqlparser.StrVal {
					if err := toColumnCharset(x, literals); err != nil {
						fixErr = err
					}
				}
			}
			return true, nil
		}, cond)
	}
	if fixErr != nil {
		return nil, 0, fmt.Errorf("%w: %s %s across nodes: %v (route the statement to one node with a condition on the sharding column, or compute it in the application)", ErrUnsupported, f.what, unplaceheld(f.cond), fixErr)
	}
	var err error
	if cond, err = f.roundCompared(cond); err != nil {
		return nil, 0, err
	}
	return cond, literals, nil
}

// singleByteCharset is the charset of collation id when it is one of the
// one-byte charsets merges convert to (latin1, cp1250, …; textColl.conv),
// else nil.
func singleByteCharset(id collations.ID) charset.Charset {
	if id == collations.CollationBinaryID || id == noCollation {
		return nil
	}
	c := colldata.Lookup(id)
	if c == nil {
		return nil
	}
	switch cs := c.Charset(); cs.(type) {
	case charset.Charset_utf8mb4, charset.Charset_utf8mb3, charset.Charset_binary:
		return nil
	default:
		if cs.MaxWidth() == 1 {
			return cs
		}
	}
	return nil
}

// toColumnCharset rewrites a string literal of the statement (UTF-8, the
// connection's charset) into the bytes of collation id's one-byte charset,
// as the server converts a literal compared with or combined with a
// column of that charset. A character the charset lacks refuses it.
//
// Hazard (round 16): the merge receives a latin1 column's values converted
// to utf8mb4 while the evaluator knows their collation as latin1: HEX,
// LENGTH, MD5, CONVERT … USING and CAST AS BINARY of MAX(latin1 column)
// read UTF-8 bytes ('Ö' as C3 96, where MariaDB reads D6). The values are
// converted back to the column's charset before they are evaluated
// (evaluator.eval), so the literals they meet are converted too, and
// results are converted to the connection's charset on the way out
// (EvalResult.Value).
func toColumnCharset(lit *sqlparser.Literal, id collations.ID) error {
	cs := singleByteCharset(id)
	if cs == nil {
		return nil
	}
	b, err := charset.ConvertFromUTF8(nil, cs, []byte(lit.Val))
	if err != nil {
		return err
	}
	lit.Val = string(b)
	return nil
}

// nestedDecimalDiv reports a division of non-float values anywhere but
// at the top of a select item (rootDiv) with aggregates or group values
// as operands: there evalengine's quotient, rounded to the dividend's
// scale + 4, is what MySQL sends; inside an expression MySQL goes on with
// more digits.
func (f *evaluator) nestedDecimalDiv(e sqlparser.Expr) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		b, ok := n.(*sqlparser.BinaryExpr)
		if !ok || b.Operator != sqlparser.DivOp || f.hasFloat(b) {
			return true, nil
		}
		if f.rootDiv && sqlparser.Expr(b) == e {
			_, l := b.Left.(*sqlparser.ColName)
			_, r := b.Right.(*sqlparser.ColName)
			if l && r {
				return true, nil
			}
		}
		found = true
		return false, nil
	}, e)
	return found
}

// hasFloat reports a floating-point column or literal in e.
func (f *evaluator) hasFloat(e sqlparser.Expr) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch x := n.(type) {
		case *sqlparser.ColName:
			if i, ok := evalenv.Offset(x); ok && i < len(f.types) && sqltypes.IsFloat(f.types[i]) {
				found = true
			}
		case *sqlparser.Literal:
			if x.Type == sqlparser.FloatVal {
				found = true
			}
		}
		return !found, nil
	}, e)
	return found
}

// decimalDivInFloat reports a division without floating-point operands
// in an expression that also has floating-point values: MySQL computes
// such a quotient (AVG(x) included: the router writes it SUM/COUNT) in
// DOUBLE when its parent works in DOUBLE, evalengine in DECIMAL, and the
// last digits differ.
func (f *evaluator) decimalDivInFloat(e sqlparser.Expr) bool {
	if !f.hasFloat(e) {
		return false
	}
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if b, ok := n.(*sqlparser.BinaryExpr); ok && b.Operator == sqlparser.DivOp && !f.hasFloat(b) {
			found = true
		}
		if c, ok := n.(*sqlparser.ColName); ok {
			if i, ok := evalenv.Offset(c); ok && f.quotients[i] && !sqltypes.IsFloat(f.types[i]) {
				found = true
			}
		}
		return !found, nil
	}, e)
	return found
}

func asExpr(n sqlparser.SQLNode) sqlparser.Expr {
	e, _ := n.(sqlparser.Expr)
	return e
}

// temporalLiteral is the temporal value MySQL reads an integer compared
// with a temporal column as: up to 8 digits a date (YYYYMMDD, YYMMDD),
// more a date and time (YYYYMMDDhhmmss); HHMMSS for TIME.
func temporalLiteral(t sqltypes.Type, lit *sqlparser.Literal) sqlparser.Expr {
	i, err := strconv.ParseInt(lit.Val, 10, 64)
	if err != nil {
		return lit
	}
	if t == sqltypes.Time {
		if tm, ok := datetime.ParseTimeInt64(i); ok {
			return sqlparser.NewStrLiteral(string(tm.Format(0)))
		}
		return lit
	}
	if i >= 0 && i < 100_000_000 {
		if d, ok := datetime.ParseDateInt64(i); ok {
			return sqlparser.NewStrLiteral(string(d.Format()) + " 00:00:00")
		}
		return lit
	}
	if dt, ok := datetime.ParseDateTimeInt64(i); ok {
		return sqlparser.NewStrLiteral(string(dt.Format(0)))
	}
	return lit
}

func (f *filter) Next(dest []driver.Value) error {
	for {
		if err := f.in.Next(dest); err != nil {
			return err
		}
		res, err := f.eval(dest)
		if err != nil {
			return err
		}
		if res.ToBoolean() {
			return nil
		}
	}
}

// eval evaluates the expression on a folded row, compiling it on the first.
func (f *evaluator) eval(row []driver.Value) (evalengine.EvalResult, error) {
	if f.env == nil {
		if err := f.setup(row); err != nil {
			return evalengine.EvalResult{}, err
		}
	}
	for i, t := range f.types {
		r := &f.refs[i]
		if !r.used {
			continue
		}
		v := row[i]
		if b, ok := v.([]byte); ok && r.pad && len(b) > 0 && b[len(b)-1] == ' ' {
			if r.other {
				return evalengine.EvalResult{}, fmt.Errorf("%w: %s with a function or LIKE over text with trailing spaces across nodes (the evaluator does not pad with spaces as the column's collation does; compare the column itself)", ErrUnsupported, f.what)
			}
			v = bytes.TrimRight(b, " ")
		}
		if b, ok := v.([]byte); ok && r.pad && (r.compared || f.compares) && f.colls[i].padHazard(b) {
			return evalengine.EvalResult{}, padHazardError(f.what, unplaceheld(f.cond))
		}
		if v != nil && t == sqltypes.Float32 {
			// Hazard (round 16): MariaDB's text of a FLOAT has six
			// significant digits (16777216 is "1.67772e+07"): computed
			// or compared above the nodes it is another value than the
			// server's (MAX(f) + 0, HAVING MAX(f) > 16777210).
			return evalengine.EvalResult{}, fmt.Errorf("%w: %s %s across nodes reads a FLOAT value, which the servers send as text of six digits (select col+0, a DOUBLE, in the nodes' statement or the derived table instead)", ErrUnsupported, f.what, unplaceheld(f.cond))
		}
		if v != nil && t == sqltypes.Float64 && r.text && i < len(f.scales) && f.scales[i] > 0 {
			// Hazard (review19a): a DOUBLE(M,D) (or FLOAT(M,D), refused
			// above) column's text has its D declared decimals: MariaDB's
			// CONCAT(x.d) of a DOUBLE(10,3) 4 is `4.000`, LENGTH 5; the
			// evaluator writes the shortest form, `4`. Compared or in
			// arithmetic the value is the same either way.
			return evalengine.EvalResult{}, fmt.Errorf("%w: %s %s across nodes reads a DOUBLE column of %d declared decimals as text (MariaDB writes them all, the evaluator the shortest form; select CAST(col AS DECIMAL(M,%d)) or FORMAT in the nodes' statement or the derived table instead)", ErrUnsupported, f.what, unplaceheld(f.cond), f.scales[i], f.scales[i])
		}
		if t == sqltypes.Year && r.text && zeroYear(v) {
			// Hazard (review18f): MariaDB writes a YEAR column's 0 as
			// `0000` where a function reads it as text (CONCAT(yr),
			// CONCAT(MAX(yr)) with GROUP BY, LENGTH 4), but as `0` for an
			// ungrouped MAX(yr); the evaluator has one YEAR value, whose
			// text is `0`. Read the value as a number or in a comparison,
			// it is 0 either way: only other uses of a 0 are refused.
			return evalengine.EvalResult{}, fmt.Errorf("%w: %s %s across nodes reads the YEAR value 0000 in a function (MariaDB writes it as 0000 or 0 depending on the plan; compare it, or select yr + 0 or CAST(yr AS CHAR) in the nodes' statement or the derived table instead)", ErrUnsupported, f.what, unplaceheld(f.cond))
		}
		if c := f.colls[i]; c != nil && c.conv != nil && sqltypes.IsText(t) {
			if b, ok := v.([]byte); ok {
				cb, err := charset.ConvertFromUTF8(nil, c.conv, b)
				if err != nil {
					return evalengine.EvalResult{}, fmt.Errorf("%w: %s over text of charset %s across nodes: %v (route the statement to one node with a condition on the sharding column, or compute it in the application)", ErrUnsupported, f.what, c.conv.Name(), err)
				}
				v = cb
			}
		}
		var frac int64
		if i < len(f.scales) {
			frac = f.scales[i]
		}
		sv, err := sqlValue(t, v, frac)
		if err != nil {
			return evalengine.EvalResult{}, err
		}
		f.vals[i] = sv
	}
	f.env.Row = f.vals
	res, err := f.evaluate()
	if err != nil {
		if errors.Is(err, ErrUnsupported) {
			return res, err
		}
		if vterrors.Code(err) == vtrpcpb.Code_UNIMPLEMENTED {
			return res, fmt.Errorf("%w: %s %s across nodes (%v: route the statement to one node with a condition on the sharding column, or compute it in the application)", ErrUnsupported, f.what, unplaceheld(f.cond), err)
		}
		if strings.Contains(err.Error(), "temporal type with non-zero precision") {
			return res, fractionalTemporal(f, err)
		}
		if vterrors.ErrState(err) == vterrors.DataOutOfRange {
			return res, outOfRange(f, err)
		}
		return res, fmt.Errorf("shardsql: merge: %s: %w", f.what, err)
	}
	if err := f.checkOverflow(); err != nil {
		return res, err
	}
	return res, nil
}

// evaluate runs the condition on f.vals: compiled, or interpreted when
// the compiled form panics (a type it did not expect).
func (f *evaluator) evaluate() (evalengine.EvalResult, error) {
	if res, err, ok := f.try(f.compiled); ok {
		return res, err
	}
	if f.interpreted == nil {
		return evalengine.EvalResult{}, fmt.Errorf("%w: %s %s across nodes (the evaluator cannot compute it for these types: route the statement to one node with a condition on the sharding column, or compute it in the application)", ErrUnsupported, f.what, sqlparser.String(f.cond))
	}
	res, err, ok := f.try(f.interpreted)
	if !ok {
		// Both forms panicked on these values (FIELD over an ENUM column:
		// "evalEnum, not evalBytes"): a value the evaluator cannot take,
		// which is not the statement's fault, so a refusal.
		return res, fmt.Errorf("%w: %s %s across nodes (the evaluator cannot compute it for these values: %v; route the statement to one node with a condition on the sharding column, or compute it in the application)", ErrUnsupported, f.what, unplaceheld(f.cond), err)
	}
	return res, err
}

// try evaluates e, reporting false when it panics.
func (f *evaluator) try(e evalengine.Expr) (res evalengine.EvalResult, err error, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			res, err, ok = evalengine.EvalResult{}, fmt.Errorf("%v", p), false
		}
	}()
	res, err = f.env.Evaluate(e)
	return res, err, true
}

func (f *filter) Close() error { return f.in.Close() }

// zeroYear reports a YEAR value 0 (sent as 0 or 0000).
func zeroYear(v driver.Value) bool {
	switch x := v.(type) {
	case int64:
		return x == 0
	case uint64:
		return x == 0
	case []byte:
		return len(x) > 0 && strings.Trim(string(x), "0") == ""
	case string:
		return len(x) > 0 && strings.Trim(x, "0") == ""
	}
	return false
}

// comparesText reports whether e compares values anywhere: a comparison,
// IN, BETWEEN, CASE, or a function that compares its arguments.
func comparesText(e sqlparser.Expr) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.ComparisonExpr, *sqlparser.BetweenExpr, *sqlparser.CaseExpr:
			found = true
		case *sqlparser.FuncExpr:
			switch n.Name.Lowered() {
			case "greatest", "least", "strcmp", "nullif", "field", "interval":
				found = true
			}
		}
		return !found, nil
	}, e)
	return found
}

// padHazardText says why a comparison above the nodes of PAD SPACE text
// is refused when the evaluator, which compares without padding, would
// answer it otherwise (textColl.padHazard).
const padHazardText = "it compares text ending in characters that weigh as spaces or nothing (NO-BREAK SPACE, IDEOGRAPHIC SPACE, a space then a control character under the UCA collations), or holding characters that sort below the space (tabs, control characters), under a PAD SPACE collation, which the evaluator compares without padding: compare on the nodes (a sharding condition, or no derived table), or COLLATE a _bin collation"

// padHazardError is the refusal of padHazardText for a value.
func padHazardError(what, cond string) error {
	return fmt.Errorf("%w: %s %s across nodes: %s", ErrUnsupported, what, cond, padHazardText)
}
