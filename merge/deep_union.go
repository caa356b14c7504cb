package merge

import (
	"database/sql/driver"
	"fmt"
	"io"
)

// A deep page's phases read several nodes of one data source with one
// statement (docs/deep-pages.md, "One statement per data source"): the
// router joins the nodes' statements into
//
//	(SELECT 0 AS __shardsql_u, … FROM t_0 … ORDER BY … LIMIT …) UNION ALL (SELECT 3 AS __shardsql_u, … FROM t_3 …) …
//
// each branch a complete node statement with its own ORDER BY and LIMIT,
// led by a literal tag, the node's index. The rows are read back into one
// list per node by their tag (demuxUnion).
//
// Hazards, and how the reading avoids them:
//   - MariaDB promises no order for a UNION ALL's rows, neither of the
//     branches nor of one branch's rows (a parenthesised branch's ORDER BY
//     only picks which rows its LIMIT keeps). Rows are grouped by their
//     tag, never by position, and every node's rows are checked against
//     the total order and sorted when they are not in it (rowComparer.
//     sortNode, where each phase decodes them: PlanDeepPage, cut, fetch).
//   - A tag that names no branch of the statement (a statement that is not
//     the one built) fails the read rather than placing rows on a node.
//   - The union's column types are the branches' aggregated (an ENUM comes
//     back as VARCHAR, a TEXT as MEDIUMTEXT): the router unions the
//     statements whose rows are the result's only when every column keeps
//     its type in a UNION, and the result's columns are then the union's
//     less the tag (held, assembled columns), so the first statement's
//     metadata is never taken with the tag in it.

// deepRead is what one statement of a deep-page phase reads: one node
// (union nil), or a UNION ALL of the statements of the nodes in union,
// each row led by its node's index.
type deepRead struct {
	node  int
	union []int
}

// demuxUnion reads a union statement's rows, each led by its tag, into
// out[tag] without the tag (width is the rows' width, tag included).
// next hands out row storage of width-1 values.
func demuxUnion(p Cursor, width int, union []int, out [][][]driver.Value, next func() []driver.Value) error {
	if width < 2 {
		return fmt.Errorf("shardsql: deep page: a union of node statements with %d column(s)", width)
	}
	allowed := make([]bool, len(out))
	for _, n := range union {
		if n < 0 || n >= len(out) {
			return fmt.Errorf("shardsql: deep page: node %d of %d", n, len(out))
		}
		allowed[n] = true
	}
	buf := make([]driver.Value, width)
	for {
		if err := p.Next(buf); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		tag, ok := tagValue(buf[0])
		if !ok || tag >= int64(len(out)) || !allowed[tag] {
			return fmt.Errorf("shardsql: deep page: a union row tagged %v, not one of nodes %v", buf[0], union)
		}
		row := next()
		copy(row, buf[1:])
		out[tag] = append(out[tag], row)
	}
}

// tagValue reads a union row's tag: an integer, or its decimal text (the
// text protocol's), parsed without converting the bytes to a string, once
// per row.
func tagValue(v driver.Value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case []byte:
		if len(x) == 0 || len(x) > 9 {
			return 0, false
		}
		var n int64
		for _, c := range x {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int64(c-'0')
		}
		return n, true
	}
	return 0, false
}
