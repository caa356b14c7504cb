package merge

import (
	"database/sql/driver"
	"fmt"
	"strconv"

	"github.com/shardsql/shardsql/internal/coltype"
)

// aggregator folds one aggregate's node partials within a group: reset
// starts a group, add folds one node row, result is the group's value.
// Each aggregate function is its own small type (agg_*.go), as Vitess's
// engine/aggregations.go and ShardingSphere's AggregationUnit do.
type aggregator interface {
	reset()
	add(row []driver.Value) error
	result() driver.Value
}

// newAggregator returns the aggregator of a, whose node column compares
// as kinds[a.Col.Index] says, or refuses what cannot be merged exactly;
// maxRows bounds the values an unsorted DISTINCT aggregate holds (0:
// DefaultMaxRows).
func newAggregator(a Agg, kinds []coltype.Kind, colls []*textColl, maxRows int, maxBytes int64) (aggregator, error) {
	kd := kinds[a.Col.Index]
	cmp := cmpKey{col: a.Col.Index, kind: aggCmpKind(a.Kind, kd)}
	if cmp.kind == coltype.Text {
		cmp.coll = colls[a.Col.Index]
	}
	switch a.Kind {
	case AggCount:
		return &countAgg{col: a.Col.Index}, nil
	case AggGroupConcat:
		if a.Concat == nil {
			return nil, fmt.Errorf("shardsql: merge: GROUP_CONCAT without its columns")
		}
		if a.Concat.Order != nil {
			gs, err := newGroupConcatSorted(*a.Concat, kinds, colls, maxRows, maxBytes)
			if err != nil {
				return nil, err
			}
			gs.out = colls[a.Col.Index]
			return gs, nil
		}
		g := &groupConcatAgg{gc: *a.Concat, out: colls[a.Col.Index]}
		vk := kinds[g.gc.ValueCol.Index]
		g.cmp = cmpKey{col: g.gc.ValueCol.Index, kind: aggCmpKind(a.Kind, vk)}
		if g.cmp.kind == coltype.Text {
			g.cmp.coll = colls[g.gc.ValueCol.Index]
		}
		if vk == coltype.Enum || vk == coltype.Bit || vk == coltype.Float || vk == coltype.Time || vk == coltype.Duration {
			// ENUM/SET arrive in index order; BIT, float and temporal text
			// depends on the server's formatting of the column
			return nil, fmt.Errorf("%w: GROUP_CONCAT of an ENUM, SET, BIT, floating-point or temporal column across nodes (CAST it to CHAR)", ErrUnsupported)
		}
		return g, nil
	case AggBitAnd, AggBitOr, AggBitXor:
		return &bitsAgg{col: a.Col.Index, kind: a.Kind}, nil
	case AggSum:
		return &sumAgg{col: a.Col.Index, float: kd == coltype.Float}, nil
	case AggAvg, AggAvgInternal:
		return &avgAgg{sumAgg: sumAgg{col: a.Col.Index, float: kd == coltype.Float}, countCol: a.CountCol.Index, internal: a.Kind == AggAvgInternal, fixed: a.fixed}, nil
	case AggMin, AggMax:
		if kd == coltype.Bit {
			// MariaDB sends MIN/MAX of a BIT column as decimal text or as
			// the column's bytes, depending on the plan: a value such as
			// "7" is both 7 and 55.
			return nil, fmt.Errorf("%w: MIN/MAX of a BIT column across nodes (the servers send it as text or as bytes depending on the plan; use MAX(col+0))", ErrUnsupported)
		}
		return &minMaxAgg{cmp: cmp, max: a.Kind == AggMax, unzero: a.ungrouped && kd == coltype.Decimal}, nil
	case AggCountDistinct, AggSumDistinct, AggAvgDistinct:
		if kd == coltype.Enum {
			return nil, fmt.Errorf("%w: COUNT/SUM(DISTINCT) of an ENUM or SET column across nodes (nodes send the values in index order; use COUNT(DISTINCT CAST(col AS CHAR)))", ErrUnsupported)
		}
		if kd == coltype.Float && a.Kind != AggCountDistinct {
			// Each node's distinct values are summed in another order
			// than one server sums them: the last digits differ.
			return nil, fmt.Errorf("%w: SUM/AVG(DISTINCT) of a floating-point expression across nodes (its last digits depend on the order of the additions; cast it to DECIMAL)", ErrUnsupported)
		}
		if a.Kind != AggCountDistinct && kd != coltype.Int && kd != coltype.Uint && kd != coltype.Decimal {
			// MySQL sums text, temporal and BIT values as numbers of its own choosing
			return nil, fmt.Errorf("%w: SUM/AVG(DISTINCT) of a non-numeric column across nodes (cast it to DECIMAL)", ErrUnsupported)
		}
		d := &distinctAgg{cmp: cmp, avg: a.Kind == AggAvgDistinct}
		if a.Kind != AggCountDistinct {
			d.sum = &sumAgg{col: a.Col.Index}
		}
		if a.Unsorted {
			if maxRows <= 0 {
				maxRows = DefaultMaxRows
			}
			return &distinctSetAgg{sorted: *d, maxRows: maxRows, bytes: byteCount{max: maxBytes}}, nil
		}
		return d, nil
	}
	return nil, fmt.Errorf("shardsql: merge: unknown aggregate kind %d", a.Kind)
}

// aggCmpKind is how the values of an aggregate's node column compare:
// MIN/MAX of an ENUM or SET compare (and arrive) as text.
func aggCmpKind(agg AggKind, kd coltype.Kind) coltype.Kind {
	if kd == coltype.Enum {
		return coltype.Text
	}
	return kd
}

// decodeAgg reads an aggregate's node value for comparison, learning its
// collation from the first row that names it.
func decodeAgg(cmp *cmpKey, row []driver.Value, k *key) error {
	if cmp.coll != nil && !cmp.coll.learned {
		if err := cmp.coll.learn(row); err != nil {
			return err
		}
	}
	return decode(cmp.kind, row[cmp.col], k)
}

func toInt(v driver.Value) (int64, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case int64:
		return x, nil
	case uint64:
		return int64(x), nil
	case []byte:
		n, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("shardsql: merge: bad count %q: %w", x, err)
		}
		return n, nil
	}
	return 0, fmt.Errorf("shardsql: merge: unexpected %T count", v)
}
