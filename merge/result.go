package merge

// Result names and types a stream's columns when they are not the node
// columns of the first units opened: an outer SELECT evaluated above a
// merged stream (Pick) renames, reorders and computes columns, so the
// caller's result takes its names from the statement and each column's
// type from the node column it carries (From) or from Types.
type Result struct {
	// Names are the result's column names, as one server names them.
	Names []string
	// From is, per column, the column of the first units' rows whose
	// type the column has (its metadata: length, precision, nullability);
	// Types overrides it where the value is computed (a COUNT is BIGINT).
	From []int
	// Types are the columns whose type differs from From's.
	Types map[int]ColumnType
}

// Result returns the stream's names and types when an operator set them
// (Pick), nil when the result's columns are those of the first units.
func (s *Stream) Result() *Result {
	if s.cols.names == nil {
		return nil
	}
	r := &Result{Names: s.cols.names, From: make([]int, len(s.cols.names)), Types: make(map[int]ColumnType)}
	for i := range s.cols.names {
		o := s.cols.origin(i)
		r.From[i] = o.from
		if o.typ != (ColumnType{}) {
			r.Types[i] = o.typ
		}
	}
	return r
}

// origin is where a column's type comes from: column from of the first
// units' rows, with typ overriding it when set.
type origin struct {
	from int
	typ  ColumnType
}

// origin returns column i's origin: the one an operator recorded, or the
// node column i itself with the merge's re-typing.
func (c *columns) origin(i int) origin {
	if c.origins != nil {
		return c.origins[i]
	}
	return origin{from: i, typ: c.merged[i]}
}
