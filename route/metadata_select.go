package route

import (
	"fmt"
	"slices"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shard"
)

// metaCond is one "column = value" conjunct of an information_schema
// lookup's WHERE: value is a string literal or a ? argument.
type metaCond struct {
	lit *sqlparser.Literal // the literal; nil for a ? argument
	arg int                // index into args, when lit is nil
	val string
}

// metadataSelect plans an information_schema lookup of logical tables
// (SELECT … FROM information_schema.COLUMNS WHERE table_schema = ? AND
// table_name = 't_order', or Atlas' inspection: TABLE_NAME IN (?, ?) over
// INFORMATION_SCHEMA.TABLES AS t1 joined with COLLATIONS and ENGINES): each
// logical table named is asked about as its first node, on that node's data
// source, and the rows are shown under the logical name; the other names
// are asked about on the home data source as written. Lookups that name no
// logical table are left to the caller (ok false).
//
// Hazard: one IN list can name tables whose first nodes live on different
// data sources. The statement then runs once per data source, each run
// with every list element replaced by a name of its own (a duplicate in
// an IN list changes nothing), and the rows are put together; what a
// server would compute over all of them at once (aggregates, DISTINCT,
// GROUP BY, LIMIT, an ORDER BY over columns the result lacks) is refused.
func (s *statement) metadataSelect(sel *sqlparser.Select) (*Plan, bool, error) {
	if sel.Where == nil || !metadataFrom(sel.From) {
		return nil, false, nil
	}
	var names, schemas []metaCond
	current := false // a schema condition is DATABASE(): each server's own
	nameConds := 0   // conjuncts on table_name: two are a conjunction, not a list
	nameCols := map[*sqlparser.ColName]bool{}
	for _, e := range sqlparser.SplitAndExpression(nil, sel.Where.Expr) {
		cmp, ok := e.(*sqlparser.ComparisonExpr)
		if !ok {
			continue
		}
		var col sqlparser.Expr
		var vals []sqlparser.Expr
		switch cmp.Operator {
		case sqlparser.EqualOp:
			col, vals = cmp.Left, []sqlparser.Expr{cmp.Right}
			if _, isCol := metaColumn(col); !isCol {
				col, vals = cmp.Right, []sqlparser.Expr{cmp.Left}
			}
		case sqlparser.InOp:
			tuple, ok := cmp.Right.(sqlparser.ValTuple)
			if !ok {
				continue
			}
			col, vals = cmp.Left, tuple
		default:
			continue
		}
		cn, ok := metaColumn(col)
		if !ok {
			continue
		}
		var list *[]metaCond
		switch strings.ToLower(cn.Name.String()) {
		case "table_name":
			list = &names
			nameConds++
			nameCols[cn] = true
		case "table_schema", "constraint_schema", "index_schema":
			list = &schemas
		default:
			continue
		}
		for _, val := range vals {
			c, ok := s.metaValue(val)
			if !ok {
				if list == &names {
					if other, isCol := val.(*sqlparser.ColName); isCol && other.Name.EqualString("table_name") {
						// A join's t1.table_name = t2.table_name in WHERE:
						// node name to node name (tableNameFiltered lets it
						// be), not a name this plan asks about.
						nameConds--
						delete(nameCols, cn)
						continue
					}
					if len(s.topo.Tables()) > 0 {
						// Hazard (review15a): left to the home data source
						// as written, `table_name = CONCAT('d_', 'int')`
						// found no row there (it holds d_int's node
						// tables) where one database answers d_int's.
						return nil, true, unsupported(s.sql, "information_schema lookup whose table_name condition computes the name (%s) over a topology with sharded tables: its TABLE_NAME would be compared with node tables' names (write the name as a string literal or a ? argument)", sqlparser.String(e))
					}
					return nil, false, nil // a name the lookup computes: not one this plan can read
				}
				switch strings.ToLower(sqlparser.String(val)) {
				case "database()", "schema()", "(select database() from dual)":
					current = true
				}
				continue // DATABASE() and the like: evaluated on the node's server, as they should be
			}
			*list = append(*list, c)
		}
	}
	if len(names) == 0 {
		_, single := sel.From[0].(*sqlparser.AliasedTableExpr)
		if len(sel.From) == 1 && single {
			p, ok, err := s.metadataSelectListing(sel, schemas, current, nameCols)
			if !ok {
				return s.metadataNameHidden(sel)
			}
			return p, ok, err
		}
		// A listing over joined information_schema tables (Atlas' realm
		// inspection) would show the node tables of the home database.
		home, ok := s.homeSource()
		if len(s.topo.Tables()) > 0 && ok && ((len(schemas) == 0 && current) ||
			(len(schemas) == 1 && sameName(schemas[0].val, home.Database, home.LowerCaseTableNames))) {
			return nil, true, unsupported(s.sql, "information_schema listing of the database's tables joined with other tables, over a topology with sharded tables (name the tables: table_name IN (…), or list from one information_schema table)")
		}
		return s.metadataNameHidden(sel)
	}
	var qualifier string
	several := false // schema conditions naming two schemas: no logical table lives in both
	for _, c := range schemas {
		if qualifier == "" {
			qualifier = c.val
		} else if c.val != qualifier {
			several = true
		}
	}
	// Each name becomes the name asked on one data source: a logical
	// table's first node table there, any other name as written at home.
	home := s.homeDataSource()
	type group struct {
		ds    string
		node  shard.Node
		ask   []string
		unit  MetadataUnit
		table string
	}
	var groups []*group
	byDS := make(map[string]*group)
	groupOf := func(ds string) *group {
		g, ok := byDS[ds]
		if !ok {
			g = &group{ds: ds, unit: MetadataUnit{Rename: map[string]string{}}}
			byDS[ds] = g
			groups = append(groups, g)
		}
		return g
	}
	owner := make([]*group, len(names))
	asked := make([]string, len(names))
	logical := ""
	physical := false // a name is a node table's (asked as "")
	var broadcast []string
	for i, c := range names {
		ref := sqlparser.TableName{Name: sqlparser.NewIdentifierCS(c.val)}
		if qualifier != "" {
			ref.Qualifier = sqlparser.NewIdentifierCS(qualifier)
		}
		r := s.resolve(ref)
		if r.unknown != "" {
			return nil, true, unsupported(s.sql, "%s", r.unknown)
		}
		if r.broadcast != "" && !slices.Contains(broadcast, r.broadcast) {
			broadcast = append(broadcast, r.broadcast)
		}
		if r.sharded == nil || len(r.sharded.Nodes) == 0 {
			owner[i], asked[i] = groupOf(home), c.val
			if !r.logical() && s.physicalTable(ref) != "" {
				// A node table by its physical name (attack10): one
				// database has no such table. Asked as "" (no table has
				// that name), so its rows are absent even where the
				// result has no name column to hide them by (COUNT(*)).
				asked[i], physical = "", true
			}
			continue
		}
		if several {
			return nil, true, unsupported(s.sql, "information_schema lookup of sharded table %s under several schema conditions (ask about one schema at a time)", r.sharded.Name)
		}
		node := r.sharded.Nodes[0]
		g := groupOf(node.DataSource)
		g.node = node
		g.unit.Rename[strings.ToLower(node.Table)] = r.sharded.Name
		if logical == "" {
			logical = r.sharded.Name
		}
		owner[i], asked[i] = g, node.Table
	}
	if logical == "" && !physical {
		if len(broadcast) == 0 {
			return nil, false, nil
		}
		// Only unsharded and broadcast tables: the lookup as written, at
		// home, once the driver has checked the broadcast copies agree.
		p, err := s.passthrough(KindSelect)
		if err != nil {
			return nil, true, err
		}
		p.Metadata = &Metadata{Units: []MetadataUnit{{}}, Broadcast: broadcast}
		return p, true, nil
	}
	if nameConds > 1 {
		// table_name = 'a' AND table_name = 'b': each unit asking about its
		// own names would find rows the conjunction excludes.
		other := "another table"
		for i, c := range names {
			if owner[i] != nil && c.val != logical && !strings.EqualFold(asked[i], c.val) {
				other = owner[i].unit.Rename[strings.ToLower(asked[i])]
				break
			}
		}
		if other != "another table" {
			return nil, true, unsupported(s.sql, "information_schema lookup naming sharded tables %s and %s in separate table_name conditions (use one condition, table_name IN (…))", logical, other)
		}
		return nil, true, unsupported(s.sql, "information_schema lookup naming sharded table %s and %s in separate table_name conditions (use one condition, table_name IN (…))", logical, other)
	}
	if len(groups) > 1 && (sel.GroupBy != nil || sel.Having != nil || sel.Limit != nil || sel.IsDistinct() || sqlparser.ContainsAggregation(sel.SelectExprs)) {
		return nil, true, unsupported(s.sql, "information_schema lookup naming tables whose first nodes live on different data sources, with an aggregate, DISTINCT, GROUP BY, HAVING or LIMIT (ask about the tables one data source at a time)")
	}
	if e := tableNameFiltered(sel, nameCols); e != "" {
		return nil, true, unsupported(s.sql, "information_schema lookup of sharded table %s that filters or sorts on TABLE_NAME other than by table_name = … or IN (…) (%s): each node evaluates it with its node table's name (select the rows by table_name = … or IN (…) and filter in the application)", logical, e)
	}
	if e := tableNameComputed(sel); e != "" {
		return nil, true, unsupported(s.sql, "information_schema lookup of sharded table %s that computes with TABLE_NAME (%s): each node answers with its node table's name, which shardsql shows as the logical name only in a TABLE_NAME column of the result (select TABLE_NAME itself, without an alias, and compute in the application)", logical, e)
	}
	md := &Metadata{NameColumns: []string{"TABLE_NAME"}, SchemaColumns: schemaColumns, Broadcast: broadcast}
	order, complete := metaOrder(sel)
	render := sel // the node statement: sel, or sel selecting hidden ORDER BY keys too
	if sel.OrderBy != nil && len(groups) > 1 && !complete {
		keys, hidden, ok := metaOrderHidden(sel)
		if !ok {
			return nil, true, unsupported(s.sql, "information_schema lookup naming tables whose first nodes live on different data sources, with SELECT * and ORDER BY (name the columns)")
		}
		// The rows of each unit carry the keys the caller did not select
		// (ORDINAL_POSITION) after its columns; the driver sorts by them and
		// drops them.
		c := *sel
		c.SelectExprs = &sqlparser.SelectExprs{Exprs: append(append([]sqlparser.SelectExpr(nil), sel.GetColumns()...), hiddenItems(hidden)...)}
		render, order, md.Hidden = &c, keys, len(hidden)
	}
	if len(groups) > 1 || metaOrderRenamed(order, sel) {
		if sel.Limit != nil {
			return nil, true, unsupported(s.sql, "information_schema lookup of sharded table %s with ORDER BY by table or schema name and LIMIT (logical names sort otherwise than node names; drop the LIMIT)", logical)
		}
		md.Order = order
	}
	p := &Plan{SQL: s.sql, Kind: KindSelect, Metadata: md}
	if len(groups) == 1 && len(groups[0].unit.Rename) == 1 {
		p.Table = logical
	}
	for _, g := range groups {
		mu := g.unit
		if src, ok := s.catalog.Source(g.ds); ok {
			mu.Database = src.Database
		}
		if src, ok := s.homeSource(); ok {
			mu.Home = src.Database
		}
		// Each unit asks only about its own names, so rows without a name
		// column (count(*)) are kept; at home, a node table asked for by
		// its physical name stays hidden.
		if g.ds == home {
			mu.Hide = s.physicalNames()
			for phys := range mu.Rename {
				delete(mu.Hide, phys)
			}
		}
		args := append([]any(nil), s.args...)
		lits := make(map[*sqlparser.Literal]string)
		set := func(c metaCond, v string) {
			if c.lit != nil {
				lits[c.lit] = v
			} else {
				args[c.arg] = v
			}
		}
		var mine string
		for i := range names {
			if owner[i] == g {
				mine = asked[i]
				break
			}
		}
		for i, c := range names {
			if owner[i] == g {
				set(c, asked[i])
			} else {
				set(c, mine)
			}
		}
		if g.ds != home && len(schemas) > 0 {
			if mu.Database == "" {
				s.lacksFact()
				return nil, true, unsupported(s.sql, "information_schema lookup of sharded table %s whose first node lives on data source %s, whose database shardsql does not know without the servers' catalog (give the driver a user that can read each server's information_schema, so it loads the catalog)", logical, g.ds)
			}
			for _, c := range schemas {
				set(c, mu.Database)
			}
		}
		sql := s.sql
		if len(lits) > 0 || render != sel {
			sql, args = s.renderMetaSelect(render, lits, args, "")
		}
		u := Unit{DataSource: g.ds, SQL: sql, Args: args}
		if len(g.unit.Rename) > 0 {
			u.Node = g.node
		}
		p.Units = append(p.Units, u)
		md.Units = append(md.Units, mu)
	}
	return p, true, nil
}

// metadataFrom reports whether from reads only information_schema tables
// (joined or not), one of them a table with rows about one table each.
func metadataFrom(from []sqlparser.TableExpr) bool {
	about := false
	var walk func(te sqlparser.TableExpr) bool
	walk = func(te sqlparser.TableExpr) bool {
		switch te := te.(type) {
		case *sqlparser.AliasedTableExpr:
			tn, ok := te.Expr.(sqlparser.TableName)
			if !ok || !strings.EqualFold(tn.Qualifier.String(), "information_schema") {
				return false
			}
			if metadataTables[strings.ToLower(tn.Name.String())] {
				about = true
			}
			return true
		case *sqlparser.JoinTableExpr:
			return walk(te.LeftExpr) && walk(te.RightExpr)
		case *sqlparser.ParenTableExpr:
			for _, e := range te.Exprs {
				if !walk(e) {
					return false
				}
			}
			return true
		}
		return false
	}
	for _, te := range from {
		if !walk(te) {
			return false
		}
	}
	return about
}

// metaColumn is the column a lookup condition compares: a column, or a
// column under BINARY (Atlas: BINARY t1.TABLE_SCHEMA = ?).
func metaColumn(e sqlparser.Expr) (*sqlparser.ColName, bool) {
	if cv, ok := e.(*sqlparser.ConvertExpr); ok && cv.Type != nil && strings.EqualFold(cv.Type.Type, "binary") && cv.Type.Length == nil {
		e = cv.Expr
	}
	cn, ok := e.(*sqlparser.ColName)
	return cn, ok
}

// metaValue reads a conjunct's value: a string literal or a ? argument
// holding a string.
func (s *statement) metaValue(e sqlparser.Expr) (metaCond, bool) {
	switch v := e.(type) {
	case *sqlparser.Literal:
		if v.Type == sqlparser.StrVal {
			return metaCond{lit: v, val: v.Val}, true
		}
	case *sqlparser.Argument:
		i, ok := argIndex(v.Name)
		if !ok || i >= len(s.args) {
			return metaCond{}, false
		}
		s.argsRead = true // whether the lookup is about a logical table depends on it (pass_route.go)
		switch a := s.args[i].(type) {
		case string:
			return metaCond{arg: i, val: a}, true
		case []byte:
			return metaCond{arg: i, val: string(a)}, true
		}
	}
	return metaCond{}, false
}

// renderMetaSelect prints sel with the literals in lits replaced, ?
// placeholders kept (their arguments collected in print order) and
// unaliased select items named as the caller wrote them.
func (s *statement) renderMetaSelect(sel *sqlparser.Select, lits map[*sqlparser.Literal]string, args []any, tableName string) (string, []any) {
	var out []any
	buf := sqlparser.NewTrackedBuffer(func(buf *sqlparser.TrackedBuffer, node sqlparser.SQLNode) {
		switch n := node.(type) {
		case *sqlparser.Argument:
			buf.WriteByte('?')
			if i, ok := argIndex(n.Name); ok && i < len(args) {
				out = append(out, args[i])
			}
			return
		case *sqlparser.Where:
			if n == sel.Where && tableName != "" {
				// The listing's own condition, and only the node's table.
				buf.Myprintf(" where (%v) and table_name = %v", n.Expr, sqlparser.NewStrLiteral(tableName))
				return
			}
		case *sqlparser.Literal:
			if v, ok := lits[n]; ok {
				sqlparser.NewStrLiteral(v).Format(buf)
				return
			}
		case *sqlparser.AliasedExpr:
			if _, isCol := n.Expr.(*sqlparser.ColName); !isCol && n.As.IsEmpty() && !stringLiteral(n.Expr) {
				name, ok := s.callerName(n)
				if !ok {
					name = columnName(n.Expr)
				}
				buf.Myprintf("%v as %v", n.Expr, sqlparser.NewIdentifierCI(name))
				return
			}
		}
		node.Format(buf)
	})
	buf.Myprintf("%v", sel)
	return buf.String(), out
}

// metadataSelectListing plans an information_schema listing of the home
// database's tables (gorm's GetTables: SELECT TABLE_NAME FROM
// information_schema.tables WHERE TABLE_SCHEMA = ?) as metadataListing
// plans SHOW TABLES: the home data source's rows without node tables, and
// each logical table's rows from its first node, under its name. Only
// listings that show TABLE_NAME, with no aggregate, grouping, DISTINCT,
// ORDER BY or LIMIT (whose results the rewrite would change), and that
// name the home database; any other is left unchanged (ok false).
func (s *statement) metadataSelectListing(sel *sqlparser.Select, schemas []metaCond, current bool, nameCols map[*sqlparser.ColName]bool) (*Plan, bool, error) {
	tables := s.topo.Tables()
	if len(tables) == 0 {
		return nil, false, nil
	}
	named := false
	for _, e := range sel.GetColumns() {
		switch e := e.(type) {
		case *sqlparser.StarExpr:
			named = true
		case *sqlparser.AliasedExpr:
			if c, ok := e.Expr.(*sqlparser.ColName); ok && c.Name.EqualString("table_name") && (e.As.IsEmpty() || e.As.EqualString("table_name")) {
				named = true
			}
		}
	}
	home, ok := s.homeSource()
	switch {
	case !ok:
		s.lacksFact() // the home database decides: the driver loads it and routes again
		return nil, false, nil
	case len(schemas) == 0 && current:
	case len(schemas) == 1 && sameName(schemas[0].val, home.Database, home.LowerCaseTableNames):
	default:
		return nil, false, nil // another schema, or several conditions: left unchanged
	}
	// Hazard (attack10): a listing of the home database's tables that
	// this plan cannot rebuild went unchanged to the home data source,
	// which showed (or counted) the node tables instead of the logical
	// ones: `… table_name LIKE 'd\_int%' ORDER BY table_name` answered
	// d_int_0, d_int_1 where one database answers d_int.
	if !named || sel.GroupBy != nil || sel.Having != nil || sel.OrderBy != nil || sel.Limit != nil || sel.IsDistinct() ||
		sqlparser.ContainsAggregation(sel.SelectExprs) {
		return nil, true, unsupported(s.sql, "information_schema listing of the database's tables without table_name selected, or with ORDER BY, GROUP BY, HAVING, LIMIT, DISTINCT or an aggregate, over a topology with sharded tables (the servers hold node tables, not the logical ones: name the tables with table_name = … or IN (…), or list table_name alone and sort or count in the application)")
	}
	if e := tableNameFiltered(sel, nameCols); e != "" {
		return nil, true, unsupported(s.sql, "information_schema listing that filters on TABLE_NAME (%s) over a topology with sharded tables: each node evaluates it with its node table's name (name the tables with table_name = … or IN (…), or filter in the application)", e)
	}
	if e := tableNameComputed(sel); e != "" {
		return nil, true, unsupported(s.sql, "information_schema listing that computes with TABLE_NAME (%s) over a topology with sharded tables: the servers answer with node tables' names, which shardsql shows as the logical names only in a TABLE_NAME column of the result (select TABLE_NAME itself, without an alias, and compute in the application)", e)
	}
	md := &Metadata{NameColumns: []string{"TABLE_NAME"}, SchemaColumns: schemaColumns}
	p := &Plan{SQL: s.sql, Kind: KindSelect, Metadata: md}
	p.Units = append(p.Units, Unit{DataSource: s.homeDataSource(), SQL: s.sql, Args: s.args})
	md.Units = append(md.Units, MetadataUnit{Hide: s.physicalNames(), Database: home.Database, Home: home.Database})
	for _, st := range tables {
		if len(st.Nodes) == 0 {
			continue
		}
		node := st.Nodes[0]
		mu := s.metadataUnit(node, st.Name)
		mu.Only = true
		args := append([]any(nil), s.args...)
		lits := make(map[*sqlparser.Literal]string)
		if node.DataSource != s.homeDataSource() {
			if mu.Database == "" {
				s.lacksFact()
				return nil, true, unsupported(s.sql, "information_schema listing with sharded table %s, whose first node's data source %s has a database shardsql does not know without the servers' catalog (give the driver a user that can read each server's information_schema, so it loads the catalog)", st.Name, node.DataSource)
			}
			for _, c := range schemas {
				if c.lit != nil {
					lits[c.lit] = mu.Database
				} else {
					args[c.arg] = mu.Database
				}
			}
		}
		sql, out := s.renderMetaSelect(sel, lits, args, node.Table)
		p.Units = append(p.Units, Unit{DataSource: node.DataSource, Node: node, SQL: sql, Args: out})
		md.Units = append(md.Units, mu)
	}
	return p, true, nil
}

// hiddenItems are the select items of hidden ORDER BY keys, named so that
// no caller's column is.
func hiddenItems(exprs []sqlparser.Expr) []sqlparser.SelectExpr {
	out := make([]sqlparser.SelectExpr, len(exprs))
	for i, e := range exprs {
		out[i] = &sqlparser.AliasedExpr{Expr: e, As: sqlparser.NewIdentifierCI(fmt.Sprintf("__shardsql_order_%d", i))}
	}
	return out
}

// tableNameComputed returns the first select expression of a lookup that
// reads TABLE_NAME other than as a result column named TABLE_NAME, or "".
//
// Hazard (compat15): the driver shows a node table's rows under the
// logical name by rewriting the result's TABLE_NAME column; CONCAT_WS(':',
// table_name, column_name) or table_name AS t carried the node table's
// name (m15_orders_0) where one database answers m15_orders, silently.
func tableNameComputed(sel *sqlparser.Select) string {
	for _, e := range sel.GetColumns() {
		ae, ok := e.(*sqlparser.AliasedExpr)
		if !ok {
			continue
		}
		if _, ok := ae.Expr.(*sqlparser.ColName); ok && (ae.As.IsEmpty() || ae.As.EqualString("table_name")) {
			continue
		}
		found := false
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			if c, ok := n.(*sqlparser.ColName); ok && c.Name.EqualString("table_name") {
				found = true
			}
			return !found, nil
		}, ae.Expr)
		if found {
			return sqlparser.String(ae)
		}
	}
	return ""
}

// tableNameFiltered returns the first condition or sort key of a lookup or
// listing that reads TABLE_NAME other than in the table_name = … or IN
// (…) conditions the plan rewrites (nameCols, their columns) or a join's
// equality of two TABLE_NAME columns, or "".
//
// Hazard (review15a): each node runs the WHERE, HAVING, GROUP BY and
// ORDER BY as written, where TABLE_NAME is the node table's name; only
// the name conditions were rewritten. `… AND table_name = 'd_int' AND
// table_name LIKE '%\_0'` answered d_int's columns where one database
// answers none, `LOWER(table_name) = 'd_int'`, `(table_name = 'a' OR
// table_name = 'b')`, `table_name BETWEEN …` and `HAVING table_name =
// 'd_int'` answered nothing where it answers the table.
func tableNameFiltered(sel *sqlparser.Select, nameCols map[*sqlparser.ColName]bool) string {
	reads := func(e sqlparser.SQLNode) bool {
		found := false
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			if c, ok := n.(*sqlparser.ColName); ok && !nameCols[c] && c.Name.EqualString("table_name") {
				found = true
			}
			return !found, nil
		}, e)
		return found
	}
	if sel.Where != nil {
		for _, e := range sqlparser.SplitAndExpression(nil, sel.Where.Expr) {
			if cmp, ok := e.(*sqlparser.ComparisonExpr); ok && cmp.Operator == sqlparser.EqualOp {
				l, lok := cmp.Left.(*sqlparser.ColName)
				r, rok := cmp.Right.(*sqlparser.ColName)
				if lok && rok && l.Name.EqualString("table_name") && r.Name.EqualString("table_name") {
					continue // a join of two information_schema tables: node name to node name
				}
			}
			if reads(e) {
				return sqlparser.String(e)
			}
		}
	}
	if sel.Having != nil && reads(sel.Having.Expr) {
		return "HAVING " + sqlparser.String(sel.Having.Expr)
	}
	var keys []sqlparser.Expr
	if sel.GroupBy != nil {
		keys = append(keys, sel.GroupBy.Exprs...)
	}
	for _, o := range sel.OrderBy {
		keys = append(keys, o.Expr)
	}
	for _, k := range keys {
		if _, bare := metaColumn(k); !bare && reads(k) { // a column, or BINARY column
			return sqlparser.String(k)
		}
	}
	return ""
}
