package route

import (
	"vitess.io/vitess/go/vt/sqlparser"
)

// unionSameWidth reports, per column of union n, whether every SELECT's
// column is a column of a sharded table whose catalog COLUMN_TYPE is the
// same (bit(8), binary(4), …), or NULL: the merge answers a BIT or BINARY
// union column only then (merge.Union.SameWidth; union22: MariaDB pads
// each value to the widest part's width, BIT(8) b'1' to 0x0001 in a union
// with a BIT(16), and dedupes them as equal).
func (s *statement) unionSameWidth(n *sqlparser.Union) []bool {
	leaves := unionLeaves(n)
	if len(leaves) == 0 {
		return nil
	}
	width := len(leaves[0].GetColumns())
	out := make([]bool, width)
	for c := 0; c < width; c++ {
		seen, same := "", true
		for _, sel := range leaves {
			items := sel.GetColumns()
			if c >= len(items) {
				same = false
				break
			}
			ae, ok := items[c].(*sqlparser.AliasedExpr)
			if !ok {
				same = false
				break
			}
			e := minMaxArg(ae.Expr)
			if _, isNull := e.(*sqlparser.NullVal); isNull {
				continue
			}
			col, isCol := e.(*sqlparser.ColName)
			var typ string
			if isCol {
				if cc := s.catalogColumn(sel, col); cc != nil {
					typ = cc.ColumnType
				}
			}
			if typ == "" || seen != "" && seen != typ {
				same = false
				break
			}
			seen = typ
		}
		out[c] = same
	}
	return out
}
