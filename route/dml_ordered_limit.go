package route

import (
	"strconv"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// OrderedWrite is a DELETE or UPDATE … ORDER BY … LIMIT n reaching several
// node tables (writes19): "purge the oldest first",
// `DELETE FROM logs WHERE created < ? ORDER BY created LIMIT 1000`, gorm's
// Order(…).Limit(n).Delete/Update.
//
// MySQL's semantics: the statement writes the first n matching rows in
// the order (any n of rows tied at the cut). Those may lie on any nodes,
// so neither sending the statement to every node (n per node) nor node by
// node (writes18: the first node's rows first) is exact. In the
// statement's transaction:
//
//  1. a scatter locking read, SELECT <sharding column>, <primary key> FROM
//     t WHERE … ORDER BY … LIMIT n FOR UPDATE (ReadSQL), routed and merged
//     by the read planner as any SELECT — its sorted merge compares text
//     by the columns' collations, numbers and times by their types, so the
//     n rows are those one table's ORDER BY puts first; every node locks
//     the rows it sends;
//  2. each node's statement — the caller's without LIMIT, its ORDER BY
//     kept (so each node writes its rows in the caller's order, as one
//     table does: a unique key changed row by row fails or not as there),
//     its WHERE replaced by `(<key columns>) IN (<the rows read>)`
//     (UnitSQL, KeyArgs).
//
// The rows read are locked, so they still exist and match when the writes
// run, and the key condition matches nothing else: the writes match
// exactly the n rows (min(n, matching)), RowsAffected is the sum of the
// nodes' own (changed rows, or matched ones under clientFoundRows), per
// row what one table reports. The WHERE is not evaluated a second time
// (see below); a DELETE that removes fewer rows than were read fails and
// rolls back (driver/ordered_write.go).
// A row is named by its sharding value and its primary key: the primary
// key is unique per node table only, the sharding value places the row on
// one node, so the pair names one row of the logical table; every node the
// WHERE reaches gets the whole list and matches its own rows in it. With
// no row to write the first node's statement still runs, with `AND false`
// for the key condition, so the server checks SET as one table's would.
//
// Refused (naming what to do instead): a table whose primary key the
// catalog does not show (no catalog, no primary key), key columns of types
// whose values may not compare back equal once read (FLOAT, DOUBLE,
// temporal, JSON, …: the rows would be named by values the server reads
// differently), IGNORE (a skipped row's count towards LIMIT), a WHERE
// that each node's read would evaluate on its own (RAND(), NOW(),
// variables), stored functions in WHERE or ORDER BY, `?` arguments in
// ORDER BY, a LIMIT whose key arguments would pass 65535, and an UPDATE
// of the sharding column (a key move).
type OrderedWrite struct {
	// N is the statement's LIMIT.
	N uint64
	// ReadSQL and ReadArgs are the locking read of the rows to write:
	// the driver routes it as a SELECT in the statement's transaction.
	// Its columns are KeyCols.
	ReadSQL  string
	ReadArgs []any
	// KeyCols are the read's columns: the sharding column, then the
	// primary key's columns not already named.
	KeyCols []string
	// PK are the indexes in KeyCols of the primary key's columns.
	PK []int
	// marker is the placeholder UnitSQL replaces in each unit's SQL.
	marker string
	// places are the key columns' placeholders in the key condition:
	// "?", or for a text column of another character set than utf8 the
	// value converted to it (orderedPlace).
	places []string
	// text marks the key columns holding text, whose []byte values
	// KeyArgs passes as strings (orderedPlace).
	text []bool
}

// orderedMarker stands for the key condition in the units' SQL until the
// driver knows the rows; routeOrderedLimit checks that each unit holds it
// once.
const orderedMarker = "shardsql_ordered_write_keys_5b1e"

// UnitSQL is unit u's statement for rows read rows: the marker replaced by
// the key condition, or by false when there are none.
func (o *OrderedWrite) UnitSQL(u Unit, rows int) string {
	var b strings.Builder
	if rows == 0 {
		b.WriteString("false")
	} else {
		tuple := func(cols []int) {
			if len(cols) > 1 {
				b.WriteByte('(')
			}
			for i, c := range cols {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(sqlparser.String(sqlparser.NewIdentifierCI(o.KeyCols[c])))
			}
			if len(cols) > 1 {
				b.WriteByte(')')
			}
			b.WriteString(" in (")
			one := o.place(cols[0])
			if len(cols) > 1 {
				ps := make([]string, len(cols))
				for i, c := range cols {
					ps[i] = o.place(c)
				}
				one = "(" + strings.Join(ps, ", ") + ")"
			}
			for i := 0; i < rows; i++ {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(one)
			}
			b.WriteByte(')')
		}
		b.WriteByte('(')
		if len(o.PK) < len(o.KeyCols) {
			// The primary key alone first: an index range the server
			// uses, where a row constructor with the sharding column
			// leading may scan (and lock) the table.
			tuple(o.PK)
			b.WriteString(" and ")
		}
		tuple(o.all())
		b.WriteByte(')')
	}
	return strings.Replace(u.SQL, o.marker, b.String(), 1)
}

// KeyArgs are the arguments of UnitSQL's key condition for rows (each
// with the read's columns, KeyCols), appended to the unit's own.
func (o *OrderedWrite) KeyArgs(u Unit, rows [][]any) []any {
	n := len(o.KeyCols) * len(rows)
	if len(o.PK) < len(o.KeyCols) {
		n += len(o.PK) * len(rows)
	}
	out := make([]any, 0, len(u.Args)+n)
	out = append(out, u.Args...)
	if len(o.PK) < len(o.KeyCols) {
		for _, r := range rows {
			for _, c := range o.PK {
				out = append(out, o.arg(c, r[c]))
			}
		}
	}
	for _, r := range rows {
		for c, v := range r {
			out = append(out, o.arg(c, v))
		}
	}
	return out
}

// place is key column c's placeholder.
func (o *OrderedWrite) place(c int) string {
	if c < len(o.places) && o.places[c] != "" {
		return o.places[c]
	}
	return "?"
}

// arg is key column c's value v as an argument: a text column's []byte
// as a string.
func (o *OrderedWrite) arg(c int, v any) any {
	if b, ok := v.([]byte); ok && c < len(o.text) && o.text[c] {
		return string(b)
	}
	return v
}

// orderedPlace returns the placeholder and the text mark of a key column
// of data type dataType and collation collation.
//
// Hazard (review21, TestReview21OrderedLatin1): MariaDB (10.11) matches
// no row with a row constructor IN list of two or more rows whose text
// values are in another character set than the column's —
// `(id, name) IN ((4, 'ü'), (8, 'Å'))` on a latin1 column, the values
// utf8mb4 as the connection sends them (literals or prepared statement
// parameters alike), finds nothing where `id = 4 AND name = 'ü'` finds
// the row. The rows read were named that way: an UPDATE … ORDER BY …
// LIMIT 5 updated the one row whose name was ASCII and answered 1, and a
// DELETE failed its count check. Each value of such a column is
// converted to the column's character set and given its collation
// (explicit, so no mix of collations), which the server compares as the
// column's own values. utf8mb4 and utf8mb3 columns take the value as
// sent.
//
// And a []byte value goes to the server as _binary'…' under
// interpolateParams, which CONVERT would reinterpret byte for byte (and
// compare bytes, not the collation): text values are sent as strings.
func orderedPlace(dataType, collation string) (string, bool) {
	if dataType != "char" && dataType != "varchar" {
		return "", false
	}
	cs, _, _ := strings.Cut(collation, "_")
	switch cs {
	case "", "utf8mb4", "utf8mb3", "utf8":
		return "", true
	}
	ok := func(name string) bool { return strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == "" }
	if !ok(collation) {
		return "", true
	}
	return "convert(? using " + cs + ") collate " + collation, true
}

func (o *OrderedWrite) all() []int {
	out := make([]int, len(o.KeyCols))
	for i := range out {
		out[i] = i
	}
	return out
}

// orderedKeyTypes are the column types whose values read back compare
// equal to the stored ones when sent as arguments: integers, DECIMAL (its
// text), and strings (their bytes; a unique key under a collation has one
// row per value as that collation compares).
var orderedKeyTypes = map[string]bool{
	"tinyint": true, "smallint": true, "mediumint": true, "int": true, "bigint": true,
	"decimal": true, "char": true, "varchar": true, "binary": true, "varbinary": true,
}

// routeOrderedLimit plans a DELETE or UPDATE (stmt, of kind) with ORDER BY
// … LIMIT on the several nodes rt reaches (OrderedWrite).
func (s *statement) routeOrderedLimit(kind Kind, stmt sqlparser.Statement, ref tableRef, rt routed, where *sqlparser.Where, orderBy sqlparser.OrderBy, limit *sqlparser.Limit) (*Plan, error) {
	table := ref.sharded
	verb := strings.ToUpper(kind.String())
	nodes := len(rt.nodes)
	var ignore bool
	var from sqlparser.TableExprs
	switch st := stmt.(type) {
	case *sqlparser.Delete:
		ignore, from = bool(st.Ignore), st.TableExprs
	case *sqlparser.Update:
		ignore, from = bool(st.Ignore), st.TableExprs
	}
	if ignore {
		return nil, unsupported(s.sql, "%s IGNORE … ORDER BY … LIMIT on sharded table %s across %d nodes (a row skipped by IGNORE is not reported, so which rows the limit covers is not known): drop IGNORE, or name the sharding column in WHERE so the statement reaches one node", verb, table.Name, nodes)
	}
	if where != nil {
		// The WHERE is evaluated once, by the read, but on each node at
		// its own moment and session: one table's statement evaluates
		// NOW() once, LAST_INSERT_ID() on one session.
		if what := s.nonDeterministic(where); what != "" {
			return nil, unsupported(s.sql, "%s in the WHERE clause of %s … ORDER BY … LIMIT on sharded table %s across %d nodes (the rows are read FOR UPDATE on each node, each evaluating it on its own): compute the value in the application and pass it as a ? argument", what, verb, table.Name, nodes)
		}
	}
	for _, n := range []sqlparser.SQLNode{where, orderBy} {
		if n == nil {
			continue
		}
		if f := userFunction(n); f != "" {
			return nil, unsupported(s.sql, "call of %s, which is not a MySQL/MariaDB built-in function, in %s … ORDER BY … LIMIT on sharded table %s across %d nodes (each node's read computes it over its own rows, and the writes keep the ORDER BY: it would run twice per row): compute its value in the application and pass it as a ? argument", f, verb, table.Name, nodes)
		}
	}
	if hasArgument(orderBy) {
		return nil, unsupported(s.sql, "? argument in the ORDER BY of %s … ORDER BY … LIMIT on sharded table %s across %d nodes: write the ORDER BY without arguments", verb, table.Name, nodes)
	}
	n, err := s.deleteLimitValue(limit, rt, verb)
	if err != nil {
		return nil, err
	}
	if s.catalog == nil {
		return nil, unsupported(s.sql, "%s … ORDER BY … LIMIT on sharded table %s across %d nodes without the servers' catalog (the rows are named by their primary key): select the rows' keys first (SELECT <primary key> … ORDER BY … LIMIT n FOR UPDATE) and %s them by key, in one transaction", verb, table.Name, nodes, verb)
	}
	facts, ok := s.tableFacts(table)
	if !ok {
		s.schemaMissing = true
		return nil, unsupported(s.sql, "%s … ORDER BY … LIMIT on sharded table %s, whose primary key the servers did not describe (is the table created? is its first node's server up? create the table or start the server, then run the statement again)", verb, table.Name)
	}
	var pk []string
	for _, ix := range facts.Indexes {
		if ix.Primary {
			pk = ix.Columns
		}
	}
	if len(pk) == 0 {
		return nil, unsupported(s.sql, "%s … ORDER BY … LIMIT on sharded table %s across %d nodes, which has no primary key (shardsql names the rows to write by it): add a primary key, or select the rows' keys first (SELECT … ORDER BY … LIMIT n FOR UPDATE) and %s them by key, in one transaction", verb, table.Name, nodes, verb)
	}
	o := &OrderedWrite{N: n, KeyCols: []string{table.Column}, marker: orderedMarker}
	for _, c := range pk {
		if strings.EqualFold(c, table.Column) {
			o.PK = append(o.PK, 0)
			continue
		}
		o.PK = append(o.PK, len(o.KeyCols))
		o.KeyCols = append(o.KeyCols, c)
	}
	for _, c := range o.KeyCols {
		col, ok := facts.Column(c)
		if !ok || !orderedKeyTypes[col.DataType] {
			what := "unknown"
			if ok {
				what = col.DataType
			}
			return nil, unsupported(s.sql, "%s … ORDER BY … LIMIT on sharded table %s across %d nodes, whose key column %s is of type %s (shardsql names the rows to write by their sharding column and primary key, which must be integers, DECIMAL or strings to compare back exactly): select the rows' keys first (SELECT … ORDER BY … LIMIT n FOR UPDATE) and %s them by key, in one transaction", verb, table.Name, nodes, c, what, verb)
		}
		place, text := orderedPlace(col.DataType, strings.ToLower(col.Collation))
		o.places = append(o.places, place)
		o.text = append(o.text, text)
	}
	// Hazard: the key condition takes len(KeyCols) (+ len(PK)) arguments
	// per row; a server-side prepared statement takes at most 65535 (an
	// error 1390 after the read, and a LIMIT of 2⁶⁴−1 meaning "all" would
	// hold every matching key in memory). Refused before anything runs.
	perRow := uint64(len(o.KeyCols))
	if len(o.PK) < len(o.KeyCols) {
		perRow += uint64(len(o.PK))
	}
	if budget := uint64(65535 - len(s.args)); n > budget/perRow {
		return nil, unsupported(s.sql, "%s … ORDER BY … LIMIT %d on sharded table %s across %d nodes (the rows are written by key, %d arguments a row, at most 65535 in a statement): run it in batches of at most %d rows", verb, n, table.Name, nodes, perRow, budget/perRow)
	}
	if o.ReadSQL, o.ReadArgs, err = s.orderedRead(o, from, where, orderBy, n); err != nil {
		return nil, err
	}
	// The node statements: the caller's without LIMIT, its WHERE replaced
	// by the key condition. The rows read are locked by the transaction,
	// so they match the WHERE still; evaluating it again would only add
	// a hazard: a comparison MariaDB matches differently by plan (an
	// inexact value against an indexed column: the read through the
	// index, the write through the primary key) would leave a row read
	// but not written. The marker prints after every argument of SET, and
	// ORDER BY has none: the key arguments go last.
	w := &sqlparser.Where{Type: sqlparser.WhereClause, Expr: sqlparser.NewColName(orderedMarker)}
	var c sqlparser.Statement
	switch st := stmt.(type) {
	case *sqlparser.Delete:
		d := *st // the cached statement is never modified
		d.Limit, d.Where = nil, w
		c = &d
	case *sqlparser.Update:
		u := *st
		u.Limit, u.Where = nil, w
		c = &u
	}
	p := s.plan(kind, c, rt)
	for _, u := range p.Units {
		if strings.Count(u.SQL, orderedMarker) != 1 {
			return nil, unsupported(s.sql, "%s … ORDER BY … LIMIT on sharded table %s across %d nodes naming %s (rename it: shardsql uses that name itself)", verb, table.Name, nodes, orderedMarker)
		}
	}
	p.Ordered = o
	return p, nil
}

// orderedRead prints the locking read of an OrderedWrite as a SELECT on
// the logical table, its ? arguments in order.
func (s *statement) orderedRead(o *OrderedWrite, from sqlparser.TableExprs, where *sqlparser.Where, orderBy sqlparser.OrderBy, n uint64) (string, []any, error) {
	exprs := make([]sqlparser.SelectExpr, len(o.KeyCols))
	for i, c := range o.KeyCols {
		exprs[i] = &sqlparser.AliasedExpr{Expr: sqlparser.NewColName(c)}
	}
	sel := &sqlparser.Select{
		SelectExprs: &sqlparser.SelectExprs{Exprs: exprs},
		From:        from,
		Where:       where,
		OrderBy:     orderBy,
		Limit:       &sqlparser.Limit{Rowcount: sqlparser.NewIntLiteral(strconv.FormatUint(n, 10))},
		Lock:        sqlparser.ForUpdateLock,
	}
	var args []any
	missing := false
	buf := sqlparser.NewTrackedBuffer(func(buf *sqlparser.TrackedBuffer, node sqlparser.SQLNode) {
		if a, ok := node.(*sqlparser.Argument); ok {
			v, ok := s.value(a)
			missing = missing || !ok
			args = append(args, v)
			buf.WriteString("?")
			return
		}
		node.Format(buf)
	})
	buf.Myprintf("%v", sel)
	if missing {
		return "", nil, unsupported(s.sql, "? without its argument (pass one argument for every ?)")
	}
	return buf.String(), args, nil
}

// hasArgument reports whether n holds a ? argument.
func hasArgument(n sqlparser.SQLNode) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if _, ok := n.(*sqlparser.Argument); ok {
			found = true
		}
		return !found, nil
	}, n)
	return found
}
