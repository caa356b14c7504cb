package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// metadataNameHidden refuses an information_schema lookup that goes to
// the home data source as written although its WHERE compares TABLE_NAME
// with the name of a sharded table somewhere other than in a conjunct
// `table_name = …` / `IN (…)` (metadataSelect reads only those).
//
// Hazard (review18c): `… WHERE table_schema = DATABASE() AND table_name =
// 't' OR table_name = 'other'`, or `WHERE table_name = 't' OR table_name
// = 'u'` without a schema condition, found no name conjunct, was taken
// for a lookup about no logical table and went unchanged to the home data
// source, which holds only t's node tables: no rows where one database
// lists t's columns, silently.
func (s *statement) metadataNameHidden(sel *sqlparser.Select) (*Plan, bool, error) {
	if sel.Where == nil || len(s.topo.Tables()) == 0 {
		return nil, false, nil
	}
	var refusal error
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		if refusal != nil {
			return false, nil
		}
		var col sqlparser.Expr
		var vals []sqlparser.Expr
		switch e := node.(type) {
		case *sqlparser.ComparisonExpr:
			col, vals = e.Left, []sqlparser.Expr{e.Right}
			if _, isCol := metaColumn(col); !isCol {
				col, vals = e.Right, []sqlparser.Expr{e.Left}
			}
			if tuple, ok := vals[0].(sqlparser.ValTuple); ok {
				vals = tuple
			}
		case *sqlparser.BetweenExpr:
			col, vals = e.Left, []sqlparser.Expr{e.From, e.To}
		default:
			return true, nil
		}
		cn, ok := metaColumn(col)
		if !ok || !cn.Name.EqualString("table_name") {
			return true, nil
		}
		for _, v := range vals {
			c, ok := s.metaValue(v)
			if !ok {
				continue
			}
			r := s.resolve(sqlparser.TableName{Name: sqlparser.NewIdentifierCS(c.val)})
			if r.sharded != nil && len(r.sharded.Nodes) > 0 {
				refusal = unsupported(s.sql, "information_schema lookup of sharded table %s whose table_name condition is not a condition of its own ANDed with the rest (%s): only `table_name = …` or `table_name IN (…)` as a conjunct of the WHERE is asked about the table's first node; sent as written, the servers would find none of its rows (write table_name = … or IN (…) ANDed with the other conditions, one lookup per table if need be)", r.sharded.Name, sqlparser.String(node))
				return false, nil
			}
		}
		return true, nil
	}, sel.Where.Expr)
	if refusal != nil {
		return nil, true, refusal
	}
	return nil, false, nil
}
