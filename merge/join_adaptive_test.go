package merge

import (
	"context"
	"database/sql/driver"
	"testing"

	"github.com/stretchr/testify/require"
	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/evalenv"
)

// adaptiveJoin is the fixture's join as the router plans a sharded inner
// side: a HashJoin whose Fallback is the same join as lookups. The
// executor answers the build side's "inner" statement with every inner
// row (pending holds every key).
func adaptiveJoin(ex *joinExecutor, kind JoinKind, batch, maxRows int) *HashJoin {
	outer := &Route{Units: []Unit{{SQL: "outer"}}, Collations: []Collated{{Col: At(1), From: At(2)}}}
	nl := &NestedLoopJoin{Kind: kind, Keys: JoinKeys{OuterKey: 1, InnerKey: 0}, Batch: batch, MaxRows: maxRows, Outer: outer, Inner: ex.innerFor}
	return &HashJoin{Kind: kind, Keys: nl.Keys, BuildName: "i", MaxRows: maxRows, Outer: outer, Fallback: nl,
		Inner: &Route{Units: []Unit{{SQL: "inner"}}, Collations: []Collated{{Col: At(0), From: At(2)}}}}
}

// TestHashJoinAdaptive: the adaptive join runs one lookup for an outer
// side of at most one batch, a hash join when the build side fits, and
// the lookups (starting with the outer rows already read, none returned
// twice) when it passes the cap — the same rows each way.
func TestHashJoinAdaptive(t *testing.T) {
	want := map[JoinKind]int{JoinInner: 5, JoinLeft: 6, JoinSemi: 3, JoinAnti: 1}
	for kind, n := range want {
		// one batch of 5 holds the 4 outer rows: one lookup (a batch of
		// exactly 4 would not know the outer side ended)
		ex := joinFixture()
		rows, _ := openAll(t, adaptiveJoin(ex, kind, 5, 0), ex)
		require.Len(t, rows, n, joinKindNames[kind])
		require.Len(t, ex.lookups, 1, "one lookup")

		// batches of 2: a hash join, no lookup
		ex = joinFixture()
		ex.pending = []driver.Value{bs("a"), bs("b"), bs("c")}
		rows, _ = openAll(t, adaptiveJoin(ex, kind, 2, 0), ex)
		require.Len(t, rows, n, joinKindNames[kind])
		require.Empty(t, ex.lookups, "hash join")

		// a cap of 3 rows below the build side's 4 keyed rows: lookups,
		// 2 batches of 2 outer rows (the first read before the build)
		ex = joinFixture()
		ex.pending = []driver.Value{bs("a"), bs("b"), bs("c")}
		rows, _ = openAll(t, adaptiveJoin(ex, kind, 2, 3), ex)
		require.Len(t, rows, n, joinKindNames[kind])
		require.Len(t, ex.lookups, 2, "fallback")
	}
	h := adaptiveJoin(joinFixture(), JoinInner, 2, 3)
	require.Contains(t, h.Description(), "HashJoin build i (at most 3 rows, each node read to 4; NestedLoopJoin batch 2 when the outer side has at most 2 rows or the build side more than 3)")
}

// TestHashJoinKeyless: a join without a key pairs every outer row with
// every inner row and keeps the pairs its condition accepts (NULL keys
// included: there is no key), or all of them without a condition.
func TestHashJoinKeyless(t *testing.T) {
	ex := joinFixture()
	ex.pending = []driver.Value{bs("a"), bs("b"), bs("c")}
	inner := &Route{Units: []Unit{{SQL: "inner"}}, Collations: []Collated{{Col: At(0), From: At(2)}}}
	outer := &Route{Units: []Unit{{SQL: "outer"}}, Collations: []Collated{{Col: At(1), From: At(2)}}}
	h := &HashJoin{Kind: JoinInner, Keys: JoinKeys{None: true}, BuildName: "i", Outer: outer, Inner: inner}
	rows, _ := openAll(t, h, ex)
	require.Len(t, rows, 4*4, "every pair of 4 outer and the 4 rows with a listed key")
	require.Contains(t, h.Description(), "inner, every pair (no condition)")

	// outer id < inner v - 10, v of 10, 11, 12, 14: id 1 matches 12 and
	// 14, ids 2 and 3 match 14, id 4 nothing
	on := &sqlparser.ComparisonExpr{Operator: sqlparser.LessThanOp, Left: evalenv.Column(0),
		Right: &sqlparser.BinaryExpr{Operator: sqlparser.MinusOp, Left: evalenv.Column(4), Right: sqlparser.NewIntLiteral("10")}}
	for kind, n := range map[JoinKind]int{JoinInner: 4, JoinLeft: 5, JoinSemi: 3, JoinAnti: 1} {
		ex = joinFixture()
		ex.pending = []driver.Value{bs("a"), bs("b"), bs("c")}
		h = &HashJoin{Kind: kind, Keys: JoinKeys{None: true}, On: on, BuildName: "i", Outer: outer, Inner: inner}
		rows, _ = openAll(t, h, ex)
		require.Len(t, rows, n, joinKindNames[kind])
	}
	h.MaxRows = 2
	ex = joinFixture()
	ex.pending = []driver.Value{bs("a"), bs("b"), bs("c")}
	_, err := h.Open(context.Background(), ex)
	require.ErrorIs(t, err, ErrTooLarge)
}
