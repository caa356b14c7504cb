package route

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/evalenv"
	"github.com/shardsql/shardsql/merge"
)

// errNotCross says a statement is not a join the cross-node join planner
// takes (its FROM clause is not a chain of tables): the caller keeps its
// own refusal.
var errNotCross = errors.New("not a cross-node join")

// orCrossJoin is where a join refused node by node (tables not bound, not
// joined on their sharding columns, an unsharded table off the home data
// source, an outer join preserving a broadcast table) goes: evaluated
// above the nodes (routeCrossJoin), or refused with why not.
func (s *statement) orCrossJoin(sel *sqlparser.Select, refusal error) (*Plan, error) {
	if !errors.Is(refusal, ErrUnsupported) || len(s.hints) > 0 {
		// A sharding-value hint names the nodes of the statement's
		// tables; each table's own statement would contradict it.
		return nil, refusal
	}
	p, err := s.routeCrossJoin(sel)
	var cr *crossRefusal
	switch {
	case errors.Is(err, errNotCross):
		return nil, refusal
	case errors.As(err, &cr):
		return nil, s.withCrossReason(refusal, cr)
	}
	return p, err
}

// withCrossReason gives both reasons: why the nodes cannot run the
// statement, and why it is not evaluated above them.
func (s *statement) withCrossReason(refusal error, cr *crossRefusal) error {
	msg, suffix := refusal.Error(), fmt.Sprintf(" in %q", quote(s.sql))
	if !errors.Is(refusal, ErrUnsupported) || !strings.HasSuffix(msg, suffix) {
		return refusal
	}
	msg = strings.TrimPrefix(strings.TrimSuffix(msg, suffix), ErrUnsupported.Error()+": ")
	return unsupported(s.sql, "%s; not evaluated above the nodes: %s", msg, cr.reason)
}

// crossRefusal is why a join the planner recognises is not evaluated
// above the nodes.
type crossRefusal struct{ reason string }

func (c *crossRefusal) Error() string { return "shardsql: unsupported: " + c.reason }
func (c *crossRefusal) Unwrap() error { return ErrUnsupported }

// crossTable is one table of a join evaluated above the nodes: its own
// statement (the columns the join needs, its own WHERE terms), routed as
// a statement of its own.
type crossTable struct {
	ref tableRef
	// kind is how it joins the tables before it (JoinInner or JoinLeft;
	// the first table's is JoinInner).
	kind merge.JoinKind
	// on are the AND-ed terms of its ON clause.
	on []sqlparser.Expr
	// nullable: a LEFT JOIN may NULL-extend its columns (it is the
	// NULL-supplying side of a left join), so its terms of WHERE do not
	// go into its statement and expressions over it are not computed by
	// the nodes.
	nullable bool
	// cols are the columns of its statement, in order; then one
	// collation column for each compared text column.
	cols   []crossCol
	colls  []merge.Collated
	pushed []sqlparser.Expr
	offset int // its first column in the joined row
	// derived: the table is a derived table (join_derived.go), whose
	// rows its own SELECT's plan gives.
	derived *derivedSide
}

// crossCol is one column of a table's statement.
type crossCol struct {
	expr sqlparser.Expr // a column of the table, or an expression over it
	as   string         // its alias ("" for none)
	name string         // the column's lower-cased name, for lookups ("" for an expression)
	// compared: the column is a join key, compared, sorted or grouped
	// above the nodes, so its collation is fetched.
	compared bool
}

// width is the number of columns of the table's rows. A table the join
// reads no column of (the inner side of a cross join) selects the
// constant 1 (side), one column: counting it keeps the offsets of the
// tables after it right (without it, the next table's columns were read
// one to the left).
func (t *crossTable) width() int {
	if len(t.cols) == 0 {
		return 1 + len(t.colls)
	}
	return len(t.cols) + len(t.colls)
}

// crossJoin is a SELECT whose join runs above the nodes.
type crossJoin struct {
	s      *statement
	sel    *sqlparser.Select
	tables []*crossTable
	// where are the WHERE (and inner ON) terms not yet placed.
	where []sqlparser.Expr
	// keys[i] is the key of the join of tables[i] (i >= 1) with the
	// tables before it: a column of an earlier table and one of tables[i].
	keys [][2]colAt
	// on[i] are the terms of tables[i]'s ON evaluated with each match.
	on [][]sqlparser.Expr
}

// colAt is a column of a table of the join.
type colAt struct {
	table int
	col   int // index into the table's cols
}

// routeCrossJoin plans a SELECT joining tables that are not co-located:
// each table is read by a statement of its own (its columns and its own
// WHERE terms, routed on its own: a scatter, a broadcast read on one data
// source, an unsharded read on the home data source; a derived table by
// its own plan, join_derived.go), the tables are joined left to right by
// HashJoin (a broadcast, unsharded or derived inner table read once; a
// sharded one adaptively, with NestedLoopJoin's batched IN lookups as
// its fallback; a join without an equality, join_theta.go), and the rest
// of the statement is evaluated above the join (join_above.go).
func (s *statement) routeCrossJoin(sel *sqlparser.Select) (*Plan, error) {
	j := &crossJoin{s: s, sel: sel}
	if err := j.flatten(); err != nil {
		return nil, err
	}
	if len(j.tables) < 2 {
		return nil, errNotCross
	}
	if err := j.checkShape(); err != nil {
		return nil, err
	}
	j.orderBySelectNames() // join_names.go
	return j.plan()
}

// plan places the terms, plans the part above the join, picks the keys
// and builds the operators.
func (j *crossJoin) plan() (*Plan, error) {
	s := j.s
	if err := j.placeTerms(); err != nil {
		return nil, err
	}
	above, err := j.aboveSelect()
	if err != nil {
		return nil, err
	}
	if err := j.chooseKeys(); err != nil {
		return nil, err
	}
	root, units, err := j.build()
	if err != nil {
		return nil, err
	}
	root, err = j.planAboveJoin(above, root)
	if err != nil {
		return nil, err
	}
	table := ""
	for _, t := range j.tables {
		if t.ref.sharded != nil {
			table = t.ref.sharded.Name
			break
		}
		if t.derived != nil && t.derived.table != "" {
			table = t.derived.table
			break
		}
	}
	return &Plan{SQL: s.sql, Kind: KindSelect, Table: table, Units: units, Root: root}, nil
}

// flatten lists the FROM clause's tables left to right: a chain of joins
// whose right sides are tables (A JOIN B ON … LEFT JOIN C ON …), or such
// chains separated by commas. A RIGHT JOIN of two tables becomes the LEFT JOIN
// of the swapped tables.
func (j *crossJoin) flatten() error {
	// Tables separated by commas join as inner joins without a condition,
	// left to right; an element may itself be a chain of joins (`A LEFT
	// JOIN B ON …, C`). The comma binds less tightly than JOIN, but an ON
	// of a later element can name only its own element's tables (MySQL
	// refuses others), so the left-deep chain joins the same rows:
	// (A × B) ⟕ C ON c(B, C) pairs each (a, b) with b's matches, as
	// A × (B ⟕ C) does.
	for _, te := range j.sel.From {
		start := len(j.tables)
		if err := j.flattenExpr(te); err != nil {
			return err
		}
		if start == 0 {
			continue
		}
		for _, t := range j.tables[start:] {
			for _, term := range t.on {
				set, err := j.tablesOf(term)
				if err != nil {
					return err
				}
				if set&(1<<start-1) != 0 {
					return j.refuse("an ON condition naming a table of an earlier comma-separated part of FROM (MySQL refuses it as an unknown column; write the comma as JOIN … ON)")
				}
			}
		}
	}
	return nil
}

func (j *crossJoin) flattenExpr(te sqlparser.TableExpr) error {
	switch x := te.(type) {
	case *sqlparser.AliasedTableExpr:
		return j.add(x, merge.JoinInner, nil)
	case *sqlparser.JoinTableExpr:
		right, ok := x.RightExpr.(*sqlparser.AliasedTableExpr)
		if !ok {
			return j.refuse("a join whose right side is itself a join (write the joins left to right: A JOIN B ON … JOIN C ON …)")
		}
		join, on, err := j.joinCondition(x, right) // USING, NATURAL: join_using.go
		if err != nil {
			return err
		}
		switch join {
		case sqlparser.NormalJoinType, sqlparser.StraightJoinType:
			if err := j.flattenExpr(x.LeftExpr); err != nil {
				return err
			}
			return j.add(right, merge.JoinInner, on)
		case sqlparser.LeftJoinType:
			if on == nil {
				return j.refuse("LEFT JOIN without ON (give it an ON condition)")
			}
			if err := j.flattenExpr(x.LeftExpr); err != nil {
				return err
			}
			return j.add(right, merge.JoinLeft, on)
		case sqlparser.RightJoinType:
			left, ok := x.LeftExpr.(*sqlparser.AliasedTableExpr)
			if !ok || on == nil {
				return j.refuse("RIGHT JOIN whose left side is a join (rewrite it as a LEFT JOIN with the preserved table first)")
			}
			if err := j.add(right, merge.JoinInner, nil); err != nil {
				return err
			}
			return j.add(left, merge.JoinLeft, on)
		default:
			return j.refuse("NATURAL JOIN across nodes (write the join with ON)")
		}
	}
	return errNotCross
}

// add appends a table of the FROM clause.
func (j *crossJoin) add(ate *sqlparser.AliasedTableExpr, kind merge.JoinKind, on sqlparser.Expr) error {
	tn, ok := ate.Expr.(sqlparser.TableName)
	if !ok {
		if dt, isDerived := ate.Expr.(*sqlparser.DerivedTable); isDerived {
			return j.addDerived(ate, dt, kind, on) // join_derived.go
		}
		return errNotCross
	}
	t := &crossTable{ref: tableRef{expr: ate, name: tn, sharded: j.s.resolve(tn).sharded}, kind: kind}
	if on != nil {
		t.on = andTerms(on)
	}
	if kind == merge.JoinLeft {
		t.nullable = true
	}
	for _, other := range j.tables {
		if strings.EqualFold(other.ref.qualifier(), t.ref.qualifier()) {
			return j.refuse("a join naming %s twice without distinct aliases (MySQL's error 1066: give each an alias of its own)", t.ref.qualifier())
		}
	}
	j.tables = append(j.tables, t)
	return nil
}

// refuse is the refusal of a join the planner recognises but cannot run.
func (j *crossJoin) refuse(format string, a ...any) error {
	return &crossRefusal{reason: fmt.Sprintf(format, a...)}
}

// andTerms splits an expression into its AND-ed terms.
func andTerms(e sqlparser.Expr) []sqlparser.Expr {
	if a, ok := e.(*sqlparser.AndExpr); ok {
		return append(andTerms(a.Left), andTerms(a.Right)...)
	}
	return []sqlparser.Expr{e}
}

// checkShape refuses the parts of the statement the planner does not
// evaluate above a join.
func (j *crossJoin) checkShape() error {
	sel := j.sel
	switch {
	case sel.Into != nil, sel.Lock != sqlparser.NoLock:
		return j.refuse("SELECT … INTO or a locking read (run the join in a transaction on one node, or lock the rows separately)")
	case sel.With != nil:
		return j.refuse("WITH (write each CTE as a derived table, FROM (SELECT …) AS name)")
	case sel.SQLCalcFoundRows:
		return j.refuse("SQL_CALC_FOUND_ROWS (count the rows with a second SELECT COUNT(*) over the same join)")
	}
	bad := ""
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n.(type) {
		case *sqlparser.Subquery, *sqlparser.DerivedTable:
			bad = "a subquery (run it as its own statement first and pass its values as ? arguments, or rewrite a correlated one as a join)"
		case *sqlparser.StarExpr:
			bad = "SELECT * (list the columns)"
		case *sqlparser.Argument:
			// arguments are fine where the nodes evaluate them; checked
			// where terms are evaluated above
		}
		if _, ok := n.(sqlparser.AggrFunc); ok {
			bad = "an aggregate function outside the select list (compare aggregates in HAVING)"
		}
		return bad == "", nil
	}, sel.Where, sel.GroupBy)
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n.(type) {
		case *sqlparser.Subquery, *sqlparser.DerivedTable:
			bad = "a subquery (run it as its own statement first and pass its values as ? arguments, or rewrite a correlated one as a join)"
		}
		return bad == "", nil
	}, sel.SelectExprs, sel.OrderBy)
	if bad == "" {
		for _, t := range j.tables {
			for _, term := range t.on {
				_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
					if _, ok := n.(*sqlparser.Subquery); ok {
						bad = "a subquery in ON (run it as its own statement first and pass its values as ? arguments, or rewrite a correlated one as a join)"
					}
					return bad == "", nil
				}, term)
			}
		}
	}
	if bad != "" {
		return j.refuse("%s", bad)
	}
	return nil
}

// tablesOf returns the tables an expression's columns name (a bit per
// table), or an error for a column it cannot place.
func (j *crossJoin) tablesOf(e sqlparser.Expr) (uint64, error) {
	var set uint64
	err := j.eachColumn(e, func(t int, _ *sqlparser.ColName) { set |= 1 << t })
	return set, err
}

// eachColumn calls f with each column e reads and the table it names,
// stopping at the first column it cannot place.
func (j *crossJoin) eachColumn(e sqlparser.Expr, f func(t int, col *sqlparser.ColName)) error {
	var err error
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		col, ok := n.(*sqlparser.ColName)
		if !ok || err != nil {
			return err == nil, nil
		}
		t, terr := j.tableOf(col)
		if terr != nil {
			err = terr
			return false, nil
		}
		f(t, col)
		return true, nil
	}, e)
	return err
}

// tableOf returns the table a column names: by its qualifier, or, for an
// unqualified column, the one table the catalog says has it.
func (j *crossJoin) tableOf(col *sqlparser.ColName) (int, error) {
	if !col.Qualifier.IsEmpty() {
		for i, t := range j.tables {
			if j.s.qualifies(col.Qualifier, t.ref) {
				return i, nil
			}
		}
		return 0, j.refuse("column %s, whose table is not one of the join's (MySQL's error 1054: qualify it with a table or alias of the FROM clause)", sqlparser.String(col))
	}
	if t, ok, err := j.usingColumn(col); ok || err != nil {
		return t, err
	}
	found := -1
	for i, t := range j.tables {
		if t.semi() {
			// A subquery's table is not in the outer query's scope;
			// its own unqualified columns were qualified (addSemi).
			continue
		}
		has, ok := j.hasColumn(t, col.Name.String())
		if !ok {
			return 0, j.refuse("unqualified column %s (qualify it)", sqlparser.String(col))
		}
		if has {
			if found >= 0 {
				// MySQL's error 1052 (ER_NON_UNIQ_ERROR)
				return 0, j.refuse("column %s is ambiguous: tables %s and %s both have it, as MySQL's error 1052 says (qualify it with its table)",
					sqlparser.String(col), j.tables[found].ref.qualifier(), t.ref.qualifier())
			}
			found = i
		}
	}
	if found < 0 {
		// MySQL's error 1054 (ER_BAD_FIELD_ERROR); the catalog may be
		// older than a column added since other than through shardsql:
		// the driver loads it again (at most once per second) and
		// routes the statement once more.
		j.s.lacksFact()
		return 0, j.refuse("unknown column %s: no table of the join has it, as MySQL's error 1054 says (name a column of the join's tables)", sqlparser.String(col))
	}
	return found, nil
}

// single returns the one table of a set, or -1.
func single(set uint64) int {
	if set == 0 || set&(set-1) != 0 {
		return -1
	}
	n := 0
	for set > 1 {
		set >>= 1
		n++
	}
	return n
}

// placeTerms puts each WHERE and ON term where it is evaluated: into one
// table's statement when it reads that table only (and the table is not
// NULL-supplied, for WHERE terms), into a join's match condition (terms of
// a LEFT JOIN's ON over several tables), or above the joins.
func (j *crossJoin) placeTerms() error {
	j.on = make([][]sqlparser.Expr, len(j.tables))
	var pool []sqlparser.Expr
	if j.sel.Where != nil {
		pool = andTerms(j.sel.Where.Expr)
	}
	for i, t := range j.tables {
		if t.kind == merge.JoinInner {
			pool = append(pool, t.on...) // an inner join's ON filters as WHERE does
			continue
		}
		for _, term := range t.on {
			set, err := j.tablesOf(term)
			if err != nil {
				return err
			}
			if set&^(1<<(i+1)-1) != 0 {
				return j.refuse("an ON condition naming a table joined after it (MySQL's error 1054: move the condition to a later ON or the WHERE)")
			}
			if set == 1<<i || set == 0 {
				t.pushed = append(t.pushed, term) // filters the inner rows before they match
				continue
			}
			j.on[i] = append(j.on[i], term)
		}
	}
	for _, term := range pool {
		set, err := j.tablesOf(term)
		if err != nil {
			return err
		}
		if set == 0 {
			// constants and arguments: the first table is always
			// preserved, so filtering it filters the result
			j.tables[0].pushed = append(j.tables[0].pushed, term)
			continue
		}
		if t := single(set); t >= 0 && !j.tables[t].nullable {
			j.tables[t].pushed = append(j.tables[t].pushed, term)
			continue
		}
		j.where = append(j.where, term)
	}
	return nil
}

// column returns the index of a column of table t in its statement,
// adding it.
func (j *crossJoin) column(t int, col *sqlparser.ColName, compared bool) int {
	tb := j.tables[t]
	name := strings.ToLower(col.Name.String())
	for i := range tb.cols {
		if tb.cols[i].name == name && tb.cols[i].as == "" {
			tb.cols[i].compared = tb.cols[i].compared || compared
			return i
		}
	}
	c := &sqlparser.ColName{Name: col.Name, Qualifier: sqlparser.TableName{Name: sqlparser.NewIdentifierCS(tb.ref.qualifier())}}
	tb.cols = append(tb.cols, crossCol{expr: c, name: name, compared: compared})
	return len(tb.cols) - 1
}

// chooseKeys picks, for each join, one equality of a column of the table
// with a column of an earlier table, preferring the table's sharding
// column (each batch then reaches only the nodes owning its keys). An
// inner join takes it from WHERE and the inner joins' ON (an equality
// there rejects the pairs the join does not match), a LEFT JOIN from its
// own ON.
func (j *crossJoin) chooseKeys() error {
	j.keys = make([][2]colAt, len(j.tables))
	for i := 1; i < len(j.tables); i++ {
		t := j.tables[i]
		src := &j.where
		if t.kind != merge.JoinInner {
			src = &j.on[i] // a LEFT JOIN's ON, a subquery's WHERE
		}
		best, bestScore := -1, -1
		var bestKey [2]colAt
		for k, term := range *src {
			cmp, ok := term.(*sqlparser.ComparisonExpr)
			if !ok || cmp.Operator != sqlparser.EqualOp {
				continue
			}
			a, aok := cmp.Left.(*sqlparser.ColName)
			b, bok := cmp.Right.(*sqlparser.ColName)
			if !aok || !bok {
				continue
			}
			ta, _ := j.tableOf(a)
			tb, _ := j.tableOf(b)
			if tb != i {
				a, b, ta, tb = b, a, tb, ta
			}
			if tb != i || ta >= i {
				continue
			}
			score := 0
			if sh := t.ref.sharded; sh != nil && b.Name.EqualString(sh.Column) {
				score = 1
			}
			if score > bestScore {
				best, bestScore = k, score
				bestKey = [2]colAt{{ta, j.column(ta, a, true)}, {i, j.column(i, b, true)}}
			}
		}
		if best < 0 {
			if err := j.keyless(i); err != nil {
				return err
			}
			continue
		}
		if err := j.sameKeyCollation((*src)[best], bestKey); err != nil {
			return err
		}
		j.keys[i] = bestKey
		*src = append((*src)[:best:best], (*src)[best+1:]...)
	}
	return nil
}

// build makes each table's statement and the joins over them.
func (j *crossJoin) build() (merge.Operator, []Unit, error) {
	// Every column a condition above the nodes reads is fetched first, so
	// that the offsets are known.
	for i := range j.tables {
		for _, term := range j.on[i] {
			if err := j.fetch(term, true); err != nil {
				return nil, nil, err
			}
		}
	}
	for _, term := range j.where {
		if err := j.fetch(term, true); err != nil {
			return nil, nil, err
		}
	}
	off := 0
	for _, t := range j.tables {
		t.colls = t.colls[:0]
		for c := range t.cols {
			if t.cols[c].compared && j.s.weights {
				t.colls = append(t.colls, merge.Collated{Col: merge.At(c), From: merge.At(len(t.cols) + len(t.colls))})
			}
		}
		t.offset = off
		if t.kind == merge.JoinInner || t.kind == merge.JoinLeft {
			off += t.width() // a semi- or anti-join adds no column
		}
	}
	first, err := j.side(0, nil, false, 0)
	if err != nil {
		return nil, nil, err
	}
	root := first.Tree()
	var units []Unit
	units = append(units, first.Units...)
	for i := 1; i < len(j.tables); i++ {
		t := j.tables[i]
		var on sqlparser.Expr
		if len(j.on[i]) > 0 {
			e, err := j.placeholders(sqlparser.AndExpressions(j.on[i]...))
			if err != nil {
				return nil, nil, err
			}
			on = e
		}
		colls := j.collationNames(i)
		key := j.keys[i]
		if key[0].table < 0 {
			// No equality: the inner table whole, every pair (join_theta.go).
			hj, inner, err := j.thetaJoin(i, root, on, colls)
			if err != nil {
				return nil, nil, err
			}
			root, units = hj, append(inner, units...)
			continue
		}
		keys := merge.JoinKeys{OuterKey: j.tables[key[0].table].offset + key[0].col, InnerKey: key[1].col}
		whole, err := j.side(i, nil, false, 0)
		if err != nil {
			return nil, nil, err
		}
		if t.ref.sharded == nil {
			// A broadcast or unsharded table: one statement on one data
			// source, read once.
			root = &merge.HashJoin{Kind: t.kind, Keys: keys, On: on, Outer: root, Inner: whole.Tree(), BuildName: t.ref.qualifier(), MaxRows: j.s.maxRows, InnerCollations: colls}
			units = append(whole.Units, units...)
			continue
		}
		i := i
		nl := &merge.NestedLoopJoin{Kind: t.kind, Keys: keys, On: on, Outer: root, InnerPlan: whole.Tree(), Batch: j.s.joinBatch, MaxRows: j.s.maxRows, InnerCollations: colls,
			Inner: func(values []driver.Value, _ string) (merge.Operator, error) {
				p, err := j.side(i, values, true, 0)
				if err != nil {
					return nil, err
				}
				return p.Tree(), nil
			}}
		// A sharded inner table: its size is not known (see
		// docs/joins.md, "How the planner picks"), so the join adapts
		// when it runs. The HashJoin reads the inner table once, each
		// node limited to the cap plus one row, when the outer side has
		// more than one batch of rows and the inner side fits under the
		// cap; otherwise the nested-loop lookups run (Fallback), which
		// read only the inner rows the outer keys match.
		build, err := j.side(i, nil, false, j.maxRows()+1)
		if err != nil {
			return nil, nil, err
		}
		root = &merge.HashJoin{Kind: t.kind, Keys: keys, On: on, Outer: root, Inner: build.Tree(), BuildName: t.ref.qualifier(), MaxRows: j.s.maxRows, InnerCollations: colls, Fallback: nl}
	}
	return root, units, nil
}

// collationNames are the catalog's collations of table i's collation
// columns (by column of its rows), for the rows a LEFT JOIN NULL-extends.
func (j *crossJoin) collationNames(i int) map[int]string {
	t := j.tables[i]
	if t.derived != nil {
		return nil // not a table of the catalog (its alias may be a table's name)
	}
	name := t.ref.name.Name.String()
	if t.ref.sharded != nil {
		name = t.ref.sharded.Name
	}
	ct, ok := j.s.catalog.Table(name)
	if !ok {
		return nil
	}
	out := make(map[int]string)
	for _, cl := range t.colls {
		if c := t.cols[cl.Col.Index]; c.name != "" {
			if col, ok := ct.Column(c.name); ok && col.Collation != "" {
				out[cl.From.Index] = col.Collation
			}
		}
	}
	return out
}

// maxRows is the memory cap of the statement's operators.
func (j *crossJoin) maxRows() int {
	if j.s.maxRows <= 0 {
		return merge.DefaultMaxRows
	}
	return j.s.maxRows
}

// side plans the statement of table i; with lookup, restricted to rows
// whose key is one of values (none: no row); with limit > 0, each node
// statement reads at most limit rows (an adaptive HashJoin's build side:
// a node that reaches the limit alone passes the cap, so the limit never
// cuts a build side that is used).
func (j *crossJoin) side(i int, values []driver.Value, lookup bool, limit int) (*Plan, error) {
	t := j.tables[i]
	if t.derived != nil {
		return j.derivedPlan(i) // join_derived.go; never looked up (no lookup of a derived table)
	}
	sel := &sqlparser.Select{From: []sqlparser.TableExpr{sqlparser.CloneRefOfAliasedTableExpr(t.ref.expr)}}
	for _, c := range t.cols {
		ae := &sqlparser.AliasedExpr{Expr: sqlparser.CloneExpr(c.expr)}
		if c.as != "" {
			ae.As = sqlparser.NewIdentifierCI(c.as)
		}
		sel.AddSelectExpr(ae)
	}
	for k, cl := range t.colls {
		sel.AddSelectExpr(&sqlparser.AliasedExpr{
			Expr: &sqlparser.FuncExpr{Name: sqlparser.NewIdentifierCI("collation"), Exprs: []sqlparser.Expr{sqlparser.CloneExpr(t.cols[cl.Col.Index].expr)}},
			As:   sqlparser.NewIdentifierCI(fmt.Sprintf("__shardsql_c%d", k)),
		})
	}
	if len(t.cols) == 0 {
		sel.AddSelectExpr(&sqlparser.AliasedExpr{Expr: sqlparser.NewIntLiteral("1")})
	}
	terms := append([]sqlparser.Expr(nil), t.pushed...)
	if lookup {
		keyCol := sqlparser.CloneExpr(t.cols[j.keys[i][1].col].expr)
		if len(values) == 0 {
			terms = append(terms, &sqlparser.ComparisonExpr{Operator: sqlparser.EqualOp, Left: sqlparser.NewIntLiteral("1"), Right: sqlparser.NewIntLiteral("0")})
		} else {
			tuple := make(sqlparser.ValTuple, len(values))
			for k, v := range values {
				lit, err := joinLiteral(v)
				if err != nil {
					return nil, err
				}
				tuple[k] = lit
			}
			terms = append(terms, &sqlparser.ComparisonExpr{Operator: sqlparser.InOp, Left: keyCol, Right: tuple})
		}
	}
	if len(terms) > 0 {
		sel.Where = sqlparser.NewWhere(sqlparser.WhereClause, sqlparser.AndExpressions(terms...))
	}
	if limit > 0 {
		sel.Limit = &sqlparser.Limit{Rowcount: sqlparser.NewIntLiteral(fmt.Sprint(limit))}
	}
	text, args := j.s.textOf(sel)
	p, err := j.s.routeText(text, args)
	if err != nil {
		return nil, err
	}
	if p.Kind != KindSelect {
		return nil, fmt.Errorf("shardsql: route: join side %q is not a SELECT", text)
	}
	if len(p.Units) == 0 {
		// The keys (or the table's own terms) reach no node, as a key
		// outside a Range table's bounds does: no row, but the join
		// still needs the columns, which a statement on every node with
		// a false condition gives.
		sel.Where = sqlparser.NewWhere(sqlparser.WhereClause, &sqlparser.ComparisonExpr{Operator: sqlparser.EqualOp, Left: sqlparser.NewIntLiteral("1"), Right: sqlparser.NewIntLiteral("0")})
		text, args = j.s.textOf(sel)
		if p, err = j.s.routeText(text, args); err != nil {
			return nil, err
		}
	}
	if l, ok := p.Root.(*merge.Limit); ok && limit > 0 {
		// The scatter's Limit over the nodes' LIMIT: the nodes' rows
		// are what the build side reads.
		if _, ok := l.Input.(*merge.Route); ok {
			p.Root = nil
		}
	}
	if p.Root != nil {
		return nil, fmt.Errorf("shardsql: route: join side %q needs operators of its own", text)
	}
	p.Root = &merge.Route{Units: mergeUnits(p.Units), Collations: append([]merge.Collated(nil), t.colls...)}
	return p, nil
}

// joinLiteral writes an outer key value into a lookup's IN list. The key
// columns were checked to be of one kind on both sides (merge.JoinKeys):
// integers and decimals are written as numbers, text as a string literal,
// whose coercibility is lower than the inner column's, so the inner
// column's collation decides the comparison, as it decides the join's.
func joinLiteral(v driver.Value) (sqlparser.Expr, error) {
	switch x := v.(type) {
	case int64:
		return sqlparser.NewIntLiteral(fmt.Sprint(x)), nil
	case uint64:
		return sqlparser.NewIntLiteral(fmt.Sprint(x)), nil
	case []byte:
		return sqlparser.NewStrLiteral(string(x)), nil
	case string:
		return sqlparser.NewStrLiteral(x), nil
	}
	return nil, fmt.Errorf("%w: join key value of type %T (join on integer, decimal or text columns, or CAST the key to one of them)", ErrUnsupported, v)
}

// fetch adds the columns e reads to their tables' statements.
func (j *crossJoin) fetch(e sqlparser.Expr, compared bool) error {
	return j.eachColumn(e, func(t int, col *sqlparser.ColName) { j.column(t, col, compared) })
}

// placeholders rewrites e over the joined row: each column becomes
// evalenv.Column(its offset), each argument its value. Call after
// build has fixed the offsets.
func (j *crossJoin) placeholders(e sqlparser.Expr) (sqlparser.Expr, error) {
	return j.overRow(e, "a condition evaluated above the join", "over several tables", func(n *sqlparser.ColName) (int, error) {
		t, err := j.tableOf(n)
		if err != nil {
			return 0, err
		}
		return j.tables[t].offset + j.column(t, n, true), nil
	})
}

// overRow rewrites e for the evaluator above the nodes: each column
// becomes evalenv.Column(at(column)), each `?` its value as a literal;
// a subquery is refused (it would run per row). where names the
// expression's place in refusals ("a condition evaluated above the
// join"), over what it is evaluated over ("over derived table x").
func (j *crossJoin) overRow(e sqlparser.Expr, where, over string, at func(*sqlparser.ColName) (int, error)) (sqlparser.Expr, error) {
	if zf := zeroFillReadAsText(e, j.zeroFillRef); zf != "" { // display_attrs.go
		return nil, j.s.zeroFillRefusal(where, e, zf, over)
	}
	var err error
	out := sqlparser.Rewrite(sqlparser.CloneExpr(e), func(c *sqlparser.Cursor) bool {
		if err != nil {
			return false
		}
		switch n := c.Node().(type) {
		case *sqlparser.ColName:
			k, cerr := at(n)
			if cerr != nil {
				err = cerr
				return false
			}
			c.Replace(evalenv.Column(k))
		case *sqlparser.Argument:
			v, ok := j.s.value(n)
			if !ok {
				err = j.refuse("argument %s in %s (pass one argument for every ?)", sqlparser.String(n), where)
				return false
			}
			lit, lerr := argLiteral(v)
			if lerr != nil {
				err = j.refuse("an argument of type %T in %s (compare with a literal, or write the condition on one table)", v, where)
				return false
			}
			c.Replace(lit)
		case *sqlparser.Subquery:
			err = j.refuse("a subquery in %s (run it as its own statement first and pass its values as ? arguments, or rewrite a correlated one as a join)", where)
			return false
		}
		return true
	}, nil)
	if err != nil {
		return nil, err
	}
	expr := out.(sqlparser.Expr)
	if _, terr := evalenv.Translate(expr); terr != nil {
		return nil, j.refuse("condition %s %s, which the evaluator above the nodes does not implement (%v: write it with functions the evaluator implements, or compute it in the application)", sqlparser.String(e), over, terr)
	}
	return expr, nil
}
