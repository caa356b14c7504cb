package route

import (
	"strconv"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/merge"
	"github.com/shardsql/shardsql/shard"
)

// One statement per data source. A deep page's phases send the same
// statement to every node; a data source holding several of the nodes
// gets them as one statement instead,
//
//	(select 0 as __shardsql_u, … from t_order_0 … limit 575, 110) union all (select 1 as __shardsql_u, … from t_order_1 …) …
//
// each branch the node's complete statement (its own ORDER BY and LIMIT;
// MariaDB honours both inside a parenthesised branch), led by a literal
// tag, the node's index in the plan, by which the merge sorts the rows
// back to their nodes (merge/deep_union.go). MariaDB's fixed cost per
// statement (parse, open, optimize, metadata, a round trip) is most of
// what a deep page of 16 small windows costs the servers
// (docs/deep-pages.md): the union pays it once per data source.
//
// What may be unioned, and why:
//   - Only on MySQL/MariaDB servers (Options.WeightStrings), which honour
//     a parenthesised branch's ORDER BY and LIMIT; the embedded
//     go-mysql-server shards keep one statement per node.
//   - ORDER BY positions are spelled as the columns they name (deepPage):
//     the tag leading each branch moves every position by one.
//   - Only bounded branches: every branch has a LIMIT (phases 1 and 2,
//     the fetch) or is one row (a count); a union is read whole.
//   - No locking read, SQL_CALC_FOUND_ROWS, INTO, user or system
//     variables, or functions whose value depends on the call or the
//     session (nonDeterministicFuncs): the deep page refuses the locking
//     ones already; the others could mean something else once their
//     branches share a statement. Nor select options or comments: the tag
//     is spliced after the leading "select ", which only a plain select
//     list follows.
//   - Statements whose rows are the result's (full-row phases, the fetch)
//     only when every column keeps its type in a UNION (unionStable): the
//     union's columns are the branches' aggregated, and an ENUM or SET
//     comes back as VARCHAR, a TEXT as MEDIUMTEXT, a JSON as LONGTEXT —
//     column types the caller would see change. Key columns are of kinds
//     whose values a union keeps (deepBindable), and key-only phases'
//     columns are never the result's.
//   - Node tables whose column types differ (a schema that drifted) are
//     aggregated by the union (INT and BIGINT read as BIGINT, VARCHAR(10)
//     and (20) as (20)): the values are the same; the per-node
//     statements' rows were read by the first statement's types anyway.
//
// Where the union runs is where its branches would have: it is one unit of
// the data source, so a transaction runs it on its participant, a pinned
// session on its pin, a replica read on the replica, and the executor's
// parallel bound counts it once.

// deepTag is the alias of the tag column leading a union's rows.
const deepTag = "__shardsql_u"

// unionable reports whether sel's branches may share a statement: a
// plain select of its own columns without options, locks, variables or
// functions that depend on the call (the list above).
func (s *statement) unionable(sel *sqlparser.Select) bool {
	if sel.Cache != nil || sel.Distinct || sel.HighPriority || sel.StraightJoinHint || sel.SQLSmallResult || sel.SQLBigResult ||
		sel.SQLBufferResult || sel.SQLCalcFoundRows || sel.With != nil || sel.Into != nil || sel.Lock != sqlparser.NoLock ||
		sel.GroupBy != nil || sel.Having != nil || len(sel.Windows) > 0 ||
		(sel.Comments != nil && len(sel.Comments.GetComments()) > 0) {
		return false
	}
	ok := true
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.FuncExpr:
			if nonDeterministicFuncs[n.Name.Lowered()] {
				ok = false
			}
		case *sqlparser.CurTimeFuncExpr, *sqlparser.LockingFunc, *sqlparser.Nextval, *sqlparser.Variable, *sqlparser.StarExpr,
			*sqlparser.Subquery:
			ok = false
		}
		return ok, nil
	}, sel)
	return ok
}

// unionStable reports whether every column of exprs keeps its type (as
// the driver reports it) in a UNION ALL of statements of the same table:
// columns of the catalog of the types below, and COLLATION() (VARCHAR).
// Measured on MariaDB (TestDeepPageUnionColumnTypes): ENUM, SET, TEXT and
// JSON change type; these do not. Long VARCHARs are left out: a union's
// rows pass through a temporary table, which holds a VARCHAR longer than
// it allows as a BLOB.
func unionStable(tbl *schema.Table, exprs []sqlparser.SelectExpr) bool {
	for _, e := range exprs {
		ae, ok := e.(*sqlparser.AliasedExpr)
		if !ok {
			return false
		}
		switch x := ae.Expr.(type) {
		case *sqlparser.ColName:
			c, ok := tbl.Column(x.Name.String())
			if !ok || !unionStableType(c) {
				return false
			}
		case *sqlparser.FuncExpr:
			if !x.Name.EqualString("collation") {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func unionStableType(c *schema.Column) bool {
	if c.IsInteger() {
		return true
	}
	switch c.DataType {
	case "decimal", "date", "datetime", "timestamp", "time", "year", "float", "double", "bit":
		return true
	case "char", "varchar", "binary", "varbinary":
		return c.MaxLength > 0 && c.MaxLength <= 4096
	}
	return false
}

// nodeDataSources counts the data sources of nodes (indexes into t's
// nodes).
func nodeDataSources(t *shard.ShardedTable, nodes []int) int {
	seen := map[string]bool{}
	for _, n := range nodes {
		seen[t.Nodes[n].DataSource] = true
	}
	return len(seen)
}

// unionUnits joins the units of each data source that holds several of
// them into one statement (the units are node statements in the plan's
// node order, nodes[i] the index of unit i's node). A data source with
// one unit keeps its plain statement when every data source has one;
// otherwise every unit of the phase is a union (a union of one branch,
// where needed), so that the merge reads all of a phase's rows one way.
// A union's RowBound is its branches' summed (0 when one's is unknown).
// ok is false (and the units are to be sent as they are) when a unit's
// text does not start with the plain "select " the tag is spliced after.
func unionUnits(units []Unit, nodes []int) (out []Unit, union [][]int, ok bool) {
	var order []string
	groups := map[string][]int{}
	for i, u := range units {
		if !strings.HasPrefix(u.SQL, "select ") {
			return nil, nil, false
		}
		if _, seen := groups[u.DataSource]; !seen {
			order = append(order, u.DataSource)
		}
		groups[u.DataSource] = append(groups[u.DataSource], i)
	}
	if len(order) == len(units) {
		return nil, nil, false // one statement per data source already
	}
	for _, ds := range order {
		if !unionFits(units, groups[ds]) {
			return nil, nil, false
		}
	}
	for _, ds := range order {
		g := groups[ds]
		var b strings.Builder
		n := 0
		for _, i := range g {
			n += len(units[i].SQL) + len(" union all (select 00000 as "+deepTag+", )")
		}
		b.Grow(n) // one allocation for the union's text
		var args []any
		tags := make([]int, len(g))
		bound := 0 // the branches' bounds summed; 0 when one is unknown
		for j, i := range g {
			if bound >= 0 && units[i].RowBound > 0 {
				bound += units[i].RowBound
			} else {
				bound = -1
			}
			if j > 0 {
				b.WriteString(" union all ")
			}
			b.WriteString("(select ")
			b.WriteString(strconv.Itoa(nodes[i]))
			b.WriteString(" as " + deepTag + ", ")
			b.WriteString(units[i].SQL[len("select "):])
			b.WriteString(")")
			args = append(args, units[i].Args...)
			tags[j] = nodes[i]
		}
		if len(args) == 0 {
			args = nil
		}
		out = append(out, Unit{DataSource: ds, SQL: b.String(), Args: args, RowBound: max(bound, 0)})
		union = append(union, tags)
	}
	return out, union, true
}

// A union joins up to a data source's every table statement into one, so
// it can exceed what one statement may hold where each part did not: the
// server's 65,535 placeholders of a prepared statement (error 1390), and,
// with interpolateParams, max_allowed_packet (4 MiB by default on older
// servers). Past these bounds the statements are sent one per table.
const (
	maxUnionArgs = 65_535
	maxUnionText = 1 << 20 // bytes, the arguments' text estimated
)

// unionFits reports whether the units g of units make a union within the
// bounds above.
func unionFits(units []Unit, g []int) bool {
	args, text := 0, 0
	for _, i := range g {
		args += len(units[i].Args)
		text += len(units[i].SQL) + 32
		for _, a := range units[i].Args {
			switch v := a.(type) {
			case string:
				text += 2 * len(v) // escaped, quoted
			case []byte:
				text += 2*len(v) + 3 // _binary'…' or hex
			default:
				text += 24
			}
		}
	}
	return args <= maxUnionArgs && text <= maxUnionText
}

// deepUnion returns a later phase's node statements as units of the
// merge: joined per data source when the page's statements may be (rows:
// they are the result's), else one per node.
func (d *DeepPage) deepUnion(us []NodeUnit, rows bool) []merge.DeepUnit {
	if d.unionAux && (!rows || d.unionRows) && len(us) > 1 {
		units, nodes := make([]Unit, len(us)), make([]int, len(us))
		for i, u := range us {
			units[i], nodes[i] = u.Unit, u.Node
		}
		if joined, tags, ok := unionUnits(units, nodes); ok {
			out := make([]merge.DeepUnit, len(joined))
			for i, u := range mergeUnits(joined) {
				// Each branch is within the memory cap, their sum need
				// not be: a union past it streams (rowBound's rule).
				u.RowBound = d.rowBound(int64(joined[i].RowBound))
				out[i] = merge.DeepUnit{Unit: u, Union: tags[i]}
			}
			return out
		}
	}
	out := make([]merge.DeepUnit, len(us))
	for i, u := range us {
		mu := mergeUnits([]Unit{u.Unit})[0]
		mu.RowBound = u.RowBound
		out[i] = merge.DeepUnit{Unit: mu, Node: u.Node}
	}
	return out
}
