package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// w18Env is an oracle (one table) and shardsql (the table hashed by id
// over four nodes on two servers) with the same rows: 40 rows, k = id % 5,
// so `k < 2` matches 16 rows spread over the nodes.
type w18Env struct {
	oracle, sharded *sql.DB
	dsns            []string
}

func newW18Env(t *testing.T, name string) *w18Env {
	dsns := sharedDSNs(t, name)
	oracle := openPlain(t, sharedDSNs(t, name+"_oracle")[0])
	topo := shard.NewTopology()
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "w18", Column: "id", Nodes: "ds${0..1}.w18_${0..1}", Algorithm: shard.Hash()}))
	e := &w18Env{oracle: oracle, sharded: openDB(t, topo), dsns: dsns}
	for _, db := range e.dbs() {
		for _, q := range []string{"DROP TABLE IF EXISTS w18", "CREATE TABLE w18 (id INT NOT NULL PRIMARY KEY, k INT NOT NULL, v VARCHAR(10) NOT NULL DEFAULT '') ENGINE=InnoDB"} {
			_, err := db.Exec(q)
			require.NoError(t, err, q)
		}
	}
	e.reset(t)
	return e
}

func (e *w18Env) dbs() []*sql.DB { return []*sql.DB{e.oracle, e.sharded} }

// reset gives both sides the 40 rows again.
func (e *w18Env) reset(t *testing.T) {
	t.Helper()
	var vals []string
	for id := 1; id <= 40; id++ {
		vals = append(vals, fmt.Sprintf("(%d, %d)", id, id%5))
	}
	for _, db := range e.dbs() {
		_, err := db.Exec("UPDATE w18 SET v = ''") // disarms TestWrites18DeleteLimitNodeFails's trigger
		require.NoError(t, err)
		_, err = db.Exec("DELETE FROM w18")
		require.NoError(t, err)
		_, err = db.Exec("INSERT INTO w18 (id, k) VALUES " + strings.Join(vals, ", "))
		require.NoError(t, err)
	}
}

// counts are the rows matching `k < 2` and all rows, as q reads them.
func w18Counts(t *testing.T, q interface {
	QueryRow(string, ...any) *sql.Row
}) (matching, all int) {
	t.Helper()
	require.NoError(t, q.QueryRow("SELECT (SELECT COUNT(*) FROM w18 WHERE k < 2), (SELECT COUNT(*) FROM w18)").Scan(&matching, &all))
	return matching, all
}

// TestWrites18DeleteLimit runs DELETE … LIMIT across nodes on the oracle
// and on shardsql: the same RowsAffected (min(n, matching)) and the same
// number of matching and of all rows left; which rows go is unspecified.
// Before writes18 every one was refused.
func TestWrites18DeleteLimit(t *testing.T) {
	e := newW18Env(t, "writes18_dl")
	cases := []struct {
		sql  string
		args []any
		want int64 // rows deleted
		// anyRows: the statement may delete any rows, so how many of
		// those matching k < 2 are left is not determined.
		anyRows bool
	}{
		{sql: "DELETE FROM w18 WHERE k < 2 LIMIT 0", want: 0},
		{sql: "DELETE FROM w18 WHERE k < 2 LIMIT ?", args: []any{0}, want: 0},
		{sql: "DELETE FROM w18 WHERE k < 2 LIMIT 1", want: 1},
		{sql: "DELETE FROM w18 WHERE k < 2 LIMIT ?", args: []any{int64(2)}, want: 2}, // inside one node's share
		{sql: "DELETE FROM w18 WHERE k < 2 LIMIT 7", want: 7},                        // spans nodes
		{sql: "DELETE FROM w18 WHERE k < ? LIMIT ?", args: []any{2, uint64(11)}, want: 11},
		{sql: "DELETE FROM w18 WHERE k < 2 LIMIT 16", want: 16}, // exactly the matches
		{sql: "DELETE FROM w18 WHERE k < 2 LIMIT 100", want: 16},
		{sql: "DELETE FROM w18 WHERE k < 2 LIMIT ?", args: []any{1000}, want: 16},
		{sql: "DELETE FROM w18 WHERE k < 2 LIMIT 18446744073709551615", want: 16},
		{sql: "DELETE FROM w18 WHERE k = 99 LIMIT 5", want: 0},
		{sql: "DELETE FROM w18 LIMIT 25", want: 25, anyRows: true},
		// IN on the sharding column: each node its own values and args
		{sql: "DELETE FROM w18 WHERE id IN (?, ?, ?, ?, ?) AND k < 2 LIMIT ?", args: []any{1, 5, 6, 10, 11, 3}, want: 3},
		{sql: "DELETE FROM w18 WHERE id IN (1, 5, 6, 10, 11) AND k < 2 LIMIT 9", want: 5},
	}
	for _, tc := range cases {
		e.reset(t)
		var got [2]int64
		var left [2][2]int
		for i, db := range e.dbs() {
			r, err := db.Exec(tc.sql, tc.args...)
			require.NoError(t, err, "%s %v (side %d)", tc.sql, tc.args, i)
			got[i], err = r.RowsAffected()
			require.NoError(t, err)
			left[i][0], left[i][1] = w18Counts(t, db)
		}
		require.Equal(t, tc.want, got[0], "oracle: %s", tc.sql)
		require.Equal(t, got[0], got[1], "RowsAffected: %s %v", tc.sql, tc.args)
		if tc.anyRows {
			left[0][0], left[1][0] = 0, 0
		}
		require.Equal(t, left[0], left[1], "rows left (matching, all): %s %v", tc.sql, tc.args)
	}
	// Forms with an alias: as the oracle answers (MariaDB may reject
	// LIMIT in the multi-table form); never a refusal or a plain error
	// where the oracle deleted.
	for _, q := range []string{
		"DELETE FROM w18 AS a WHERE a.k < 2 LIMIT 3",
		"DELETE a FROM w18 AS a WHERE a.k < 2 LIMIT 3",
		"DELETE w18 FROM w18 WHERE k < 2 LIMIT 3",
	} {
		e.reset(t)
		var errs [2]error
		var got [2]int64
		var left [2][2]int
		for i, db := range e.dbs() {
			r, err := db.Exec(q)
			if errs[i] = err; err == nil {
				got[i], _ = r.RowsAffected()
			}
			left[i][0], left[i][1] = w18Counts(t, db)
		}
		t.Logf("%s: oracle %d %v, shardsql %d %v", q, got[0], errs[0], got[1], errs[1])
		require.Equal(t, errs[0] == nil, errs[1] == nil, q)
		require.Equal(t, got[0], got[1], q)
		require.Equal(t, left[0], left[1], q)
	}
	// A prepared statement run with other limits (the parse is cached;
	// the limit is read per call).
	e.reset(t)
	for _, db := range e.dbs() {
		st, err := db.Prepare("DELETE FROM w18 WHERE k < ? LIMIT ?")
		require.NoError(t, err)
		var got []int64
		for _, n := range []int{4, 0, 5, 100} {
			r, err := st.Exec(2, n)
			require.NoError(t, err)
			a, err := r.RowsAffected()
			require.NoError(t, err)
			got = append(got, a)
		}
		require.NoError(t, st.Close())
		require.Equal(t, []int64{4, 0, 5, 7}, got)
	}
	// Run as a query it runs as Exec does: not every node's own LIMIT.
	e.reset(t)
	for _, db := range e.dbs() {
		rows, err := db.Query("DELETE FROM w18 WHERE k < 2 LIMIT 3")
		require.NoError(t, err)
		require.False(t, rows.Next())
		require.NoError(t, rows.Close())
		m, all := w18Counts(t, db)
		require.Equal(t, []int{13, 37}, []int{m, all})
	}
}

// TestWrites18DeleteLimitInTx: inside the caller's transaction the
// deletes are the transaction's: Rollback keeps every row, Commit keeps
// the deletes.
func TestWrites18DeleteLimitInTx(t *testing.T) {
	e := newW18Env(t, "writes18_dltx")
	ctx := context.Background()
	for _, commit := range []bool{false, true} {
		e.reset(t)
		var after [2][2]int
		for i, db := range e.dbs() {
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			r, err := tx.Exec("DELETE FROM w18 WHERE k < 2 LIMIT ?", 9)
			require.NoError(t, err)
			n, err := r.RowsAffected()
			require.NoError(t, err)
			require.EqualValues(t, 9, n, "side %d", i)
			m, all := w18Counts(t, tx)
			require.Equal(t, []int{7, 31}, []int{m, all}, "side %d, in the transaction", i)
			if commit {
				require.NoError(t, tx.Commit())
			} else {
				require.NoError(t, tx.Rollback())
			}
			after[i][0], after[i][1] = w18Counts(t, db)
		}
		want := [2]int{16, 40}
		if commit {
			want = [2]int{7, 31}
		}
		require.Equal(t, [2][2]int{want, want}, after, "commit %v", commit)
	}
}

// TestWrites18DeleteLimitNodeFails: a node failing after earlier nodes
// deleted their share (a BEFORE DELETE trigger that signals on one row of
// the last node in the plan's order) leaves nothing deleted, outside a
// transaction and inside one, as one table's failing DELETE.
func TestWrites18DeleteLimitNodeFails(t *testing.T) {
	e := newW18Env(t, "writes18_dlfail")
	ctx := context.Background()
	p, err := driver.Explain(ctx, e.sharded, "DELETE FROM w18 WHERE k < 2 LIMIT 100")
	require.NoError(t, err)
	require.NotNil(t, p.DeleteLimit)
	require.Len(t, p.Units, 4)
	last := p.Units[len(p.Units)-1].Node
	boom := 0
	for id := 1; id <= 40 && boom == 0; id++ {
		if id%5 >= 2 {
			continue
		}
		q, err := driver.Explain(ctx, e.sharded, "SELECT * FROM w18 WHERE id = ?", id)
		require.NoError(t, err)
		if q.Units[0].Node == last {
			boom = id
		}
	}
	require.NotZero(t, boom, "no matching row on %v", last)
	const trg = "CREATE TRIGGER %s BEFORE DELETE ON %s FOR EACH ROW BEGIN IF OLD.v = 'boom' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'boom'; END IF; END"
	_, err = e.oracle.Exec(fmt.Sprintf(trg, "w18_boom", "w18"))
	require.NoError(t, err)
	for i, dsn := range e.dsns {
		plain := openPlain(t, dsn)
		for _, n := range []string{"w18_0", "w18_1"} {
			_, err := plain.Exec(fmt.Sprintf(trg, "trg_"+n, n))
			require.NoError(t, err, "ds%d.%s", i, n)
		}
	}
	arm := func() {
		e.reset(t)
		for _, db := range e.dbs() {
			_, err := db.Exec("UPDATE w18 SET v = 'boom' WHERE id = ?", boom)
			require.NoError(t, err)
		}
	}
	arm()
	for i, db := range e.dbs() {
		_, err := db.Exec("DELETE FROM w18 WHERE k < 2 LIMIT 100")
		require.ErrorContains(t, err, "boom", "side %d", i)
		m, all := w18Counts(t, db)
		require.Equal(t, []int{16, 40}, []int{m, all}, "side %d: a failing DELETE deletes nothing", i)
	}
	arm()
	for i, db := range e.dbs() {
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		_, err = tx.Exec("DELETE FROM w18 WHERE k < ? LIMIT ?", 2, 100)
		require.ErrorContains(t, err, "boom", "side %d", i)
		m, all := w18Counts(t, tx)
		require.Equal(t, []int{16, 40}, []int{m, all}, "side %d: in the transaction after the failure", i)
		// The transaction goes on: a DELETE that stops before the
		// failing node, then Commit.
		_, err = tx.Exec("DELETE FROM w18 WHERE id = ?", boom)
		require.ErrorContains(t, err, "boom", "side %d", i)
		_, err = tx.Exec("UPDATE w18 SET v = '' WHERE id = ?", boom)
		require.NoError(t, err)
		r, err := tx.Exec("DELETE FROM w18 WHERE k < 2 LIMIT 100")
		require.NoError(t, err)
		n, err := r.RowsAffected()
		require.NoError(t, err)
		require.EqualValues(t, 16, n, "side %d", i)
		require.NoError(t, tx.Commit())
		m, all = w18Counts(t, db)
		require.Equal(t, []int{0, 24}, []int{m, all}, "side %d", i)
	}
	// After an implicit commit the servers run in autocommit mode, where
	// the statement savepoint means nothing: the internal transaction
	// undoes the earlier nodes.
	arm()
	for i, db := range e.dbs() {
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		_, err = tx.Exec("ALTER TABLE w18 COMMENT 'purged'")
		require.NoError(t, err)
		_, err = tx.Exec("DELETE FROM w18 WHERE k < 2 LIMIT 100")
		require.ErrorContains(t, err, "boom", "side %d", i)
		require.NoError(t, tx.Rollback())
		m, all := w18Counts(t, db)
		require.Equal(t, []int{16, 40}, []int{m, all}, "side %d: after an implicit commit", i)
	}
}

// TestWrites18DeleteLimitAfterImplicitCommit: after DDL committed the
// caller's transaction implicitly, the servers run in autocommit mode;
// the DELETE … LIMIT runs in an internal transaction (all or nothing, as
// one server's statement) and keeps its deletes whatever Rollback says,
// as one server does; the caller's transaction goes on after it.
func TestWrites18DeleteLimitAfterImplicitCommit(t *testing.T) {
	e := newW18Env(t, "writes18_dlic")
	ctx := context.Background()
	for i, db := range e.dbs() {
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		_, err = tx.Exec("ALTER TABLE w18 COMMENT 'purged'")
		require.NoError(t, err)
		r, err := tx.Exec("DELETE FROM w18 WHERE k < 2 LIMIT 10")
		require.NoError(t, err, "side %d", i)
		n, err := r.RowsAffected()
		require.NoError(t, err)
		require.EqualValues(t, 10, n, "side %d", i)
		_, err = tx.Exec("DELETE FROM w18 WHERE k < 2 LIMIT 1")
		require.NoError(t, err, "side %d: the transaction goes on", i)
		require.NoError(t, tx.Rollback())
		m, all := w18Counts(t, db)
		require.Equal(t, []int{5, 29}, []int{m, all}, "side %d", i)
	}
}
