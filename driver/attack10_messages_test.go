package driver_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestAttack10RefusalMessages: refusals say what decides them. With the
// catalog loaded, COUNT(DISTINCT e) and GROUP_CONCAT(DISTINCT e ORDER BY
// e) over an ENUM were refused "without the schema catalog" (round 9's
// left item); `SELECT @m := MAX(n)` named the evaluator, not the
// assignment.
func TestAttack10RefusalMessages(t *testing.T) {
	env := newAttackEnv(t, "attack10_messages")
	for _, c := range []struct{ q, want string }{
		{"SELECT COUNT(DISTINCT e) FROM t_kind", "inside aggregates"},
		{"SELECT GROUP_CONCAT(DISTINCT e ORDER BY e) FROM t_kind", "inside aggregates"},
		{"SELECT n, COUNT(DISTINCT st) FROM t_kind GROUP BY n", "inside aggregates"},
		{"SELECT @m := MAX(n) FROM t_kind", "assigning a user variable"},
	} {
		rows, err := env.sharded.Query(c.q)
		if err == nil {
			for rows.Next() {
			}
			err = rows.Err()
			_ = rows.Close()
		}
		require.Error(t, err, c.q)
		assert.True(t, errors.Is(err, driver.ErrUnsupported), "%s: %v", c.q, err)
		assert.True(t, strings.Contains(err.Error(), c.want), "%s: %v", c.q, err)
		assert.False(t, strings.Contains(err.Error(), "without the schema catalog"), "%s: %v", c.q, err)
	}
}
