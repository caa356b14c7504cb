package route

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReview18eWriteReadRefusals: writes that read other tables are
// refused naming the construct, the right written table and what to send
// instead (review18e). Before, "subquery with sharded table t_user" and
// "join with sharded table t_user" said nothing to do, the INSERT …
// SELECT refusals neither, and a WITH reading t_user before a DELETE from
// t_other called it a "DELETE from sharded table t_user".
func TestReview18eWriteReadRefusals(t *testing.T) {
	r := testRouter(t)
	for _, tc := range []struct{ sql, want, not string }{
		{sql: "DELETE FROM t_user WHERE id IN (SELECT uid FROM t_other)", want: "subquery with sharded table t_user in DELETE of t_user (shardsql does not evaluate a subquery inside a write across nodes): run the subquery as its own SELECT first and pass its values as ? arguments"},
		{sql: "UPDATE t_user SET name = 'x' WHERE id IN (SELECT uid FROM t_other)", want: "in UPDATE of t_user"},
		{sql: "UPDATE t_other SET a = (SELECT max(id) FROM t_user)", want: "subquery with sharded table t_user read by an UPDATE of another table", not: "UPDATE of t_user"},
		{sql: "DELETE FROM t_other WHERE uid IN (SELECT id FROM t_user)", want: "read by a DELETE of another table"},
		{sql: "DELETE FROM t_user WHERE id IN (SELECT 1 UNION SELECT 2)", want: "UNION over sharded table t_user in DELETE of t_user"},
		{sql: "UPDATE t_user JOIN t_other ON t_user.id = t_other.uid SET t_user.name = 'x' WHERE t_user.id = 1", want: "join with sharded table t_user in a multi-table UPDATE (shardsql does not run a join inside a write): select the rows' keys with the join as a SELECT first"},
		{sql: "DELETE t_user FROM t_user JOIN t_other ON t_user.id = t_other.uid WHERE t_user.id = 1", want: "then DELETE the rows by their keys"},
		{sql: "WITH x AS (SELECT id FROM t_user) DELETE FROM t_other WHERE uid IN (SELECT id FROM x)", want: "WITH (common table expression) reading sharded table t_user before DELETE of another table: run the WITH … SELECT as its own statement first", not: "DELETE from sharded table t_user"},
		{sql: "INSERT INTO t_user (id, name) SELECT id, name FROM t_other", want: "INSERT … SELECT into sharded table t_user: read the rows with their own SELECT first"},
		{sql: "INSERT INTO t_other (a) SELECT id FROM t_user", want: "INSERT that reads sharded table t_user: read the rows with their own SELECT first"},
		{sql: "INSERT INTO t_user (id, name) VALUES (1, (SELECT max(a) FROM t_other))", want: "subquery in INSERT into sharded table t_user: compute the value with its own SELECT first"},
	} {
		_, err := r.Route(tc.sql, nil)
		require.ErrorIs(t, err, ErrUnsupported, tc.sql)
		require.Contains(t, err.Error(), tc.want, tc.sql)
		if tc.not != "" {
			require.NotContains(t, err.Error(), tc.not, tc.sql)
		}
	}
}
