package route

import (
	"fmt"
	"strconv"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/merge"
)

// Position hints (merge/deep_hints.go, docs/deep-pages.md "Round 9"): the
// router names what determines a deep page's positions on its nodes
// (HintKey) and builds phase 1 with a window per node (Phase1At).

// HintKey returns the key of the page's position hints: the topology's
// version, the nodes' phase-1 statements without their LIMIT (the table,
// the filter, the order; every node's where an IN list is trimmed per
// node) and their arguments' values with their types. Not in it: the
// offset and count, whatever spells them (literals or ? arguments, which
// the node statements carry as literals), and what the phases read (keys
// or full rows), neither of which moves a row.
func (d *DeepPage) HintKey() string {
	if len(d.phase1Nodes) == 0 {
		return ""
	}
	suffix := d.phase1Limit()
	var b strings.Builder
	b.WriteString(strconv.FormatUint(d.base.version, 10))
	for i, u := range d.phase1Nodes {
		if i > 0 && len(d.ins) == 0 {
			// the nodes' statements differ by their table alone: their
			// places in the plan (d.nodes) name them
			b.WriteString("\x00")
			b.WriteString(strconv.Itoa(d.nodes[i]))
			continue
		}
		b.WriteString("\x00")
		b.WriteString(u.DataSource)
		b.WriteString("\x00")
		b.WriteString(strings.TrimSuffix(u.SQL, suffix))
		for _, a := range u.Args {
			writeHintArg(&b, a)
		}
	}
	return b.String()
}

// writeHintArg appends an argument's type and value to a hint key: the
// driver's converted argument types (driver.Value: int64, float64, bool,
// []byte, string, time.Time) and the router's own (uint64 above 2^63)
// with strconv, text with its length first so that no value can end
// early inside another's, anything else by fmt. The key was printed with
// Fprintf("%T:%v") per argument before, a third of HintKey's time for a
// page with arguments.
func writeHintArg(b *strings.Builder, a any) {
	var buf [24]byte
	switch v := a.(type) {
	case int64:
		b.WriteString("\x00i")
		b.Write(strconv.AppendInt(buf[:0], v, 10))
	case uint64:
		b.WriteString("\x00u")
		b.Write(strconv.AppendUint(buf[:0], v, 10))
	case float64:
		b.WriteString("\x00f")
		b.Write(strconv.AppendFloat(buf[:0], v, 'g', -1, 64))
	case bool:
		b.WriteString("\x00b")
		b.WriteString(strconv.FormatBool(v))
	case string:
		b.WriteString("\x00s")
		b.Write(strconv.AppendInt(buf[:0], int64(len(v)), 10))
		b.WriteByte(':')
		b.WriteString(v)
	case []byte:
		b.WriteString("\x00x")
		b.Write(strconv.AppendInt(buf[:0], int64(len(v)), 10))
		b.WriteByte(':')
		b.Write(v)
	case nil:
		b.WriteString("\x00n")
	default:
		fmt.Fprintf(b, "\x00%T:%v", a, a)
	}
}

// phase1Limit is the LIMIT clause that ends every cold phase-1 statement.
func (d *DeepPage) phase1Limit() string {
	return " limit " + strconv.FormatInt(d.Page.NodeOffset(), 10) + ", " + strconv.FormatInt(d.Page.Window(), 10)
}

// Phase1At returns phase 1 with node i's window LIMIT windows[i].Offset,
// windows[i].Rows: each node's cold statement with its LIMIT replaced,
// joined per data source where the cold phase 1 is (union: the nodes of
// each unit, nil when the units are one per node).
//
// Hazard: the splice assumes the cold statement ends with its LIMIT (the
// printer puts LIMIT last; the deep page refuses the locking clauses
// that would follow it). A statement that does not is printed from the
// AST instead.
func (d *DeepPage) Phase1At(windows []merge.DeepWindow, full bool) (units []Unit, union [][]int, err error) {
	if len(windows) != len(d.phase1Nodes) {
		return nil, nil, fmt.Errorf("shardsql: deep page: %d windows for %d nodes", len(windows), len(d.phase1Nodes))
	}
	suffix := d.phase1Limit()
	nodes := d.phase1Nodes
	if full && d.keyNode != nil {
		// the full node statement, printed once with the cold LIMIT and
		// the nodes' tables spliced in, as phase 1's are
		sel := d.node
		sel.Limit = &sqlparser.Limit{Offset: sqlparser.NewIntLiteral(strconv.FormatInt(d.Page.NodeOffset(), 10)),
			Rowcount: sqlparser.NewIntLiteral(strconv.FormatInt(d.Page.Window(), 10))}
		nodes = d.base.renderNodes(&sel, d.tables, d.nodes, d.ins)
	}
	units = make([]Unit, len(windows))
	for i, w := range windows {
		u := nodes[i]
		limit := " limit " + strconv.FormatInt(w.Offset, 10) + ", " + strconv.FormatInt(w.Rows, 10)
		if base, ok := strings.CutSuffix(u.SQL, suffix); ok {
			u.SQL = base + limit
		} else {
			sel := d.node
			if d.keyNode != nil && !full {
				sel = *d.keyNode
			}
			sel.Limit = &sqlparser.Limit{Offset: sqlparser.NewIntLiteral(strconv.FormatInt(w.Offset, 10)),
				Rowcount: sqlparser.NewIntLiteral(strconv.FormatInt(w.Rows, 10))}
			u = d.renderWith(&sel, d.nodes[i], nil)
		}
		u.RowBound = d.rowBound(w.Rows)
		units[i] = u
	}
	if d.Phase1Union == nil || full && !d.unionRows {
		return units, nil, nil
	}
	idx := make([]int, len(units))
	for i := range idx {
		idx[i] = i
	}
	joined, tags, ok := unionUnits(units, idx)
	if !ok {
		return nil, nil, fmt.Errorf("shardsql: deep page: the hinted phase 1 cannot be joined as the cold one is")
	}
	for i := range joined {
		joined[i].RowBound = d.rowBound(int64(joined[i].RowBound))
	}
	return joined, tags, nil
}

// WithDeepHint returns a copy of a deep page's plan whose operator keeps
// the cut page's positions under key and, with windows, whose phase 1
// (its units) reads them, the plan's own phase 1 kept for a cold read
// again (merge.DeepPageScan.Cold). The plan itself is not changed. A
// plan that is not a deep page, or whose windows cannot be built, is
// returned with the key alone.
//
// Where the plan's phases read the keys only because that sends fewer
// bytes (the order starts with the primary key: full rows cost the
// servers no more reads, DeepPage.hintFull), the hinted phase 1 reads full
// rows: its windows are a few rows a node, and the fetch's round trip
// cost more than their columns (measured: docs/deep-pages.md, "Round 9").
func (p *Plan) WithDeepHint(key string, windows []merge.DeepWindow) *Plan {
	scan, ok := p.Root.(*merge.DeepPageScan)
	if p.DeepPage == nil || !ok {
		return p
	}
	np, ns := *p, *scan
	ns.HintKey = key
	np.Root = &ns
	if windows != nil {
		d := p.DeepPage
		if units, union, err := d.Phase1At(windows, d.hintFull); err == nil {
			cold := ns
			ns.Cold = &cold
			ns.Phase1, ns.Phase1Union = &merge.Route{Units: mergeUnits(units)}, union
			ns.Page.Windows = windows
			if d.hintFull {
				full := *d
				full.keyNode, full.keySpec = nil, nil
				ns.Keys, ns.Bounded = nil, deepStatements{&full}
				ns.Union = full.unionAux && full.unionRows
			}
			np.Units = units
		}
	}
	return &np
}
