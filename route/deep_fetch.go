package route

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/merge"
)

// The fetch of a key-only deep page reads each node's page rows between
// its first and last page row: up to count statements (one per node with
// page rows), which differ only by the node's table and by the bound
// values. Printing each from the AST was two thirds of the fetch's client
// CPU (docs/deep-pages.md, "Round 7"). fetchSpliced prints the statement
// once, for the first range, with a marker in place of every literal the
// bounds and the LIMIT print, recording where the physical table names
// went (as renderNodes does); every range's SQL is that text with its
// node's table names and its own literals spliced in, and its arguments
// are taken by the same argument indexes.
//
// The hazards, and how the splice avoids them:
//   - The shape of the bound condition depends on the values: a NULL key
//     prints IS NULL / IS NOT NULL where a value prints a comparison. The
//     splice applies only when no range has a NULL key; then every range
//     builds the same condition, literal for literal, as the first (bound
//     walks the keys in one order, and each column binds as a literal or
//     as an argument by its type alone, literal's switch).
//   - A literal's text is what the renderer would print for it: the
//     integer and decimal literals bound builds print their Val as it is
//     (Literal.FormatFast), and literal validates that Val (a parsed
//     integer, the decimal pattern), so no value text reaches the SQL
//     that the AST path would not print.
//   - A marker that the statement's own text contained would be taken for
//     a hole: markers are delimited by NUL bytes, which the printed text
//     holds nowhere else (fetchMarker); a caller's SQL with a NUL is
//     printed, and a NUL that does not delimit a marker number refuses the
//     splice.
//   - IN lists trimmed per node (ins) make the text depend on the node
//     beyond its table names: then every statement is printed (the old
//     path), as renderNodes does.
//
// TestDeepFetchSpliced compares both paths' SQL and arguments.

// fetchMarker is the literal text standing for the n-th spliced literal:
// its number between two NUL bytes. The printer writes an integer
// literal's text as it is, but escapes a NUL in a string literal (\0),
// and MariaDB permits none in an identifier; so in the printed template a
// NUL is a marker's, unless the caller's SQL holds one (then the
// statements are printed, fetchSpliced).
func fetchMarker(n int) string { return "\x00" + strconv.Itoa(n) + "\x00" }

// fetchHole is a place in the printed template: bytes [start, end) are a
// physical table name (table ≥ 0, an index into d.tables) or a marker
// (lit ≥ 0, the literal's index).
type fetchHole struct{ start, end, table, lit int }

// fetchBound builds a range's WHERE and LIMIT as Fetch does; lit binds each
// key value (d.literal, or the template's markers).
func (d *DeepPage) fetchSelect(r merge.DeepRange, rows sqlparser.Expr, lit func(*schema.Column, driver.Value, *[]any) (sqlparser.Expr, error)) (*sqlparser.Select, []any, error) {
	var args []any
	cond, err := d.boundWith(r.KeyCols, r.First, true, true, &args, lit)
	if err != nil {
		return nil, nil, err
	}
	up, err := d.boundWith(r.KeyCols, r.Last, false, true, &args, lit)
	if err != nil {
		return nil, nil, err
	}
	sel := d.node
	sel.Where = d.withCond(and(cond, up))
	sel.Limit = &sqlparser.Limit{Rowcount: rows}
	return &sel, args, nil
}

// fetchSpliced returns the fetch statements of ranges by splicing (see
// above), or ok false where the splice does not apply.
func (d *DeepPage) fetchSpliced(ranges []merge.DeepRange) (out []NodeUnit, ok bool, err error) {
	if len(ranges) < 2 || len(d.ins) > 0 {
		return nil, false, nil
	}
	for _, r := range ranges {
		if r.Node < 0 || r.Node >= len(d.nodes) {
			return nil, false, fmt.Errorf("shardsql: deep page: node %d of %d", r.Node, len(d.nodes))
		}
		if len(r.KeyCols) != len(d.keys) {
			return nil, false, nil // bound reports it
		}
		for _, c := range r.KeyCols {
			if c < 0 || c >= len(r.First) || c >= len(r.Last) || r.First[c] == nil || r.Last[c] == nil {
				return nil, false, nil
			}
		}
	}
	// the template: the first range, each literal a marker
	markers := 0
	marker := func() sqlparser.Expr {
		m := &sqlparser.Literal{Type: sqlparser.IntVal, Val: fetchMarker(markers)}
		markers++
		return m
	}
	mark := func(c *schema.Column, v driver.Value, args *[]any) (sqlparser.Expr, error) {
		e, err := d.literal(c, v, args)
		if _, isLit := e.(*sqlparser.Literal); isLit {
			return marker(), nil
		}
		return e, err
	}
	sel, targs, err := d.fetchSelect(ranges[0], nil, mark)
	if err != nil {
		return nil, false, err
	}
	sel.Limit.Rowcount = marker()
	s := *d.base
	s.args = append(append([]any(nil), d.base.args...), targs...)
	n0 := d.nodes[ranges[0].Node]
	var spans []tableSpan
	r := &renderer{s: &s, tables: d.tables, node: d.tables[0].Nodes[n0], nodeIdx: n0, spans: &spans}
	_, r.named = sqlparser.SQLNode(sel).(*sqlparser.Select)
	r.aliased = s.shapeOf(s.ps.stmt).aliased
	buf := sqlparser.NewTrackedBuffer(r.format)
	buf.Myprintf("%v", sel)
	tpl := buf.String()
	if strings.IndexByte(d.base.sql, 0) >= 0 {
		return nil, false, nil
	}
	holes := make([]fetchHole, 0, len(spans)+2*markers)
	for _, sp := range spans {
		holes = append(holes, fetchHole{start: sp.start, end: sp.end, table: sp.table, lit: -1})
	}
	for at := 0; ; {
		i := strings.IndexByte(tpl[at:], 0)
		if i < 0 {
			break
		}
		start := at + i
		end := strings.IndexByte(tpl[start+1:], 0)
		if end < 0 {
			return nil, false, nil
		}
		end += start + 1
		m, err := strconv.Atoi(tpl[start+1 : end])
		if err != nil || m < 0 || m >= markers {
			return nil, false, nil
		}
		holes = append(holes, fetchHole{start: start, end: end + 1, table: -1, lit: m})
		at = end + 1
	}
	sortHoles(holes)
	// every range: its literals' texts (the same bound, printing nothing)
	// and its arguments by the template's indexes
	out = make([]NodeUnit, 0, len(ranges))
	texts := make([]string, 0, markers)
	for _, rg := range ranges {
		texts = texts[:0]
		extra, err := d.fetchLiterals(rg, &texts)
		if err != nil {
			return nil, false, err
		}
		texts = append(texts, strconv.FormatInt(rg.Rows, 10))
		if len(texts) != markers || len(extra) != len(targs) {
			return nil, false, fmt.Errorf("shardsql: deep page: a fetch bound with %d literals and %d arguments, not %d and %d", len(texts), len(extra), markers, len(targs))
		}
		n := d.nodes[rg.Node]
		var b strings.Builder
		b.Grow(len(tpl) + 32)
		prev := 0
		for _, h := range holes {
			b.WriteString(tpl[prev:h.start])
			if h.table >= 0 {
				b.WriteString(sqlparser.String(sqlparser.NewIdentifierCS(d.tables[h.table].Nodes[n].Table)))
			} else {
				b.WriteString(texts[h.lit])
			}
			prev = h.end
		}
		b.WriteString(tpl[prev:])
		var args []any
		if len(r.outIdx) > 0 {
			args = make([]any, len(r.outIdx))
			for i, a := range r.outIdx {
				if a < len(d.base.args) {
					args[i] = d.base.args[a]
				} else {
					args[i] = extra[a-len(d.base.args)]
				}
			}
		}
		node := d.tables[0].Nodes[n]
		out = append(out, NodeUnit{Unit{DataSource: node.DataSource, Node: node, SQL: b.String(), Args: args, RowBound: d.rowBound(rg.Rows)}, rg.Node})
	}
	return out, true, nil
}

// fetchLiterals binds range rg's key values as fetchSelect's bounds do —
// First's keys, then Last's, each row's from its last key to its first,
// one d.literal call per key (boundWith's order; no key is NULL here,
// fetchSpliced checked) — appending the literals' texts to texts and
// returning the arguments, without building the condition the template
// already holds (building it was half of a page's fetch statements).
// The template's check of their counts guards the order.
func (d *DeepPage) fetchLiterals(rg merge.DeepRange, texts *[]string) ([]any, error) {
	var args []any
	for _, row := range [2][]driver.Value{rg.First, rg.Last} {
		for j := len(d.keys) - 1; j >= 0; j-- {
			e, err := d.literal(d.keys[j].col, row[rg.KeyCols[j]], &args)
			if err != nil {
				return nil, err
			}
			if l, isLit := e.(*sqlparser.Literal); isLit {
				*texts = append(*texts, l.Val)
			}
		}
	}
	return args, nil
}

// sortHoles sorts a template's holes by position (a few dozen: insertion).
func sortHoles(h []fetchHole) {
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && h[j].start < h[j-1].start; j-- {
			h[j], h[j-1] = h[j-1], h[j]
		}
	}
}
