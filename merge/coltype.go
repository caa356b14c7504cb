package merge

// ColumnType is how a merged column's type differs from the node
// column's: the nodes send partial aggregates (COUNT(DISTINCT x) arrives
// as x, AVG as SUM), while the caller must see the type one server
// reports for the aggregate.
type ColumnType struct {
	// Name replaces the node column's database type name when not "".
	Name string
	// NotNull: the merged value is never NULL (counts).
	NotNull bool
	// Nullable: the value may be NULL although the node column is NOT
	// NULL: a column of a LEFT JOIN's inner side, NULL where no inner row
	// matched (review18c).
	Nullable bool
	// Avg marks an AVG merged from a node SUM of precision p and scale s:
	// MySQL reports DECIMAL(p-18, s+4) (AVG adds 4 digits of scale to the
	// argument's (p-22, s); SUM adds 22 digits of precision to it).
	Avg bool
	// Precision, when not 0, replaces a DECIMAL node column's precision:
	// a union's column, as wide as its widest part's (union22).
	Precision int64
}

// ColumnTypes returns the visible columns whose type the merge changes.
func (s Spec) ColumnTypes() map[int]ColumnType {
	if s.Group == nil {
		return nil
	}
	out := make(map[int]ColumnType)
	for _, a := range s.Group.Aggs {
		if a.Col.Hidden {
			continue
		}
		switch a.Kind {
		case AggCount, AggCountDistinct:
			out[a.Col.Index] = ColumnType{Name: "BIGINT", NotNull: true}
		case AggAvg:
			out[a.Col.Index] = ColumnType{Avg: true}
		case AggAvgDistinct, AggSumDistinct:
			// the nodes send the argument itself (an integer, say); SUM
			// and AVG of integers or decimals are DECIMAL (floats refused)
			out[a.Col.Index] = ColumnType{Name: "DECIMAL"}
		}
		// MIN/MAX keep the node column's type: MariaDB reports MIN/MAX of
		// an ENUM as ENUM in a grouped query and VARCHAR in a global one,
		// and the node statement has the caller's shape.
	}
	return out
}
