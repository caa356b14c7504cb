package route

import (
	"strconv"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// MetadataOrder is one ORDER BY key of an information_schema lookup whose
// rows the driver sorts again once they are renamed and put together.
//
// Hazard: the server sorts by the node tables' names (t_a_0, t_a0_0),
// which do not sort as the logical names do (t_a, t_a0), and the units of
// a lookup spanning data sources are each sorted on their own. A stable
// sort by the keys the result shows, up to the first key it lacks, gives
// the order one server would: rows tied on those keys keep the order the
// server gave them by the later keys.
type MetadataOrder struct {
	// Column is the result column's index.
	Column int
	// Desc sorts the column in descending order.
	Desc bool
	// Binary compares text by bytes (ORDER BY BINARY col); otherwise text
	// compares without regard to ASCII case, as information_schema's
	// utf8 general collation does.
	Binary bool
}

// metaOrder maps sel's ORDER BY to result columns, up to the first key the
// select list does not show; complete reports whether every key mapped.
func metaOrder(sel *sqlparser.Select) (keys []MetadataOrder, complete bool) {
	items := sel.GetColumns()
	for _, it := range items {
		if _, ok := it.(*sqlparser.AliasedExpr); !ok {
			return nil, sel.OrderBy == nil // a star: positions unknown
		}
	}
	for _, o := range sel.OrderBy {
		e := o.Expr
		key := MetadataOrder{Desc: o.Direction == sqlparser.DescOrder}
		found := false
		if cv, ok := e.(*sqlparser.ConvertExpr); ok {
			cn, isCol := metaColumn(cv)
			if !isCol {
				return keys, false
			}
			e, key.Binary = cn, true
		}
		switch e := e.(type) {
		case *sqlparser.Literal:
			if e.Type == sqlparser.IntVal {
				if n, err := strconv.Atoi(e.Val); err == nil && n >= 1 && n <= len(items) {
					key.Column, found = n-1, true
				}
			}
		case *sqlparser.ColName:
			for i, it := range items {
				ae := it.(*sqlparser.AliasedExpr)
				if e.Qualifier.IsEmpty() && !ae.As.IsEmpty() && ae.As.EqualString(e.Name.String()) {
					key.Column, found = i, true
					break
				}
				if c, ok := ae.Expr.(*sqlparser.ColName); ok && c.Name.Equal(e.Name) &&
					(e.Qualifier.IsEmpty() || strings.EqualFold(e.Qualifier.Name.String(), c.Qualifier.Name.String())) {
					key.Column, found = i, true
					break
				}
			}
		}
		if !found {
			return keys, false
		}
		keys = append(keys, key)
	}
	return keys, true
}

// metaOrderRenamed reports whether one of keys is a column whose values
// the rewrite renames (a table or schema name).
func metaOrderRenamed(keys []MetadataOrder, sel *sqlparser.Select) bool {
	items := sel.GetColumns()
	for _, k := range keys {
		if k.Column >= len(items) {
			continue // a hidden key
		}
		ae, ok := items[k.Column].(*sqlparser.AliasedExpr)
		if !ok {
			continue
		}
		name := ae.As.String()
		if name == "" {
			if c, ok := ae.Expr.(*sqlparser.ColName); ok {
				name = c.Name.String()
			}
		}
		switch strings.ToLower(name) {
		case "table_name", "table_schema", "index_schema", "constraint_schema":
			return true
		}
	}
	return false
}

// metaOrderHidden is metaOrder for a lookup whose rows come from several
// units: every ORDER BY key must be a result column, so the keys the
// select list lacks are returned as hidden, to be selected after the
// caller's columns (their indexes follow the select list's). ok is false
// when the select list has a star.
func metaOrderHidden(sel *sqlparser.Select) (keys []MetadataOrder, hidden []sqlparser.Expr, ok bool) {
	items := sel.GetColumns()
	for _, it := range items {
		if _, isAliased := it.(*sqlparser.AliasedExpr); !isAliased {
			return nil, nil, false
		}
	}
	for _, o := range sel.OrderBy {
		one := &sqlparser.Select{SelectExprs: sel.SelectExprs, OrderBy: sqlparser.OrderBy{o}}
		k, complete := metaOrder(one)
		if complete {
			keys = append(keys, k[0])
			continue
		}
		keys = append(keys, MetadataOrder{Column: len(items) + len(hidden), Desc: o.Direction == sqlparser.DescOrder})
		hidden = append(hidden, o.Expr)
	}
	return keys, hidden, true
}
