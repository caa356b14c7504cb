package route

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/evalenv"
)

// TestAttack9NegativeArgLiteral: every argument argLiteral turns into a
// literal translates for the evaluator. A negative integer was written as
// the literal "-1", on which the evaluator panics (found by
// TestAttack9PreparedTypes: HAVING n > ? with -1 crashed the process).
func TestAttack9NegativeArgLiteral(t *testing.T) {
	for _, v := range []any{int64(-1), -7, int64(math.MinInt64), int64(math.MaxInt64), 0, uint64(math.MaxUint64), -0.5, math.Copysign(0, -1), true, "x", nil} {
		lit, err := argLiteral(v)
		require.NoError(t, err)
		cond := &sqlparser.ComparisonExpr{Operator: sqlparser.GreaterThanOp, Left: sqlparser.NewIntLiteral("1"), Right: lit}
		assert.NotPanics(t, func() { _, _ = evalenv.Translate(cond) }, "%T %v", v, v)
	}
	p, err := testRouter(t).Route("SELECT status, COUNT(*) FROM t_order GROUP BY status HAVING COUNT(*) > ?", []any{int64(-1)})
	require.NoError(t, err)
	assert.NotNil(t, p)
}
