package route

import (
	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/merge"
)

// A join without an equality of the two sides (`ON o.amount > l.qty`,
// `ON o.created BETWEEN s.a AND s.b`, an OR of conditions, a cross join
// `FROM a, b` without any condition) cannot look the inner rows up by
// key: every inner row is a candidate of every outer row. The inner
// table is read once, whole (at most WithMaxMemoryRows rows; each node
// statement of a sharded table limited to one row more, so that a large
// table is not read to its end before the join fails), and the
// condition is evaluated for each pair by evalengine with the columns'
// types and collations (merge.JoinKeys.None). Past the cap the
// statement fails with ErrTooLarge naming HashJoin and the option: there
// are no lookups to fall back to.

// keyless marks join i (which has no equality with an earlier table) as
// keyless. For an inner join, the WHERE terms (and inner joins' ON
// terms) over table i and earlier tables become its match condition, so
// that the pairs are filtered as they are formed rather than above a
// cross product: a join never changes the columns of the tables before
// it, so a term over them selects the same rows wherever it is
// evaluated after they are all joined.
func (j *crossJoin) keyless(i int) error {
	j.keys[i] = [2]colAt{{table: -1}, {table: -1}}
	if j.tables[i].kind != merge.JoinInner {
		return nil
	}
	var rest []sqlparser.Expr
	for _, term := range j.where {
		set, err := j.tablesOf(term)
		if err != nil {
			return err
		}
		if set&(1<<i) != 0 && set&^(1<<(i+1)-1) == 0 {
			j.on[i] = append(j.on[i], term)
			continue
		}
		rest = append(rest, term)
	}
	j.where = rest
	return nil
}

// thetaJoin is join i without a key: a HashJoin reading table i whole,
// and the units to prepare (the inner table's, opened first).
func (j *crossJoin) thetaJoin(i int, outer merge.Operator, on sqlparser.Expr, colls map[int]string) (merge.Operator, []Unit, error) {
	t := j.tables[i]
	limit := 0
	if t.ref.sharded != nil {
		limit = j.maxRows() + 1
	}
	whole, err := j.side(i, nil, false, limit)
	if err != nil {
		return nil, nil, err
	}
	hj := &merge.HashJoin{Kind: t.kind, Keys: merge.JoinKeys{None: true}, On: on, Outer: outer, Inner: whole.Tree(),
		BuildName: t.ref.qualifier(), MaxRows: j.s.maxRows, InnerCollations: colls}
	return hj, whole.Units, nil
}
