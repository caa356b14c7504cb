package route

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shard"
)

// A sharding value hint (WithShardingValues) routes a statement that does
// not carry its key. Hazard: when the statement does carry it — an INSERT
// row's value, or a WHERE key = / IN condition — routing by the hint alone
// put `INSERT … (user_id) VALUES (1), (2)` with a hint of 42 on 42's node,
// where reads of user 1 never look. A hint that disagrees with a value the
// statement writes is an error naming both; one that agrees changes nothing.

// hintError reports a statement value that no value of the hint equals.
func (s *statement) hintError(table, column string, hint []any, value any) error {
	hv := make([]string, len(hint))
	for i, h := range hint {
		hv[i] = valueText(h)
	}
	return fmt.Errorf("shardsql: sharding value hint for table %s (%s = %s) contradicts %s = %s written in the statement %q: drop the hint or make it agree",
		table, column, strings.Join(hv, " or "), column, valueText(value), quote(s.sql))
}

// valueText prints a sharding value for messages: strings quoted, numbers
// as written.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return strconv.Quote(x)
	case []byte:
		return strconv.Quote(string(x))
	case decimalText:
		return string(x)
	case hexLiteral:
		return string(x)
	}
	return fmt.Sprint(v)
}

// hintAgrees reports whether v, a sharding value the statement writes
// (from keyExpr), equals one of the hint's values once both are converted
// for the column (so '01' agrees with 1 on an integer column, and 'A' with
// 'a' under a case-insensitive collation), compared by canonical text. A
// value that converts to no row's value (NULL), or that shardsql cannot
// convert exactly, agrees with no hint.
func (s *statement) hintAgrees(table *shard.ShardedTable, hint []any, v any, use keyUse) (bool, error) {
	k, err := s.convert(table, v, use)
	if err != nil || k.res != keyExact {
		return false, err
	}
	t, ok := canonicalText(k.value)
	if !ok {
		return false, nil
	}
	for _, h := range hint {
		hk, err := s.convert(table, h, keyCompare)
		if err != nil || hk.res != keyExact {
			continue // nodeSet reports a hint it cannot convert
		}
		if ht, ok := canonicalText(hk.value); ok && ht == t {
			return true, nil
		}
	}
	return false, nil
}

// canonicalText is the text a sharding value compares by; false for NULL.
func canonicalText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case []byte:
		return string(x), true
	case time.Time:
		return x.Format("2006-01-02 15:04:05.999999999"), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10), true
	case reflect.String:
		return rv.String(), true
	}
	return fmt.Sprint(v), true
}

// checkHint returns an error when a key = value or key IN (…) condition of
// where (under AND/OR, where it routes) names a value the hint does not.
func (c *conditions) checkHint(where *sqlparser.Where, hint []any) error {
	if where == nil || where.Expr == nil {
		return nil
	}
	var check func(e sqlparser.Expr) error
	check = func(e sqlparser.Expr) error {
		var values []sqlparser.Expr
		switch e := e.(type) {
		case *sqlparser.AndExpr:
			if err := check(e.Left); err != nil {
				return err
			}
			return check(e.Right)
		case *sqlparser.OrExpr:
			if err := check(e.Left); err != nil {
				return err
			}
			return check(e.Right)
		case *sqlparser.ComparisonExpr:
			if e.Modifier != sqlparser.Missing {
				return nil
			}
			switch {
			case e.Operator == sqlparser.EqualOp && c.isKey(e.Left):
				values = []sqlparser.Expr{e.Right}
			case e.Operator == sqlparser.EqualOp && c.isKey(e.Right):
				values = []sqlparser.Expr{e.Left}
			case e.Operator == sqlparser.InOp && c.isKey(e.Left):
				if tuple, ok := e.Right.(sqlparser.ValTuple); ok {
					values = tuple
				}
			}
		}
		for _, ve := range values {
			v, ok := c.s.keyExpr(ve)
			if !ok || v == nil { // not a value; NULL matches no row
				continue
			}
			if k, err := c.s.convert(c.table, v, keyCompare); err != nil || k.res == keyNone {
				continue // no row's value: the condition adds no rows to the hint's
			}
			agree, err := c.s.hintAgrees(c.table, hint, v, keyCompare)
			if err != nil {
				return err
			}
			if !agree {
				return c.s.hintError(c.table.Name, c.table.Column, hint, v)
			}
		}
		return nil
	}
	return check(where.Expr)
}

// checkInsertHint returns an error when an INSERT row's sharding value is
// not one of the hint's values (NULL included). Rows whose value is not a
// literal or argument are left to routing, which refuses them.
func (s *statement) checkInsertHint(table *shard.ShardedTable, hint []any, rows sqlparser.Values, keyCol int) error {
	for _, row := range rows {
		if keyCol >= len(row) {
			continue
		}
		v, ok := s.keyExpr(row[keyCol])
		if !ok {
			continue
		}
		agree, err := s.hintAgrees(table, hint, v, keyStore)
		if err != nil {
			return err
		}
		if !agree {
			return s.hintError(table.Name, table.Column, hint, v)
		}
	}
	return nil
}
