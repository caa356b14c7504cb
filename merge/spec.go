package merge

import (
	"strconv"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Spec describes how the node results of one statement become the caller's
// result. Columns (Col) refer to the node rows, whose last Hidden columns
// are derived columns the router added (sort keys, collation names, AVG
// counts) that never reach the caller.
type Spec struct {
	// Hidden is the number of trailing derived columns.
	Hidden int
	// Sort is the order every node returns its rows in; the node streams are
	// merged in that order. Empty means concatenation.
	Sort []SortKey
	// Group folds consecutive rows with equal keys into one, with aggregates.
	// With no keys it folds every row into one (aggregates without GROUP BY).
	Group *Group
	// Project computes columns of the folded rows from their aggregates
	// and group values (expressions over aggregates), before Having and
	// MemorySort read them.
	Project []Projection
	// Having keeps only the folded rows for which it is true. It is the
	// HAVING condition with every column reference replaced by
	// evalenv.Column(n), n its offset in the folded row (hidden columns
	// included), and ? arguments by literals. It is compiled for the
	// columns' types and collations on the first folded row and evaluated
	// with MySQL's rules by Vitess's evalengine.
	Having sqlparser.Expr
	// Window computes ranking window functions over the sorted stream
	// (Sort is then the window's PARTITION BY and ORDER BY keys).
	Window *WindowSpec
	// MemorySort sorts the folded rows in memory (ORDER BY an aggregate).
	MemorySort []SortKey
	// Distinct marks a Group without aggregates that is SELECT DISTINCT.
	Distinct bool
	// Limit is the LIMIT applied to the merged rows; nil: none.
	Limit *Page
	// MaxRows bounds the rows a memory merge may hold (0: DefaultMaxRows).
	MaxRows int
	// Collations names, for text columns, the column whose value on every
	// row is the column's collation name (the node computes COLLATION(x)).
	// Text columns without an entry compare by bytes, as the binary
	// collation of the embedded shards does.
	Collations []Collated
}

// Collated says that the collation of column Col is named in column From.
type Collated struct{ Col, From Col }

// DefaultMaxRows is the default cap on rows a merge holds in memory.
const DefaultMaxRows = 1_000_000

// SortKey is one key of an ordering.
type SortKey struct {
	// Col is the node column holding the value. Text compares by the
	// column's collation (see Spec.Collations).
	Col Col
	// Desc sorts descending (NULL last), otherwise ascending (NULL first).
	Desc bool
}

// Group describes a GROUP BY fold.
type Group struct {
	// Keys are the group key columns; node rows arrive sorted by them.
	Keys []SortKey
	// Aggs are the aggregate columns; every other column keeps the value of
	// the group's first row.
	Aggs []Agg
	// Rollup adds WITH ROLLUP's super-aggregate rows; nil for none.
	Rollup *Rollup
	// MaxRows bounds the values of one group an Unsorted DISTINCT
	// aggregate holds in memory (0: DefaultMaxRows).
	MaxRows int
	// maxBytes bounds their bytes (0: DefaultMaxBytes); set at Open from
	// the context (memory_bytes.go).
	maxBytes int64
}

// AggKind is an aggregate function.
type AggKind uint8

const (
	// AggCount sums node counts (COUNT(*), COUNT(x)).
	AggCount AggKind = iota + 1
	// AggSum sums node sums; NULL if every node's sum is NULL.
	AggSum
	// AggMin keeps the smallest node minimum.
	AggMin
	// AggMax keeps the largest node maximum.
	AggMax
	// AggAvg divides the summed SUM in Col by the summed COUNT in CountCol.
	AggAvg
	// AggCountDistinct counts the distinct non-NULL values in Col. Each node
	// sends each value once per group, its rows sorted by the group keys
	// and then the value, so equal values arrive together.
	AggCountDistinct
	// AggSumDistinct sums the distinct values in Col, arriving as for
	// AggCountDistinct.
	AggSumDistinct
)

// Agg is one aggregate column.
type Agg struct {
	Kind AggKind
	// Col is the node column with the node's partial aggregate.
	Col Col
	// CountCol is the node column with COUNT for AggAvg and
	// AggAvgInternal, which refuse to open without it; nil for the others.
	CountCol *Col
	// Concat locates the columns of an AggGroupConcat.
	Concat *GroupConcat
	// Unsorted marks a DISTINCT aggregate (count, sum, avg) whose values
	// do not arrive sorted within the group: its argument is not the
	// statement's first DISTINCT argument, which the stream is sorted by.
	// The merge keeps the group's values in memory (Group.MaxRows).
	Unsorted bool

	// fixed is the declared decimals of an AVG's floating-point node SUM
	// column (set when the aggregate opens, from the node column's
	// scale; 0: the shortest form): see avgAgg.result.
	fixed int64
	// ungrouped: the aggregate folds every row into one (no GROUP BY), set
	// when it opens: see minMaxAgg.unzero.
	ungrouped bool
}

// Col is a column of the rows an operator reads. The router adds hidden
// columns after the selected ones and cannot always know where they start
// (a * in the select list expands on the nodes), so it refers to them by
// their position among the hidden columns; the operators resolve that to
// an offset once the node columns are known.
//
// Hazard: this used to be an int with hidden columns encoded as 1<<30+j;
// an explicit flag cannot be confused with an offset, and Explain prints
// either as written ("#2", "hidden#0").
type Col struct {
	// Index is the column's offset in the rows, or with Hidden its offset
	// among the hidden columns.
	Index int
	// Hidden: Index counts from the first hidden column.
	Hidden bool
}

// At refers to column i of the rows, counted from the first.
func At(i int) Col { return Col{Index: i} }

// HiddenCol refers to the j-th hidden column, wherever the hidden columns
// start in the node rows.
func HiddenCol(j int) Col { return Col{Index: j, Hidden: true} }

// String prints the column as Explain does: "#2" or "hidden#0".
func (c Col) String() string {
	if c.Hidden {
		return "hidden#" + strconv.Itoa(c.Index)
	}
	return "#" + strconv.Itoa(c.Index)
}
