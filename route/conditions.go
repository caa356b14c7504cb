package route

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shard"
)

// nodeSet is a set of node indexes of one table, or every node.
type nodeSet struct {
	all bool
	in  []bool // in[i] reports whether node i is in the set; unused when all
}

func allNodes() nodeSet { return nodeSet{all: true} }

func (c *conditions) none() nodeSet { return nodeSet{in: c.s.boolSlice(len(c.table.Nodes))} }

func (a nodeSet) and(b nodeSet) nodeSet {
	switch {
	case a.all:
		return b
	case b.all:
		return a
	}
	for i := range a.in {
		a.in[i] = a.in[i] && b.in[i]
	}
	return a
}

func (a nodeSet) or(b nodeSet) nodeSet {
	switch {
	case a.all:
		return a
	case b.all:
		return b
	}
	for i := range a.in {
		a.in[i] = a.in[i] || b.in[i]
	}
	return a
}

// single returns the set's node index when the set, out of n nodes, is
// one node (indexes would list it alone).
func (a nodeSet) single(n int) (int, bool) {
	if a.all {
		return 0, n == 1
	}
	found := -1
	for i := 0; i < n; i++ {
		if a.in[i] {
			if found >= 0 {
				return 0, false
			}
			found = i
		}
	}
	return found, found >= 0
}

// indexes lists the set's node indexes in order. An empty set becomes the
// first node: its conditions cannot match a row anywhere, and one node gives
// the correct empty result (COUNT(*) = 0 and so on).
func (a nodeSet) indexes(n int) []int {
	out := make([]int, 0, n)
	for i := 0; i < n; i++ {
		if a.all || a.in[i] {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		out = append(out, 0)
	}
	return out
}

// conditions extracts the nodes a WHERE clause can touch for one sharded table.
type conditions struct {
	s     *statement
	table *shard.ShardedTable
	ref   tableRef // the table's reference: its alias or name qualifies its columns
	// ins holds the IN lists on the sharding column that sit under AND/OR only
	// (never under NOT): the node of each listed value, so each node can be
	// sent only its own values.
	ins map[*sqlparser.ComparisonExpr]inOwners
}

// inOwners says which values of an IN list on the sharding column each
// node owns: node index -> the values' positions in the list. A value no
// node holds (NULL, a value outside every range) is in no entry.
//
// Hazard: this was a node index per value with -1 for "no node"; a value
// left at the zero value would have been sent to node 0. A node absent
// from the map owns nothing and keeps the whole list (trimIn).
type inOwners map[int][]int

func (s *statement) conditions(ref tableRef) *conditions {
	return &conditions{s: s, table: ref.sharded, ref: ref}
}

// nodeSet returns the nodes the WHERE clause can touch, or those of the
// sharding values a hint gives for the table.
func (c *conditions) nodeSet(where *sqlparser.Where) (nodeSet, error) {
	if values, ok := c.s.hints[strings.ToLower(c.table.Name)]; ok {
		if err := c.checkHint(where, values); err != nil {
			return allNodes(), err
		}
		set := c.none()
		for _, v := range values {
			k, err := c.s.convert(c.table, v, keyCompare)
			if err == nil && k.res == keyUnknown {
				err = fmt.Errorf("shardsql: value %v: %s; give the value the column holds", v, k.why)
			}
			if err != nil {
				return set, fmt.Errorf("shardsql: hint for table %s: %w", c.table.Name, err)
			}
			if k.res == keyNone {
				continue // no row can have it
			}
			i, err := c.node(k.value)
			if err != nil {
				return set, fmt.Errorf("shardsql: hint for table %s: %w", c.table.Name, err)
			}
			set.in[i] = true
		}
		return set, nil
	}
	if where == nil || where.Expr == nil {
		return allNodes(), nil
	}
	return c.expr(where.Expr)
}

func (c *conditions) expr(e sqlparser.Expr) (nodeSet, error) {
	switch e := e.(type) {
	case *sqlparser.AndExpr:
		l, r, err := c.pair(e.Left, e.Right)
		return l.and(r), err
	case *sqlparser.OrExpr:
		l, r, err := c.pair(e.Left, e.Right)
		return l.or(r), err
	case *sqlparser.ComparisonExpr:
		return c.comparison(e)
	case *sqlparser.BetweenExpr:
		return c.between(e)
	}
	return allNodes(), nil
}

// pair routes both sides of AND/OR.
func (c *conditions) pair(a, b sqlparser.Expr) (nodeSet, nodeSet, error) {
	l, err := c.expr(a)
	if err != nil {
		return l, l, err
	}
	r, err := c.expr(b)
	return l, r, err
}

// inequality routes key < v, key <= v, key > v, key >= v (either side).
func (c *conditions) inequality(e *sqlparser.ComparisonExpr) (nodeSet, error) {
	op, val := e.Operator, e.Right
	if !c.isKey(e.Left) {
		if !c.isKey(e.Right) {
			return allNodes(), nil
		}
		val = e.Left
		op = map[sqlparser.ComparisonExprOperator]sqlparser.ComparisonExprOperator{
			sqlparser.LessThanOp: sqlparser.GreaterThanOp, sqlparser.LessEqualOp: sqlparser.GreaterEqualOp,
			sqlparser.GreaterThanOp: sqlparser.LessThanOp, sqlparser.GreaterEqualOp: sqlparser.LessEqualOp,
		}[op]
	}
	low := op == sqlparser.GreaterThanOp || op == sqlparser.GreaterEqualOp
	b, none, err := c.s.rangeBound(c.table, val, low, op == sqlparser.LessEqualOp || op == sqlparser.GreaterEqualOp)
	switch {
	case err != nil:
		return allNodes(), err
	case none: // a comparison with NULL matches no row
		return c.none(), nil
	case !b.Set:
		return allNodes(), nil
	}
	var r shard.ValueRange
	if low {
		r.Low = b
	} else {
		r.High = b
	}
	return c.rangeNodes(r)
}

// between routes key BETWEEN a AND b; NOT BETWEEN goes everywhere.
func (c *conditions) between(e *sqlparser.BetweenExpr) (nodeSet, error) {
	if !e.IsBetween || !c.isKey(e.Left) {
		return allNodes(), nil
	}
	lo, none1, err := c.s.rangeBound(c.table, e.From, true, true)
	if err != nil {
		return allNodes(), err
	}
	hi, none2, err := c.s.rangeBound(c.table, e.To, false, true)
	switch {
	case err != nil:
		return allNodes(), err
	case none1 || none2:
		return c.none(), nil
	case !lo.Set && !hi.Set:
		return allNodes(), nil
	}
	return c.rangeNodes(shard.ValueRange{Low: lo, High: hi})
}

func (c *conditions) rangeNodes(r shard.ValueRange) (nodeSet, error) {
	idx, err := c.table.NodesFor(r)
	if c.s.algorithmRejects(c.table, err) {
		return allNodes(), nil
	}
	if err != nil {
		return allNodes(), fmt.Errorf("%w (in %q)", err, quote(c.s.sql))
	}
	set := c.none()
	for _, i := range idx {
		set.in[i] = true
	}
	return set, nil
}

func (c *conditions) comparison(e *sqlparser.ComparisonExpr) (nodeSet, error) {
	if e.Modifier != sqlparser.Missing {
		return allNodes(), nil
	}
	switch e.Operator {
	case sqlparser.LessThanOp, sqlparser.LessEqualOp, sqlparser.GreaterThanOp, sqlparser.GreaterEqualOp:
		return c.inequality(e)
	case sqlparser.EqualOp:
		val := e.Right
		if !c.isKey(e.Left) {
			if !c.isKey(e.Right) {
				return allNodes(), nil
			}
			val = e.Left
		}
		k, ok, err := c.key(val)
		if err != nil || !ok || k.res == keyUnknown {
			return allNodes(), err
		}
		set := c.none()
		if k.res == keyNone { // key = NULL, key = 1.5 on an integer column: no row
			// … except where the server's index lookup rounds 1.5
			// (nearKey): the nodes of the integers beside it.
			for _, v := range k.near {
				i, placed, err := c.nodeOrScatter(v)
				if !placed {
					return allNodes(), nil
				}
				if err == nil {
					set.in[i] = true
				} else if !errors.Is(err, shard.ErrNoNode) {
					return set, err
				}
			}
			return set, nil
		}
		i, placed, err := c.nodeOrScatter(k.value)
		if !placed {
			return allNodes(), nil
		}
		if errors.Is(err, shard.ErrNoNode) {
			return set, nil // no node holds it: no row can match
		}
		if err != nil {
			return set, err
		}
		set.in[i] = true
		return set, nil
	case sqlparser.InOp:
		tuple, ok := e.Right.(sqlparser.ValTuple)
		if !ok || !c.isKey(e.Left) {
			return allNodes(), nil
		}
		if bad, ok := c.textIntoNumber(tuple); ok {
			// Hazard (diff21): a string compared with an integer column
			// converts with a warning ('2x', 'A ', the empty string),
			// which strict sql_mode makes an error in UPDATE and DELETE:
			// MariaDB converts it each time it compares a row. Trimmed to
			// its own values, a node never converted the others' (no
			// warning, no error, where one database fails the write),
			// and a list trimmed to one value became `k = v`, compared
			// as DOUBLE where the list compares as DECIMAL. Pruned to the
			// owners' nodes, nodes without rows compared nothing while
			// one database failed on its first row. A read sends such a
			// list whole to every node: each compares its own rows as one
			// database compares them all. A write is refused: whether
			// strict mode fails it depends on the rows each server's plan
			// compares (an index range compares none, a scan every one),
			// which one database and the nodes need not share.
			verb := ""
			var stmt sqlparser.Statement
			if c.s.ps != nil {
				stmt = c.s.ps.stmt
			}
			switch stmt.(type) {
			case *sqlparser.Update:
				verb = "UPDATE"
			case *sqlparser.Delete:
				verb = "DELETE"
			}
			if verb != "" {
				return allNodes(), unsupported(c.s.sql, "%s comparing integer sharding column %s of table %s with %s in an IN list, a string that is not a number (MariaDB converts it with a warning, which strict sql_mode makes an error or not depending on the rows its plan compares): write the integer you mean",
					verb, c.table.Column, c.table.Name, bad)
			}
			return allNodes(), nil
		}
		keys := make([]key, len(tuple))
		for i, ve := range tuple {
			k, ok, err := c.key(ve)
			if err != nil || !ok || k.res == keyUnknown || len(k.near) > 0 {
				// One value shardsql cannot place, or a number with a
				// fraction whose match depends on the server's plan for
				// the list as written (nearKey: IN (7.2) matches k = 7
				// through an index, IN (7.2, 8.2) nothing): every node,
				// with the whole list (no per-node trimming).
				return allNodes(), err
			}
			keys[i] = k
		}
		set := c.none()
		owners := make(inOwners)
		for i, k := range keys {
			if k.res == keyNone {
				continue // matches no row: sent to no node
			}
			n, placed, err := c.nodeOrScatter(k.value)
			if !placed {
				return allNodes(), nil
			}
			if errors.Is(err, shard.ErrNoNode) {
				continue // no node holds it: no row can match
			}
			if err != nil {
				return set, err
			}
			owners[n] = append(owners[n], i)
			set.in[n] = true
		}
		for _, k := range keys {
			if k.inexact {
				// Hazard (attack15, seed 15101): a time with more
				// fractional digits than the column keeps. MariaDB
				// matches `at IN (v)` as `at = v`, through the index with
				// v cut to the column's precision, and a list of several
				// values without that cut: a node left with only v would
				// find the row of the cut value that the list as written
				// does not match. Such a list goes whole to each owner.
				return set, nil
			}
		}
		if len(owners) < 2 {
			// Hazard (diff22, seed 2201): a list whose values one node
			// owns goes whole, NULLs and all. Trimmed, `id IN (NULL, 3)`
			// became `id in (3)`, a one-row primary key lookup that
			// MariaDB plans as a const table, and its result metadata
			// follows the plan: `GROUP BY e WITH ROLLUP` reported e as
			// VARCHAR where the list as written reports ENUM. The node
			// holds no row of the values it does not own, so the whole
			// list matches the same rows.
			return set, nil
		}
		if c.ins == nil {
			c.ins = make(map[*sqlparser.ComparisonExpr]inOwners)
		}
		c.ins[e] = owners
		return set, nil
	}
	return allNodes(), nil
}

// textIntoNumber returns the first value of an IN list on an integer
// sharding column that is a string (a literal or an argument) but not
// exactly a number ('2x', 'A ', the empty string), which the server
// converts with a warning (see the hazard at its use). Time columns need no check here: a string the
// server reads with a warning is not placed (keyUnknown) or is inexact,
// and either keeps the list whole.
func (c *conditions) textIntoNumber(tuple sqlparser.ValTuple) (string, bool) {
	col := c.s.column(c.table)
	if c.s.catalog == nil || col == nil || !col.IsInteger() {
		return "", false
	}
	for _, ve := range tuple {
		v, ok := c.s.keyExpr(ve)
		if !ok {
			continue
		}
		var text string
		switch x := v.(type) {
		case string:
			text = x
		case []byte:
			text = string(x)
		case time.Time:
			// sent as its text ('2025-02-01 00:00:00.5')
			return quoteValue(x.Format("2006-01-02 15:04:05.999999")), true
		default:
			continue
		}
		lead := strings.TrimLeft(text, " \t\n\r")
		n, ok := scanNumber(lead, 0)
		if !ok || n.end == n.start || !onlySpaces(lead[n.end:]) {
			return quoteValue(text), true
		}
	}
	return "", false
}

// isKey reports whether e is the sharding column of the table, bare or
// qualified by the table's name or alias.
func (c *conditions) isKey(e sqlparser.Expr) bool {
	col, ok := e.(*sqlparser.ColName)
	if !ok || !col.Name.EqualString(c.table.Column) {
		return false
	}
	return col.Qualifier.IsEmpty() || c.s.qualifies(col.Qualifier, c.ref)
}

// node returns the node index owning v, with the statement in the error.
func (c *conditions) node(v any) (int, error) {
	i, err := c.table.NodeFor(v)
	if err != nil {
		return 0, fmt.Errorf("%w (in %q)", err, quote(c.s.sql))
	}
	return i, nil
}

// key converts the sharding value in e for comparison with the column; ok
// is false when e is not a value (a column, a function, an expression).
func (c *conditions) key(e sqlparser.Expr) (key, bool, error) {
	v, ok := c.s.keyExpr(e)
	if !ok {
		return key{}, false, nil
	}
	k, err := c.s.convert(c.table, v, keyCompare)
	return k, err == nil, err
}

// value returns the Go value of a literal, ? argument or NULL. ok is false
// for anything else (columns, functions, expressions): such conditions do
// not narrow the route.
func (c *conditions) value(e sqlparser.Expr) (v any, ok bool) {
	return c.s.value(e)
}

// value returns the Go value of a literal, ? argument or NULL expression.
func (s *statement) value(e sqlparser.Expr) (any, bool) {
	switch e := e.(type) {
	case *sqlparser.NullVal:
		return nil, true
	case *sqlparser.Argument:
		i, ok := argIndex(e.Name)
		if !ok || i >= len(s.args) {
			return nil, false
		}
		s.argsRead = true // the route may depend on it (pass_route.go)
		return s.args[i], true
	case *sqlparser.Literal:
		return literalValue(e.Type, e.Val)
	case *sqlparser.UnaryExpr:
		if lit, ok := e.Expr.(*sqlparser.Literal); ok && e.Operator == sqlparser.UMinusOp && lit.Type == sqlparser.IntVal {
			return literalValue(lit.Type, "-"+lit.Val)
		}
	}
	return nil, false
}

func literalValue(t sqlparser.ValType, text string) (any, bool) {
	switch t {
	case sqlparser.StrVal:
		return text, true
	case sqlparser.IntVal:
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			return i, true
		}
		if u, err := strconv.ParseUint(text, 10, 64); err == nil {
			return u, true
		}
	case sqlparser.DecimalVal, sqlparser.FloatVal:
		if f, err := strconv.ParseFloat(text, 64); err == nil {
			return f, true
		}
	}
	return nil, false
}
