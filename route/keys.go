package route

import (
	"errors"
	"math/big"
	"strconv"
	"time"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/shard"
)

// ErrSchemaUnknown is wrapped by the errors of statements refused because
// the catalog lacks a fact they need (a sharded table not found on its
// first node's server, or a server that did not answer). Plan.SchemaUnknown
// marks statements routed to every node for the same reason. The driver
// reloads the catalog and routes such statements once more.
var ErrSchemaUnknown = errors.New("shardsql: schema unknown")

// schemaUnknownError is an error that also wraps ErrSchemaUnknown.
type schemaUnknownError struct{ err error }

func (e schemaUnknownError) Error() string   { return e.err.Error() }
func (e schemaUnknownError) Unwrap() []error { return []error{e.err, ErrSchemaUnknown} }

// markSchemaUnknown flags a plan or error of a statement that needed a fact
// the catalog lacked.
func (s *statement) markSchemaUnknown(p **Plan, err *error) {
	if !s.schemaMissing {
		return
	}
	if *err != nil {
		*err = schemaUnknownError{*err}
	} else if *p != nil {
		(*p).SchemaUnknown = true
	}
}

// tableFacts returns what the catalog knows of a sharded table (columns,
// unique keys). When it knows nothing the statement is marked, so that the
// driver loads the catalog and routes it again (see markSchemaUnknown);
// meanwhile the caller must take the conservative path. Planners needing
// other facts (a data source's database, say) mark s.schemaMissing the
// same way.
func (s *statement) tableFacts(table *shard.ShardedTable) (*schema.Table, bool) {
	t, ok := s.catalog.Table(table.Name)
	if !ok && s.catalog != nil {
		s.schemaMissing = true
	}
	return t, ok
}

// factsNamed is tableFacts for a logical table named name.
func (s *statement) factsNamed(name string) (*schema.Table, bool) {
	st, ok := s.topo.Table(name)
	if !ok {
		return nil, false
	}
	return s.tableFacts(st)
}

// column returns what the catalog knows of table's sharding column; nil
// when it knows nothing (and the statement is then marked, see
// markSchemaUnknown).
func (s *statement) column(table *shard.ShardedTable) *schema.Column {
	if t, ok := s.tableFacts(table); ok {
		if col, ok := t.Column(table.Column); ok {
			return col
		}
	}
	s.schemaMissing = true
	return nil
}

// convert converts sharding value v (from keyExpr or a hint) of table for
// use. Without a catalog (a Router used on its own) values are taken as
// they are, as before the catalog existed.
func (s *statement) convert(table *shard.ShardedTable, v any, use keyUse) (key, error) {
	if s.catalog == nil {
		return legacyKey(v), nil
	}
	return s.convertCol(table, s.column(table), v, use)
}

// convertCol is convert with table's sharding column col from the
// statement's catalog (nil: unknown to it).
func (s *statement) convertCol(table *shard.ShardedTable, col *schema.Column, v any, use keyUse) (key, error) {
	loc := time.UTC
	if _, ok := v.(time.Time); ok {
		var err error
		if loc, err = s.location(table); err != nil {
			return key{}, err
		}
	}
	return convertKey(col, v, use, loc), nil
}

// legacyKey is a value as routing took it before conversion by column type.
func legacyKey(v any) key {
	switch x := v.(type) {
	case decimalText:
		if f, err := strconv.ParseFloat(string(x), 64); err == nil {
			return exactKey(f)
		}
		return unknownKey("number %s", string(x))
	case hexLiteral:
		return unknownKey("hexadecimal literal %s", string(x))
	case time.Time:
		return exactKey(x.UTC())
	case nil:
		return key{res: keyNone}
	}
	return exactKey(v)
}

// location returns the time zone in which the driver writes time.Time
// values to table's data sources. Data sources that disagree would store
// one instant as different wall clocks on different nodes, so the table
// is refused.
func (s *statement) location(table *shard.ShardedTable) (*time.Location, error) {
	var loc *time.Location
	first := ""
	for _, n := range table.Nodes {
		l, ok := s.catalog.Location(n.DataSource)
		if !ok {
			l = time.UTC
		}
		if loc == nil {
			loc, first = l, n.DataSource
			continue
		}
		if l.String() != loc.String() {
			return nil, unsupported(s.sql, "time value for table %s, whose data sources write times in different time zones (%s: loc=%s, %s: loc=%s); give every data source of the table the same loc in its DSN",
				table.Name, first, loc, n.DataSource, l)
		}
	}
	if loc == nil {
		loc = time.UTC
	}
	return loc, nil
}

// rangeBound converts the value in e for one end of a range condition on
// table's sharding column: key > e, key >= e (low) or key < e, key <= e.
// An end shardsql cannot convert exactly is dropped (unbounded), which only
// widens the nodes. none reports a bound no column value can satisfy
// (NULL).
func (s *statement) rangeBound(table *shard.ShardedTable, e sqlparser.Expr, low, inclusive bool) (b shard.Bound, none bool, err error) {
	v, ok := s.keyExpr(e)
	if !ok {
		return shard.Bound{}, false, nil
	}
	if v == nil {
		return shard.Bound{}, true, nil
	}
	if s.catalog == nil {
		k := legacyKey(v)
		if k.res != keyExact {
			return shard.Bound{}, false, nil
		}
		return shard.Bound{Value: k.value, Set: true, Inclusive: inclusive}, false, nil
	}
	col := s.column(table)
	if _, isTime := v.(time.Time); isTime || col == nil || !col.IsInteger() {
		k, err := s.convert(table, v, keyCompare)
		if err != nil || k.res != keyExact || (col != nil && col.IsText()) {
			return shard.Bound{}, false, err
		}
		if k.inexact && !low {
			// A time cut to the column's precision (fractionKey):
			// at < '…00:00:00.4' holds for the row of 00:00:00, so a
			// cut upper bound includes its value (a cut lower one is
			// right as it is: at > '…23:59:59.4' is at > 23:59:59).
			inclusive = true
		}
		return shard.Bound{Value: k.value, Set: true, Inclusive: inclusive}, false, nil
	}
	r, ok := compareRat(v)
	if !ok {
		return shard.Bound{}, false, nil
	}
	if !r.IsInt() {
		// An integer column holds no fraction: key > 1.5 is key >= 2,
		// key < 1.5 is key <= 1.
		q := new(big.Int).Quo(r.Num(), r.Denom()) // truncated toward zero
		if low == (r.Sign() > 0) {
			q.Add(q, big.NewInt(int64(r.Sign())))
		}
		r, inclusive = new(big.Rat).SetInt(q), true
	}
	n := r.Num()
	switch {
	case n.IsInt64():
		return shard.Bound{Value: n.Int64(), Set: true, Inclusive: inclusive}, false, nil
	case n.IsUint64():
		return shard.Bound{Value: n.Uint64(), Set: true, Inclusive: inclusive}, false, nil
	}
	return shard.Bound{}, false, nil
}

// compareRat returns the number an integer column is compared with for v,
// when shardsql can tell exactly: integers as they are, DOUBLEs and
// strings (read as DOUBLE) below 2⁵³ with at most maxExactDigits digits.
func compareRat(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return big.NewRat(1, 1), true
		}
		return new(big.Rat), true
	case float64:
		if x != x || x >= 1<<53 || x <= -(1<<53) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(x), true
	case float32:
		return compareRat(float64(x))
	case decimalText:
		return textRat(string(x), false)
	case string:
		return textRat(x, true)
	case []byte:
		return textRat(string(x), true)
	case hexLiteral:
		return nil, false
	}
	if n, ok := goInteger(v); ok {
		return new(big.Rat).SetInt(n), true
	}
	return nil, false
}

// textRat reads a number as the server compares it with an integer column:
// the numeric prefix of a string (prefix), or a whole DECIMAL literal.
func textRat(s string, prefix bool) (*big.Rat, bool) {
	i := 0
	if prefix {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
		if i < len(s) && (s[i] == '\v' || s[i] == '\f') {
			return nil, false
		}
	}
	n, ok := scanNumber(s[i:], 0)
	if !ok || (!prefix && n.end != len(s)) {
		return nil, false
	}
	if n.digits == 0 {
		return new(big.Rat), true
	}
	if n.digits > maxExactDigits || n.exp > 400 || n.exp < -400 {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s[i+n.start : i+n.end])
	if !ok || new(big.Rat).Abs(r).Cmp(twoTo53) >= 0 {
		return nil, false
	}
	return r, true
}
