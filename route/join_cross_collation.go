package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// A cross-node join looks its inner side up by the outer key values
// (side, joinLiteral): `inner_col IN ('v1', …)`, string literals whose
// coercibility gives the inner column's collation the comparison.
//
// Hazard (charset21, TestCharset21JoinLookupCollations): when the two key
// columns have different collations MariaDB compares them in one of them,
// converting the other (a utf8mb4 column against a latin1 one: both in
// utf8mb4), while the lookup compared in the inner column's. A utf8mb4
// 'Ж' looked up in a latin1 column failed on the node (1271, the literal
// cannot be converted), and 'u' looked up in a latin1_swedish_ci column
// missed the row 'ü' that utf8mb4_general_ci matches. With no inner row
// the join's own check of the two collations (merge.joinCore,
// sameCollation, which needs a row of each side) never ran, and the
// answer was no rows where one server finds them. The key columns'
// collations are therefore compared when the key is chosen, from the
// schema catalog, and a join of text keys of different collations is
// refused as the join refuses it above the nodes.

// sameKeyCollation refuses key (the equality term) when its two columns
// are text columns of different collations by the catalog.
func (j *crossJoin) sameKeyCollation(term sqlparser.Expr, key [2]colAt) error {
	var colls [2]string
	for k, at := range key {
		c, ok := j.keyCollation(at)
		if !ok || c == "" {
			return nil // not known (checked on the rows by merge) or not text
		}
		colls[k] = c
	}
	if strings.EqualFold(colls[0], colls[1]) {
		return nil
	}
	return unsupported(j.s.sql, "join on text columns of different collations (%s: %s and %s) across nodes: MariaDB compares them in one collation, converting the other side, the inner side's lookup would compare by its own (COLLATE one side explicitly, or CONVERT it to the other's character set)",
		sqlparser.String(term), colls[0], colls[1])
}

// keyCollation is the catalog's collation of the key column at ("" for
// a column that is not text) and whether the catalog holds it: a sharded
// table's, or an unsharded table's of the default data source (whose
// rows may be the outer side of a lookup).
func (j *crossJoin) keyCollation(at colAt) (string, bool) {
	if at.table < 0 || at.table >= len(j.tables) {
		return "", false
	}
	t := j.tables[at.table]
	col, ok := t.cols[at.col].expr.(*sqlparser.ColName)
	if !ok || t.derived != nil {
		return "", false
	}
	if t.ref.sharded == nil {
		// an unsharded table of the default data source: the catalog's
		// read of its columns (known false when it did not read them)
		c, has, known := j.s.catalog.UnshardedColumnCollation(t.ref.name.Name.String(), col.Name.String())
		return c, known && has
	}
	tb, ok := j.s.catalog.Table(t.ref.sharded.Name)
	if !ok {
		j.s.lacksFact() // the driver loads the table and routes again
		return "", false
	}
	c, ok := tb.Column(col.Name.String())
	if !ok {
		return "", false
	}
	return c.Collation, true
}
