package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJoinScopes: an equality in an outer join's ON connects only that
// join's sides; WHERE terms and inner joins' ONs connect every join.
func TestJoinScopes(t *testing.T) {
	r := joinRouter(t)
	const (
		o1 = "SELECT * FROM t_order o JOIN t_order_item i ON o.order_id = i.order_id "
		l1 = "SELECT * FROM t_order o LEFT JOIN t_order_item i ON o.order_id = i.order_id "
	)
	for _, sql := range []string{
		o1 + "LEFT JOIN t_order_item i2 ON i2.user_id = o.user_id AND i2.user_id = i.user_id",
		l1 + "LEFT JOIN t_order_item i2 ON i2.user_id = o.user_id AND i2.user_id = i.user_id",
		"SELECT * FROM t_order o LEFT JOIN (t_order_item i JOIN t_order_item i2 ON i2.order_id = i.order_id) ON i.user_id = o.user_id AND i2.user_id = o.user_id WHERE o.user_id IN (1, 2)",
		"SELECT * FROM t_order_item i2 RIGHT JOIN (t_order o JOIN t_order_item i ON o.order_id = i.order_id) ON i2.user_id = o.user_id AND i2.user_id = i.user_id",
	} {
		_, err := r.Route(sql, nil)
		require.ErrorIs(t, err, ErrUnsupported, sql)
		assert.Contains(t, err.Error(), "does not equate their sharding columns", sql)
	}
	for _, sql := range []string{
		o1 + "LEFT JOIN t_order_item i2 ON i2.user_id = o.user_id WHERE o.user_id = i.user_id",
		o1 + "JOIN t_order_item i2 ON i2.user_id = o.user_id AND i2.user_id = i.user_id",
		l1 + "JOIN t_order_item i2 ON i2.user_id = o.user_id AND i2.user_id = i.user_id",
		"SELECT * FROM t_order o LEFT JOIN t_order_item i ON o.user_id = i.user_id LEFT JOIN t_order_item i2 ON i2.user_id = i.user_id",
		"SELECT * FROM t_order o LEFT JOIN (t_order_item i JOIN t_order_item i2 ON i2.user_id = i.user_id) ON i.user_id = o.user_id",
		"SELECT * FROM t_order o, t_order_item i LEFT JOIN t_order_item i2 ON i2.user_id = i.user_id WHERE o.user_id = i.user_id",
	} {
		_, err := r.Route(sql, nil)
		require.NoError(t, err, sql)
	}
}
