package merge

import (
	"context"
	"fmt"
	"strings"

	"vitess.io/vitess/go/sqltypes"

	"github.com/shardsql/shardsql/internal/coltype"
)

// SideCol is one column of SideColumns: column Col of the input named
// Name, or (Collation) the collation name of column Col.
type SideCol struct {
	Col       Col
	Name      string
	Collation bool
}

// SideColumns turns the merged rows of a derived table into a side of a
// join evaluated above the nodes: the columns the join reads, in the
// order of a table's statement (its columns, then the collation name of
// each column compared above the nodes), each carrying the executor's
// metadata of the node column it comes from, as a table statement's
// columns do (the join assembles the result's columns from them).
//
// A text column whose collation the merged rows do not know (an
// aggregate of text) cannot be compared exactly: asking for its
// collation is refused, as Pick refuses COLLATION() of it.
type SideColumns struct {
	Cols  []SideCol
	Input Operator
}

// Description implements Operator.
func (s *SideColumns) Description() string {
	parts := make([]string, len(s.Cols))
	for i, c := range s.Cols {
		if c.Collation {
			parts[i] = "collation of " + colName(c.Col)
			continue
		}
		parts[i] = colName(c.Col) + " as " + c.Name
	}
	return "SideColumns " + strings.Join(parts, ", ")
}

// Inputs implements Operator.
func (s *SideColumns) Inputs() []Operator { return []Operator{s.Input} }

// Open implements Operator.
func (s *SideColumns) Open(ctx context.Context, ex Executor) (*Stream, error) {
	return openPicked(ctx, ex, s.Input, s.columns)
}

func (s *SideColumns) columns(in *columns) (*columns, []int, error) {
	n := len(s.Cols)
	out := &columns{types: make([]string, n), scales: make([]int64, n), kinds: make([]coltype.Kind, n),
		sql: make([]sqltypes.Type, n), colls: make([]*textColl, n), first: n,
		colNames: make([]string, n), meta: make([]any, n)}
	idx := make([]int, n)
	var anyMeta any
	for _, m := range in.meta {
		if m != nil {
			anyMeta = m
			break
		}
	}
	for i, c := range s.Cols {
		col, err := in.at(c.Col)
		if err != nil {
			return nil, nil, err
		}
		idx[i] = col
		out.meta[i] = anyMeta
		if c.Collation {
			out.types[i], out.kinds[i], out.sql[i] = "VARCHAR", coltype.Text, sqltypes.VarChar
			out.colNames[i] = "collation"
			switch t := in.colls[col]; {
			case in.kinds[col] != coltype.Text:
				idx[i] = len(in.types) // "binary"
			case t != nil && t.from >= 0 && t.from < len(in.types):
				// (a collation column a Project dropped, as the hidden
				// one of a merged MAX(text), is not in the rows: unknown)
				idx[i] = t.from
			default:
				return nil, nil, fmt.Errorf("%w: comparing text column %d of a derived table above the join, whose collation is unknown (an aggregate of text; compare it in the derived table, or CAST it to BINARY)", ErrUnsupported, col+1)
			}
			// the columns it is the collation of
			for j := range s.Cols[:i] {
				if !s.Cols[j].Collation && s.Cols[j].Col == c.Col && in.kinds[col] == coltype.Text {
					out.colls[j] = &textColl{from: i}
				}
			}
			continue
		}
		out.types[i], out.scales[i], out.kinds[i], out.sql[i] = in.types[col], in.scales[col], in.kinds[col], in.sql[col]
		out.colNames[i] = c.Name
		o := in.origin(col)
		if o.from >= 0 && o.from < len(in.meta) && in.meta[o.from] != nil {
			out.meta[i] = in.meta[o.from]
		}
		if o.typ != (ColumnType{}) {
			// Hazard (review20c): a value the merge computes (t.a * 6 of
			// a derived table, an aggregate) has no node column of its
			// own; its metadata above is another column's (an
			// Evaluate's origin names column 0), so the join's result
			// said INT for DECIMAL values. The merge's type goes along
			// (joinedColumns, assemble) and names the result column.
			if out.merged == nil {
				out.merged = make(map[int]ColumnType)
			}
			out.merged[i] = o.typ
		}
	}
	return out, idx, nil
}
