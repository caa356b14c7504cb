package driver_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// unionQueries are UNIONs the planner accepts, compared with the oracle.
func unionQueries() []diffQuery {
	return []diffQuery{
		// UNION ALL across nodes and tables: concatenation
		unordered("SELECT order_id, user_id FROM t_order WHERE qty = 3 UNION ALL SELECT item_id, user_id FROM t_order_item WHERE qty = 2"),
		unordered("SELECT user_id FROM t_order UNION ALL SELECT user_id FROM t_order"),
		unordered("SELECT order_id FROM t_order WHERE user_id = 7 UNION ALL SELECT k FROM t_range"),
		unordered("SELECT order_id, amount FROM t_order WHERE amount > 400 UNION ALL SELECT order_id, amount FROM t_order WHERE amount < -400"),
		// UNION: duplicates removed across parts and nodes
		unordered("SELECT user_id FROM t_order UNION SELECT user_id FROM t_order_item"),
		unordered("SELECT user_id, qty FROM t_order UNION SELECT user_id, qty FROM t_order_item"),
		unordered("SELECT qty FROM t_order UNION SELECT qty FROM t_order UNION ALL SELECT qty FROM t_order_item WHERE qty = 1"),
		unordered("SELECT qty FROM t_order UNION ALL SELECT qty FROM t_order_item UNION SELECT qty FROM t_order"),
		unordered("SELECT DATE(created) FROM t_order WHERE user_id < 5 UNION SELECT DATE(created) FROM t_order WHERE user_id > 55"),
		// ORDER BY / LIMIT on the union, parts with their own
		ordered("SELECT order_id FROM t_order WHERE qty = 3 UNION ALL SELECT item_id FROM t_order_item WHERE qty = 2 ORDER BY 1"),
		ordered("SELECT order_id AS id, user_id FROM t_order WHERE qty = 3 UNION SELECT item_id, user_id FROM t_order_item ORDER BY id DESC LIMIT 25"),
		ordered("(SELECT order_id FROM t_order ORDER BY order_id DESC LIMIT 3) UNION ALL (SELECT item_id FROM t_order_item ORDER BY item_id LIMIT 4) ORDER BY 1"),
		unordered("(SELECT user_id, COUNT(*) FROM t_order GROUP BY user_id ORDER BY COUNT(*) DESC, user_id LIMIT 3) UNION ALL (SELECT user_id, COUNT(*) FROM t_order_item GROUP BY user_id ORDER BY user_id LIMIT 3)"),
		// one data source: pushed down whole, text compared by the server
		unordered("SELECT status FROM t_order WHERE user_id = 7 UNION SELECT status FROM t_order WHERE user_id = 7"),
		ordered("SELECT status, order_id FROM t_order WHERE user_id = 9 UNION ALL SELECT sku, item_id FROM t_order_item WHERE user_id = 9 ORDER BY 2, 1"),
		unordered("SELECT status FROM t_order WHERE user_id = 3 UNION SELECT sku FROM t_merchant"),
		// text across data sources, UNION ALL without ORDER BY
		unordered("SELECT status FROM t_order WHERE qty = 4 UNION ALL SELECT sku FROM t_order_item WHERE qty = 4"),
		unordered("SELECT status, note FROM t_order UNION ALL SELECT merchant, sku FROM t_merchant"),
	}
}

// unionQueriesMariaDB are UNIONs the embedded oracle gets wrong (it skips
// no rows for a union's OFFSET) or cannot run (? in a union's LIMIT).
func unionQueriesMariaDB() []diffQuery {
	return []diffQuery{
		ordered("SELECT user_id FROM t_order UNION SELECT user_id FROM t_order_item ORDER BY user_id LIMIT 5, 10"),
		ordered("(SELECT order_id, amount FROM t_order ORDER BY amount, order_id LIMIT 5) UNION ALL (SELECT order_id, amount FROM t_order ORDER BY amount DESC, order_id LIMIT 5) ORDER BY 2, 1 LIMIT ?", 7),
	}
}

func TestUnionDifferential(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			env := newDiffEnv(t, b)
			qs := unionQueries()
			if env.mariadb {
				qs = append(qs, unionQueriesMariaDB()...)
			}
			for i, q := range qs {
				env.check(t, q, fmt.Sprintf("union %d", i))
			}
			t.Run("in a transaction", func(t *testing.T) {
				// one connection per data source: the parts are read whole
				q := unordered("SELECT order_id, user_id FROM t_order WHERE qty = 3 UNION ALL SELECT item_id, user_id FROM t_order_item WHERE qty = 2 UNION ALL SELECT order_id, user_id FROM t_order WHERE user_id = 7")
				want, err := runDiffQuery(env.oracle, q.sql)
				require.NoError(t, err)
				tx, err := env.sharded.Begin()
				require.NoError(t, err)
				defer func() { _ = tx.Rollback() }()
				rows, err := tx.Query(q.sql)
				require.NoError(t, err)
				got, err := scanDiffRows(rows)
				require.NoError(t, err)
				assert.Empty(t, env.compareResults(q, want, got))
				require.NoError(t, tx.Commit())
			})
			t.Run("refused", func(t *testing.T) {
				refused := []string{
					// MySQL converts 1 to 1.00 in a DECIMAL(10,2) union column
					"SELECT qty FROM t_order WHERE qty = 1 UNION ALL SELECT amount FROM t_order WHERE amount > 0",
					"SELECT order_id FROM t_order UNION SELECT order_id FROM t_order ORDER BY order_id + 1",
				}
				if env.mariadb {
					// utf8mb4_general_ci: 'Paid' and 'paid' are one row
					refused = append(refused, "SELECT status FROM t_order UNION SELECT sku FROM t_order_item",
						"SELECT status FROM t_order UNION ALL SELECT sku FROM t_order_item ORDER BY 1")
				}
				for _, q := range refused {
					_, err := runDiffQuery(env.sharded, q)
					require.Error(t, err, q)
					assert.True(t, errors.Is(err, driver.ErrUnsupported), "%s: %v", q, err)
					assert.True(t, strings.HasPrefix(err.Error(), "shardsql: unsupported: "), err.Error())
				}
			})
			t.Run("explain", func(t *testing.T) {
				p, err := driver.Explain(context.Background(), env.sharded, "SELECT user_id FROM t_order UNION SELECT user_id FROM t_order_item ORDER BY 1 LIMIT 3")
				require.NoError(t, err)
				s := p.String()
				assert.Contains(t, s, "\n  Limit 3\n    MemorySort by #0")
				assert.Contains(t, s, "Union distinct of 2 inputs")
				assert.Len(t, p.Units, 16)
			})
		})
	}
}
