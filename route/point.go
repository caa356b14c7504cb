package route

import (
	"reflect"
	"sync/atomic"
	"time"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/shard"
)

// pointRoute is what routing a cached statement once proved about every
// later routing of it: the statement reaches exactly one node of one
// sharded table, and which node depends on one ? argument alone — a point
// select (`WHERE key = ? AND …`), a one-row INSERT whose key is a ?, or an
// UPDATE or DELETE by key (`WHERE key = ? AND …`, point_write.go).
// Routing it again is then the argument's conversion and the table's
// algorithm, then the memoized node SQL (render's memo): no walk of the
// shape, the names, the WHERE clause or the rows.
//
// The hazard is a shortcut that answers differently from the full routing
// for some arguments. The shortcut therefore:
//   - holds only for the topology version and the catalog it was proved
//     with, and only without hints (Options.ShardingValues, DataSource),
//     which change how the full routing reads the statement;
//   - is proved from the AST alone (pointArg, pointInsert, pointUpdate,
//     pointDelete): every other
//     condition of the WHERE is one the full routing reads as "every
//     node" whatever the arguments are (a conjunct that is not a
//     comparison, BETWEEN, IN or equality on the sharding column; an OR
//     anywhere makes no shortcut), and the statement is a single-table
//     SELECT without subqueries, joins, UNION, WITH, window functions or
//     INTO, a one-row INSERT without generated keys or hints, or a
//     single-table UPDATE (assigning no column named like the sharding
//     column) or DELETE without subqueries, joins or WITH;
//   - converts the argument with the same function the full routing uses
//     (statement.convert: the column's type, collation and time zone
//     rules), and takes the node from the same ShardedTable.NodeFor;
//   - steps aside to the full routing, having lent nothing, for every
//     answer that is not "exactly this value, owned by this node": NULL,
//     a value no row can hold, a value it cannot convert exactly, an
//     error, a value no node owns. Those keep the full routing's
//     answers and errors;
//   - runs the checks that depend on the arguments as the full routing
//     runs them (an INSERT's AUTO_INCREMENT check, the session check,
//     whose locks rule depends on the node);
//   - is compared, when it is proved, with the full routing's plan for
//     the same arguments (samePointPlan), and not kept if they differ.
//
// What it cannot see: a check that a later change adds to routeSelect,
// routeInsert, routeUpdate, routeDelete (or what they call) and that
// depends on the arguments is
// skipped here unless it is added to pointNode too (comments at both
// functions say so). Checks that depend on the statement alone are safe:
// a statement they refuse never gets a shortcut.
type pointRoute struct {
	version uint64
	catalog *schema.Catalog
	kind    Kind
	table   *shard.ShardedTable
	arg     int // the argument whose value picks the node
	// rows is an INSERT's one row, the rows its node statement is
	// rendered with.
	rows sqlparser.Values
	// none: the statement has no shortcut (for this version and catalog).
	none bool
	// bound is a SELECT's row bound (row_bound.go).
	bound rowBound
	// col is the catalog's sharding column of table, looked up once
	// (statement.column: a map lookup and a case-insensitive scan of the
	// columns per statement were a third of a cached point statement's
	// routing); nil without a catalog. The catalog is never changed in
	// place (a new one is built: driver catalogCache), and the shortcut
	// holds only for the catalog it was proved with.
	col *schema.Column
	// intCol: col is an integer column (col.IsInteger(), read once: the
	// column is never changed in place), for directNode.
	intCol bool
	// nodes keeps, per node of the table, the node's memoized rendering
	// once render made it (routePoint), for routePointDirect.
	nodes []atomic.Pointer[rendered]
}

// pointFor returns the statement's proved shortcut for the options, or nil.
func (s *statement) pointFor(opts Options) *pointRoute {
	if len(opts.ShardingValues) != 0 || opts.DataSource != "" {
		return nil
	}
	pr := s.ps.point.Load()
	if pr == nil || pr.none || pr.version != s.version || pr.catalog != s.catalog {
		return nil
	}
	return pr
}

// routePoint routes the statement by its proved shortcut. ok is false,
// with nothing lent from the statement's storage and schemaMissing as it
// was, when the argument's answer is not one node: the caller then routes
// in full. The node's rendering is kept with the shortcut for
// routePointDirect.
func (s *statement) routePoint(pr *pointRoute) (_ *Plan, ok bool) {
	n, ok := s.pointNode(pr)
	if !ok {
		return nil, false
	}
	p := s.pointPlan(pr, n)
	if pr.nodes[n].Load() == nil {
		if m := s.ps.renders.Load(); m != nil {
			if rd := (*m)[renderKey{shape: s.shapeKey(), node: n}]; rd != nil {
				pr.nodes[n].Store(rd) // render's own memo entry for this node
			}
		}
	}
	return p, true
}

// pointNode is the node the statement's key argument picks, ok false
// (schemaMissing as it was) when the answer is not exactly one node.
func (s *statement) pointNode(pr *pointRoute) (int, bool) {
	if pr.arg >= len(s.args) {
		return 0, false
	}
	missing := s.schemaMissing
	fail := func() (int, bool) {
		s.schemaMissing = missing
		return 0, false
	}
	v := s.args[pr.arg]
	if v == nil {
		return fail() // NULL: no row (a select), an error (an insert)
	}
	use := keyCompare
	if pr.kind == KindInsert {
		use = keyStore
		if err := s.checkAutoIncrement(s.ps.stmt.(*sqlparser.Insert), pr.rows, pr.table); err != nil {
			return fail()
		}
	}
	var k key
	var err error
	if pr.col != nil {
		k, err = s.convertCol(pr.table, pr.col, v, use) // convert, the column known
	} else {
		k, err = s.convert(pr.table, v, use)
	}
	if err != nil || k.res != keyExact || s.schemaMissing != missing {
		return fail()
	}
	n, err := pr.table.NodeFor(k.value)
	if err != nil {
		return fail()
	}
	return n, true
}

// directNode is pointNode without a routing statement, for the
// arguments whose conversion reads nothing of the statement: a SELECT,
// UPDATE or DELETE (an INSERT's key is stored, and its AUTO_INCREMENT is
// checked against the statement's AST) whose sharding column the catalog
// knows (pr.col), with a key value that is not a time.Time (whose wall
// clock is the data sources' time zone: statement.location reads the
// catalog). For those, pointNode's convertCol is convertKey(col, v,
// keyCompare, time.UTC), the zone unread, and neither touches the
// statement: the answer is pointNode's. known is false for every other
// case, which pointNode answers.
//
// The hazard it removes: routePointDirect built a statement (880 bytes,
// zeroed on the stack) for every cached point statement only to read its
// args; the hazard it must keep out is a time.Time key or an INSERT taking
// this path — TestPointDirectTimeZone fails when a time.Time is converted
// here in UTC.
func (pr *pointRoute) directNode(args []any) (n int, ok, known bool) {
	if pr.kind == KindInsert || pr.col == nil {
		return 0, false, false
	}
	if pr.arg >= len(args) {
		return 0, false, true
	}
	// v is passed on as the caller's interface, never a variable of the
	// type switch: boxed again, an int64 of 256 or more is an allocation
	// (and integerKey keeps the caller's box as the key).
	v := args[pr.arg]
	var k key
	switch v.(type) {
	case nil:
		return 0, false, true // NULL: no row
	case time.Time:
		return 0, false, false // the data sources' zone (statement.location)
	case int64:
		if pr.intCol {
			k = integerKey(pr.col, v, keyCompare) // convertKey's case for an integer column
		} else {
			k = convertKey(pr.col, v, keyCompare, time.UTC)
		}
	default:
		k = convertKey(pr.col, v, keyCompare, time.UTC)
	}
	if k.res != keyExact {
		return 0, false, true
	}
	n, err := pr.table.NodeFor(k.value)
	if err != nil {
		return 0, false, true
	}
	return n, true, true
}

// pointNodeOf is pointNode on a routing statement of its own (a frame
// apart, so that routePointDirect's fast path does not zero one).
//
//go:noinline
func (r *Router) pointNodeOf(ps *parsed, sql string, args []any, opts Options, version uint64, pr *pointRoute) (int, bool) {
	s := statement{router: r, sql: sql, args: args, topo: r.topo, ps: ps, version: version, catalog: opts.Catalog}
	return s.pointNode(pr)
}

// PlanStore is storage a caller lends routing (Options.Store) for the
// plan of a cached point statement (point.go) or pass-through statement
// (pass_route.go): the plan, its one unit and an INSERT's row list, so
// that they are not an allocation of their own. The
// plan then lives in the store: the caller must not lend the store again
// while it uses the plan. The zero value is ready to use.
type PlanStore struct {
	plan Plan
	unit [1]Unit
	rows [1][]int
	row  [1]int
}

// routePointDirect is routePoint without a routing statement on the heap:
// for a statement that does not depend on the session (no check after
// routing) whose node's rendering the shortcut already keeps, the plan is
// the key's conversion and node, and that rendering with this call's
// arguments — built as render builds a memoized unit. ok is false when
// any of that is missing; the caller then routes as before.
//
// The routing statement is a local value that nothing keeps (convert and
// its checks read it, no rendering is printed here), so it stays off the
// heap; the plan's storage is one small allocation, or the caller's
// (Options.Store).
func (r *Router) routePointDirect(ps *parsed, sql string, args []any, opts Options, version uint64) (*Plan, bool) {
	pr := ps.point.Load() // first: only a cached parse has one, and its session uses are known
	if pr == nil || pr.none || pr.version != version || pr.catalog != opts.Catalog {
		return nil, false
	}
	if ps.sessionUses() != 0 || len(opts.ShardingValues) != 0 || opts.DataSource != "" {
		return nil, false
	}
	n, ok, known := pr.directNode(args)
	if !known {
		n, ok = r.pointNodeOf(ps, sql, args, opts, version, pr)
	}
	if !ok {
		return nil, false
	}
	rd := pr.nodes[n].Load()
	if rd == nil {
		return nil, false
	}
	node := pr.table.Nodes[n]
	var unitArgs []any
	if rd.inOrder {
		unitArgs = args[:len(args):len(args)]
	} else if len(rd.argIdx) > 0 {
		unitArgs = make([]any, len(rd.argIdx))
		for i, a := range rd.argIdx {
			unitArgs[i] = args[a]
		}
	}
	st := opts.Store
	if st == nil {
		st = new(PlanStore)
	}
	// Every field of the store is written here, once: zeroing the whole
	// store first (*st = PlanStore{}) and then writing the plan over it
	// cleared its 264 bytes twice per statement, in the Conn's store on
	// the heap (with write barriers while the GC runs). A field added to
	// PlanStore must be written here too.
	st.unit[0] = Unit{DataSource: node.DataSource, Node: node, SQL: rd.sql, Args: unitArgs}
	st.plan = Plan{SQL: sql, Kind: pr.kind, Table: pr.table.Name, Units: st.unit[:1:1], RowBound: pr.bound.of(args)}
	st.rows[0], st.row[0] = nil, 0
	if pr.kind == KindInsert {
		st.rows[0] = st.row[:1:1] // the statement's row 0
		st.plan.InsertRows = st.rows[:1:1]
	}
	return &st.plan, true
}

// pointPlan builds the plan of node n as the full routing builds it
// (statement.plan for a SELECT, UPDATE or DELETE, routeInsert's loop for
// an INSERT).
func (s *statement) pointPlan(pr *pointRoute, n int) *Plan {
	tables := append(s.tableSlice(), pr.table)
	if pr.kind != KindInsert {
		return s.plan(pr.kind, s.ps.stmt, routed{tables: tables, nodes: s.nodeSlice(n)}) // routeWhere's for an UPDATE or DELETE
	}
	p := s.newPlan()
	*p = Plan{SQL: s.sql, Kind: KindInsert, Table: pr.table.Name, Units: s.unitSlice(1), InsertRows: s.rowLists(1)}
	p.Units = append(p.Units, s.render(s.ps.stmt, tables, n, nil, pr.rows))
	p.InsertRows = append(p.InsertRows, s.nodeSlice(0))
	return p
}

// learnPoint proves and keeps the shortcut for a cached statement that
// full routing sent to one node (p), when its AST allows one. A statement
// whose AST allows none keeps that answer too (pointRoute.none), so it is
// not examined again; arguments the shortcut steps aside for (a NULL key,
// say) leave nothing, and a later routing proves it.
func (s *statement) learnPoint(p *Plan, opts Options) {
	if !s.ps.cached || s.schemaMissing || len(opts.ShardingValues) != 0 || opts.DataSource != "" {
		return
	}
	if pr := s.ps.point.Load(); pr != nil && pr.version == s.version && pr.catalog == s.catalog {
		return // known
	}
	pr := &pointRoute{version: s.version, catalog: s.catalog}
	var ok bool
	switch st := s.ps.stmt.(type) {
	case *sqlparser.Select:
		pr.kind, ok = KindSelect, s.pointSelect(st, pr)
		pr.bound = s.proveRowBound(st)
	case *sqlparser.Insert:
		pr.kind, ok = KindInsert, s.pointInsert(st, pr)
	case *sqlparser.Update:
		pr.kind, ok = KindUpdate, s.pointUpdate(st, pr) // point_write.go
	case *sqlparser.Delete:
		pr.kind, ok = KindDelete, s.pointDelete(st, pr)
	}
	if ok {
		pr.nodes = make([]atomic.Pointer[rendered], len(pr.table.Nodes))
		if t, found := s.catalog.Table(pr.table.Name); found {
			pr.col, _ = t.Column(pr.table.Column) // nil if unknown: convert looks it up (and marks it missing)
			pr.intCol = pr.col != nil && pr.col.IsInteger()
		}
		if p.Kind != pr.kind || len(p.Units) != 1 || p.Table == "" || p.Root != nil || p.spec != nil || len(p.GeneratedIDs) != 0 ||
			p.Broadcast || p.Move != nil || p.Savepoint != nil || p.DeepPage != nil || p.Metadata != nil || p.Returning != nil {
			return // these arguments do not show it (a key no node holds, say): a later call may
		}
		switch same, routed := s.samePointPlan(pr, p); {
		case !routed:
			return // as above
		case !same:
			ok = false
		}
	}
	if !ok {
		pr = &pointRoute{version: s.version, catalog: s.catalog, none: true}
	}
	s.ps.point.Store(pr)
}

// pointSelect proves a SELECT's shortcut: one sharded table and nothing
// else in FROM, none of the constructs that route otherwise, and a WHERE
// whose only routing condition is the sharding column equal to a ?.
func (s *statement) pointSelect(sel *sqlparser.Select, pr *pointRoute) bool {
	sh := s.shapeOf(sel)
	if len(sh.sharded) != 1 || len(sh.refs) != 1 || sh.subquery || sh.join || sh.union || sh.with || sh.window ||
		sel.Into != nil || sh.unresolved != nil || sh.needsCatalog || sel.Where == nil || sel.Where.Expr == nil {
		return false
	}
	return s.pointWhere(sh, sel.Where.Expr, pr) // point_write.go
}

// pointArg returns the index of the ? argument that alone decides the
// nodes conditions.expr finds in e: e is a conjunction (AND only) with
// exactly one conjunct "sharding column = ?" (either side), and every
// other conjunct is one expr reads as every node whatever the arguments.
// It follows expr's cases one by one.
func (c *conditions) pointArg(e sqlparser.Expr) (int, bool) {
	arg := -1
	var visit func(e sqlparser.Expr) bool
	visit = func(e sqlparser.Expr) bool {
		switch e := e.(type) {
		case *sqlparser.AndExpr:
			return visit(e.Left) && visit(e.Right)
		case *sqlparser.OrExpr:
			return false
		case *sqlparser.BetweenExpr:
			return !e.IsBetween || !c.isKey(e.Left)
		case *sqlparser.ComparisonExpr:
			if e.Modifier != sqlparser.Missing {
				return true
			}
			switch e.Operator {
			case sqlparser.LessThanOp, sqlparser.LessEqualOp, sqlparser.GreaterThanOp, sqlparser.GreaterEqualOp:
				return !c.isKey(e.Left) && !c.isKey(e.Right)
			case sqlparser.InOp:
				return !c.isKey(e.Left)
			case sqlparser.EqualOp:
				var val sqlparser.Expr
				switch {
				case c.isKey(e.Left):
					val = e.Right
				case c.isKey(e.Right):
					val = e.Left
				default:
					return true
				}
				a, isArg := val.(*sqlparser.Argument)
				if !isArg || arg >= 0 {
					return false // a literal, an expression, or a second key condition
				}
				i, ok := argIndex(a.Name)
				if !ok {
					return false
				}
				arg = i
				return true
			}
		}
		return true
	}
	if !visit(e) || arg < 0 {
		return -1, false
	}
	return arg, true
}

// pointInsert proves a one-row INSERT's shortcut: its sharding column is
// in the column list and its value is a ?; no generated keys, no
// INSERT … SELECT, and the row as long as the column list.
func (s *statement) pointInsert(ins *sqlparser.Insert, pr *pointRoute) bool {
	sh := s.shapeOf(ins)
	rows, ok := ins.Rows.(sqlparser.Values)
	if !ok || len(rows) != 1 || len(sh.sharded) != 1 || sh.subquery || sh.sharded[0].expr != ins.Table || sh.unresolved != nil || sh.needsCatalog {
		return false
	}
	table := sh.sharded[0].sharded
	if table.KeyGenerator != nil || len(rows[0]) != len(ins.Columns) {
		return false
	}
	keyCol := insertColumn(ins.Columns, table.Column)
	if keyCol < 0 {
		return false
	}
	a, isArg := rows[0][keyCol].(*sqlparser.Argument)
	if !isArg {
		return false
	}
	i, ok := argIndex(a.Name)
	if !ok {
		return false
	}
	pr.table, pr.arg, pr.rows = table, i, rows[0:1:1]
	return true
}

// samePointPlan reports whether the shortcut routes the statement's
// arguments to the plan full routing made (p): the node, its SQL and
// arguments. A routing statement of its own is used, so that s's storage
// stays p's.
func (s *statement) samePointPlan(pr *pointRoute, p *Plan) (same, routed bool) {
	t := &statement{router: s.router, sql: s.sql, args: s.args, topo: s.topo, weights: s.weights, maxRows: s.maxRows,
		joinBatch: s.joinBatch, deepKeys: s.deepKeys, interpolated: s.interpolated, ps: s.ps, version: s.version, catalog: s.catalog}
	q, ok := t.routePoint(pr)
	if !ok {
		return false, false
	}
	if q.Kind != p.Kind || q.Table != p.Table || q.SQL != p.SQL || len(q.Units) != 1 || len(q.InsertRows) != len(p.InsertRows) {
		return false, true
	}
	a, b := q.Units[0], p.Units[0]
	return a.DataSource == b.DataSource && a.Node == b.Node && a.SQL == b.SQL && reflect.DeepEqual(a.Args, b.Args) &&
		reflect.DeepEqual(q.InsertRows, p.InsertRows), true
}
