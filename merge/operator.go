package merge

import (
	"context"
	"fmt"

	"vitess.io/vitess/go/sqltypes"

	"github.com/shardsql/shardsql/internal/coltype"
)

// Operator is one node of a plan's operator tree: a route leaf that runs
// node statements, or an operator that combines the rows of its inputs.
// Operators are plain data built by the router; Open turns one into a row
// stream, opening its inputs first.
type Operator interface {
	// Description is the operator's one line in Explain output.
	Description() string
	// Inputs are the operators whose rows this one reads, in order.
	Inputs() []Operator
	// Open starts the operator: route leaves run their units through ex.
	Open(ctx context.Context, ex Executor) (*Stream, error)
}

// Unit is one node statement of a route leaf.
type Unit struct {
	// DataSource is the name of the data source the statement runs on.
	DataSource string
	// Target names where it runs for messages and Explain: the physical
	// table ("ds0.t_order_1") or the data source.
	Target string
	// SQL is the statement text, with ? placeholders.
	SQL string
	// Args are the values for SQL's placeholders, in order.
	Args []any
	// RowBound, when not 0, is how many rows the statement returns at
	// most, proven by its text (every branch has a constant LIMIT, a
	// count is one row): an executor may read such a unit whole before
	// the caller reads it. 0: unknown. The deep page's statement builders
	// set it (route.DeepPage); a bound is a proof, not an estimate (a
	// phase 2's LIMIT is usually far above what it returns).
	RowBound int
}

// Executor runs node statements for the operators of a tree. It is passed
// at Open, so an operator may run statements it builds during execution
// (a second phase of a deep page, the inner side of a join) as well as the
// units the router fixed.
type Executor interface {
	// Query starts units and returns their rows, one cursor per unit in
	// unit order, and their columns (every unit has the same columns).
	// interleaved says the caller reads the cursors at the same time
	// rather than one after another, so an executor running them on one
	// connection per data source must buffer.
	Query(ctx context.Context, units []Unit, interleaved bool) ([]Cursor, []Column, error)
}

// Column describes a column of node rows.
type Column struct {
	// Type is the database type name, as sql.ColumnType.DatabaseTypeName
	// reports it ("BIGINT", "UNSIGNED INT", "VARCHAR"); it decides how
	// values compare.
	Type string
	// Scale is the number of digits after the point of a DECIMAL column,
	// or of the fractional seconds of a TIME, DATETIME or TIMESTAMP one,
	// or the fixed decimals a server writes a FLOAT or DOUBLE with (0 for
	// other types, and floats written in their shortest form).
	Scale int64
	// Name is the column's name in the node result, and Meta what the
	// executor knows of it (the driver's *sql.ColumnType); an operator
	// whose rows take columns from several statements (a join) reports
	// them as its result's columns (Stream.Columns).
	Name string
	Meta any
}

// Stream is an opened operator: its rows and what the operators above
// need to know about its columns.
type Stream struct {
	Cursor
	cols *columns
}

// Width is the number of columns of the stream's rows.
func (s *Stream) Width() int { return len(s.cols.types) }

// ColumnTypes returns the columns whose type the merge changed from the
// node column's (aggregates merged from partial results); nil for most.
func (s *Stream) ColumnTypes() map[int]ColumnType { return s.cols.merged }

// Columns returns the result's columns (name, type and the executor's
// Meta of each) when an operator assembled them from several statements'
// columns (a join); nil when they are those of the first statement the
// tree ran, as for a scatter or a UNION.
func (s *Stream) Columns() []Column {
	if !s.cols.assembled {
		return nil
	}
	out := make([]Column, len(s.cols.types))
	for i := range out {
		out[i] = Column{Type: s.cols.types[i], Scale: s.cols.scales[i], Name: s.cols.colNames[i], Meta: s.cols.meta[i]}
	}
	return out
}

// columns describes the columns of a stream's rows.
type columns struct {
	types  []string        // database type names of the node columns
	scales []int64         // decimal scales of the node columns
	kinds  []coltype.Kind  // how each column compares
	sql    []sqltypes.Type // each column's SQL type, for evalengine
	colls  []*textColl     // each text column's collation tracker, or nil
	first  int             // the first hidden column (see Col)
	merged map[int]ColumnType
	// quotients are the folded columns holding an AVG's quotient with
	// MySQL's internal digits (AggAvgInternal), for the evaluators above.
	quotients map[int]bool
	// avgs are the folded columns holding an AVG of DECIMAL values rounded
	// to its declared decimals (AggAvg), which a condition above compares
	// (a HAVING through a select alias, an outer WHERE on a grouped
	// derived table's column) where MariaDB compares the AVG itself
	// (evaluate_avg_round.go: checkCompared).
	avgs map[int]bool
	// uncollated: text columns have no known collation (a union's rows
	// from several data sources), so ordering or comparing them is refused
	// rather than done by bytes.
	uncollated bool
	// origins and names are set above a merged stream (Extend, Pick):
	// where each column's type comes from, and the result's names; nil
	// for the node columns themselves.
	origins []origin
	names   []string
	// colNames and meta are the node columns' names and executor metadata
	// (Column.Name, Column.Meta); assembled says the result's columns are
	// these rather than the first statement's (see Stream.Columns), as a
	// join's are (JoinPick).
	colNames  []string
	meta      []any
	assembled bool
}

func newColumns(nodeCols []Column, hidden int, collated []Collated) (*columns, error) {
	width := len(nodeCols)
	types, scales := make([]string, width), make([]int64, width)
	names, meta := make([]string, width), make([]any, width)
	for i, c := range nodeCols {
		types[i], scales[i], names[i], meta[i] = c.Type, c.Scale, c.Name, c.Meta
	}
	if hidden < 0 || hidden > width {
		return nil, fmt.Errorf("shardsql: merge: %d hidden columns in a %d-column result", hidden, width)
	}
	c := &columns{types: types, scales: scales, colNames: names, meta: meta, kinds: make([]coltype.Kind, width), sql: make([]sqltypes.Type, width), first: width - hidden}
	for i, t := range types {
		c.kinds[i], c.sql[i] = coltype.Of(t), sqlType(t)
	}
	resolved := make([]Collated, len(collated))
	for i, cl := range collated {
		col, err := c.abs(cl.Col)
		if err != nil {
			return nil, err
		}
		from, err := c.abs(cl.From)
		if err != nil {
			return nil, err
		}
		resolved[i] = Collated{Col: col, From: from}
	}
	c.colls = textColls(Spec{Collations: resolved}, width)
	return c, nil
}

// clone copies what an operator may change.
func (c *columns) clone() *columns {
	out := *c
	out.kinds = append([]coltype.Kind(nil), c.kinds...)
	out.sql = append([]sqltypes.Type(nil), c.sql...)
	return &out
}

// at resolves a column reference of the plan (hidden ones included) to
// an index into the rows, checking its range.
func (c *columns) at(col Col) (int, error) {
	i := col.Index
	if col.Hidden {
		i += c.first
	}
	if col.Index < 0 || i >= len(c.types) {
		return 0, fmt.Errorf("shardsql: merge: column %s out of range for a %d-column result", col, len(c.types))
	}
	return i, nil
}

// abs is at as a Col: the column counted from the first of the rows.
func (c *columns) abs(col Col) (Col, error) {
	i, err := c.at(col)
	return At(i), err
}

// absRequired is abs for an optional column that what needs.
func (c *columns) absRequired(col *Col, what string) (*Col, error) {
	if col == nil {
		return nil, fmt.Errorf("shardsql: merge: %s without its column", what)
	}
	a, err := c.abs(*col)
	return &a, err
}

// keys resolves sort keys and compiles them for the columns' kinds.
func (c *columns) keys(keys []SortKey) ([]cmpKey, error) {
	out, err := c.sortKeys(keys)
	if err != nil {
		return nil, err
	}
	for _, k := range out {
		if c.sql[k.Col.Index] == sqltypes.Float32 {
			// Hazard (round 16): the servers send a FLOAT as text of six
			// significant digits, which ties values that differ (the
			// router compares catalog FLOAT columns by a hidden col+0)
			return nil, fmt.Errorf("%w: ordering, grouping or DISTINCT over FLOAT column %d across nodes (the servers send its values as text of six digits, which ties values that differ; select col+0, a DOUBLE, and compare that)", ErrUnsupported, k.Col.Index+1)
		}
		if c.uncollated && c.kinds[k.Col.Index] == coltype.Text && c.colls[k.Col.Index] == nil {
			return nil, fmt.Errorf("%w: comparing text column %d of a UNION across data sources (its collation is unknown above the nodes; use UNION ALL without ORDER BY on text, or CAST the column to BINARY)", ErrUnsupported, k.Col.Index+1)
		}
	}
	return resolve(out, c.kinds, c.colls)
}

func (c *columns) sortKeys(keys []SortKey) ([]SortKey, error) {
	out := make([]SortKey, len(keys))
	for i, k := range keys {
		col, err := c.abs(k.Col)
		if err != nil {
			return nil, err
		}
		out[i] = SortKey{Col: col, Desc: k.Desc}
	}
	return out, nil
}

// openInput opens an operator's single input.
func openInput(ctx context.Context, ex Executor, in Operator) (*Stream, error) {
	if in == nil {
		return nil, fmt.Errorf("shardsql: merge: operator without input")
	}
	return in.Open(ctx, ex)
}
