package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// metaCond is one "column = value" conjunct of an information_schema
// lookup's WHERE: value is a string literal or a ? argument.
type metaCond struct {
	lit *sqlparser.Literal
	arg int // index into args; -1 for a literal
	val string
}

// metadataSelect plans an information_schema lookup of a logical table
// (SELECT … FROM information_schema.COLUMNS WHERE table_schema = ? AND
// table_name = 't_order'): it asks about the table's first node on its
// data source and shows the rows under the logical name. Lookups that name
// no logical table are left to the caller (ok false).
func (s *statement) metadataSelect(sel *sqlparser.Select) (*Plan, bool, error) {
	if len(sel.From) != 1 || sel.Where == nil {
		return nil, false, nil
	}
	ate, ok := sel.From[0].(*sqlparser.AliasedTableExpr)
	if !ok {
		return nil, false, nil
	}
	tn, ok := ate.Expr.(sqlparser.TableName)
	if !ok || !strings.EqualFold(tn.Qualifier.String(), "information_schema") || !metadataTables[strings.ToLower(tn.Name.String())] {
		return nil, false, nil
	}
	var names, schemas []metaCond
	current := false // a schema condition is DATABASE(): each server's own
	for _, e := range sqlparser.SplitAndExpression(nil, sel.Where.Expr) {
		cmp, ok := e.(*sqlparser.ComparisonExpr)
		if !ok || cmp.Operator != sqlparser.EqualOp {
			continue
		}
		col, val := cmp.Left, cmp.Right
		if _, isCol := col.(*sqlparser.ColName); !isCol {
			col, val = val, col
		}
		cn, ok := col.(*sqlparser.ColName)
		if !ok {
			continue
		}
		var list *[]metaCond
		switch strings.ToLower(cn.Name.String()) {
		case "table_name":
			list = &names
		case "table_schema", "constraint_schema", "index_schema":
			list = &schemas
		default:
			continue
		}
		c, ok := s.metaValue(val)
		if !ok {
			if list == &names {
				return nil, false, nil // a name the lookup computes: not one this plan can read
			}
			if list == &schemas {
				switch strings.ToLower(sqlparser.String(val)) {
				case "database()", "(select database() from dual)":
					current = true
				}
			}
			continue // DATABASE() and the like: evaluated on the node's server, as they should be
		}
		*list = append(*list, c)
	}
	if len(names) == 0 {
		return s.metadataSelectListing(sel, schemas, current)
	}
	var logical string
	var qualifier string
	if len(schemas) > 0 {
		qualifier = schemas[0].val
	}
	for _, c := range names {
		ref := sqlparser.TableName{Name: sqlparser.NewIdentifierCS(c.val)}
		if qualifier != "" {
			ref.Qualifier = sqlparser.NewIdentifierCS(qualifier)
		}
		r := s.resolve(ref)
		if r.unknown != "" {
			return nil, true, unsupported(s.sql, "%s", r.unknown)
		}
		if r.sharded == nil {
			if logical != "" {
				return nil, true, unsupported(s.sql, "information_schema lookup naming sharded table %s and another table", logical)
			}
			continue
		}
		if logical != "" && logical != r.sharded.Name {
			return nil, true, unsupported(s.sql, "information_schema lookup naming sharded tables %s and %s (ask about one at a time)", logical, r.sharded.Name)
		}
		logical = r.sharded.Name
	}
	if logical == "" {
		return nil, false, nil
	}
	st, _ := s.topo.Table(logical)
	if len(st.Nodes) == 0 {
		return nil, false, nil
	}
	node := st.Nodes[0]
	mu := s.metadataUnit(node, st.Name)
	nodeDB := ""
	if node.DataSource != s.homeDataSource() && len(schemas) > 0 {
		if mu.Database == "" {
			s.lacksFact()
			return nil, true, unsupported(s.sql, "information_schema lookup of sharded table %s whose first node lives on data source %s, whose database shardsql does not know without the servers' catalog", logical, node.DataSource)
		}
		nodeDB = mu.Database
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
	for _, c := range names {
		set(c, node.Table)
	}
	if nodeDB != "" {
		for _, c := range schemas {
			set(c, nodeDB)
		}
	}
	sql := s.sql
	if len(lits) > 0 {
		sql, args = s.renderMetaSelect(sel, lits, args, "")
	}
	md := &Metadata{NameColumns: []string{"TABLE_NAME"}, SchemaColumns: schemaColumns, Units: []MetadataUnit{mu}}
	return &Plan{SQL: s.sql, Kind: KindSelect, Table: st.Name, Metadata: md,
		Units: []Unit{{DataSource: node.DataSource, Node: node, SQL: sql, Args: args}}}, true, nil
}

// metaValue reads a conjunct's value: a string literal or a ? argument
// holding a string.
func (s *statement) metaValue(e sqlparser.Expr) (metaCond, bool) {
	switch v := e.(type) {
	case *sqlparser.Literal:
		if v.Type == sqlparser.StrVal {
			return metaCond{lit: v, arg: -1, val: v.Val}, true
		}
	case *sqlparser.Argument:
		i, ok := argIndex(v.Name)
		if !ok || i >= len(s.args) {
			return metaCond{}, false
		}
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
			if _, isCol := n.Expr.(*sqlparser.ColName); !isCol && n.As.IsEmpty() {
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
func (s *statement) metadataSelectListing(sel *sqlparser.Select, schemas []metaCond, current bool) (*Plan, bool, error) {
	tables := s.topo.Tables()
	if len(tables) == 0 || sel.GroupBy != nil || sel.Having != nil || sel.OrderBy != nil || sel.Limit != nil || sel.IsDistinct() ||
		sqlparser.ContainsAggregation(sel.SelectExprs) {
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
	case !named || !ok:
		return nil, false, nil
	case len(schemas) == 0 && current:
	case len(schemas) == 1 && sameName(schemas[0].val, home.Database, home.LowerCaseTableNames):
	default:
		return nil, false, nil // another schema, or several conditions: left unchanged
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
				return nil, true, unsupported(s.sql, "information_schema listing with sharded table %s, whose first node's data source %s has a database shardsql does not know without the servers' catalog", st.Name, node.DataSource)
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
