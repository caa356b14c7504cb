package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// backend is a set of servers the integration tests run on.
type backend struct {
	name  string
	start func(t testing.TB, n int) []*shardtest.Server
}

var backends = []backend{
	{"embedded", shardtest.Embedded},
	{"mariadb", shardtest.MariaDB},
}

// eachBackend runs f on 2 fresh servers of every backend.
func eachBackend(t *testing.T, f func(t *testing.T, servers []*shardtest.Server)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			f(t, b.start(t, 2))
		})
	}
}

const orderDDL = `CREATE TABLE IF NOT EXISTS t_order (
	order_id BIGINT NOT NULL PRIMARY KEY,
	user_id BIGINT NOT NULL,
	amount DECIMAL(10,2) NOT NULL,
	note VARCHAR(32) NULL
)`

// orderTopology shards t_order by user_id over 2 data sources × 4 tables.
func orderTopology(t testing.TB, servers []*shardtest.Server) *shard.Topology {
	t.Helper()
	topo := shard.NewTopology()
	for i, s := range servers {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), s.DSN()))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id",
		Nodes: "ds${0..1}.t_order_${0..3}", Algorithm: shard.Hash()}))
	return topo
}

func openDB(t testing.TB, topo *shard.Topology, opts ...driver.Option) *sql.DB {
	t.Helper()
	c, err := driver.NewConnector(topo, opts...)
	require.NoError(t, err)
	db := sql.OpenDB(c)
	t.Cleanup(func() { _ = db.Close() })
	waitSessionsCompared(t, db)
	return db
}

// waitSessionsCompared waits (up to 10 s) until the first probe has
// compared every replica's session with its primary's: since round 16 a
// replica takes no reads before, and the tests that read replicas expect
// them to from the start. A replica ejected meanwhile is not waited for.
func waitSessionsCompared(t testing.TB, db *sql.DB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := driver.Replicas(context.Background(), db)
		require.NoError(t, err)
		unchecked := false
		for _, r := range st {
			unchecked = unchecked || r.SessionUnchecked && r.Err == nil
		}
		if !unchecked || time.Now().After(deadline) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// direct opens a plain go-sql-driver pool on one server, bypassing shardsql.
func direct(t testing.TB, s *shardtest.Server) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", s.DSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

const (
	numOrders = 10000
	numUsers  = 1000
	batch     = 100
)

func userOf(orderID int) int64 { return int64(orderID%numUsers) + 1 }
func amountOf(orderID int) string {
	return fmt.Sprintf("%d.%02d", orderID%500, orderID%100)
}

// insertOrders inserts numOrders rows with multi-row INSERTs, half of the
// values as literals and half as ? arguments.
func insertOrders(t *testing.T, db *sql.DB) {
	t.Helper()
	ctx := context.Background()
	for start := 0; start < numOrders; start += batch {
		var sb strings.Builder
		sb.WriteString("INSERT INTO t_order (order_id, user_id, amount, note) VALUES ")
		var args []any
		for id := start; id < start+batch; id++ {
			if id > start {
				sb.WriteString(", ")
			}
			if id%2 == 0 {
				fmt.Fprintf(&sb, "(%d, %d, %s, 'n%d')", id, userOf(id), amountOf(id), id)
			} else {
				sb.WriteString("(?, ?, ?, ?)")
				args = append(args, id, userOf(id), amountOf(id), fmt.Sprintf("n%d", id))
			}
		}
		res, err := db.ExecContext(ctx, sb.String(), args...)
		require.NoError(t, err)
		n, err := res.RowsAffected()
		require.NoError(t, err)
		require.Equal(t, int64(batch), n)
	}
}

func TestSpine(t *testing.T) {
	eachBackend(t, func(t *testing.T, servers []*shardtest.Server) {
		ctx := context.Background()
		topo := orderTopology(t, servers)
		db := openDB(t, topo)
		require.NoError(t, db.PingContext(ctx))

		_, err := db.ExecContext(ctx, orderDDL)
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, "CREATE INDEX idx_user ON t_order (user_id)")
		require.NoError(t, err)
		insertOrders(t, db)

		t.Run("rows per physical table match the algorithm", func(t *testing.T) {
			table, _ := topo.Table("t_order")
			want := map[string]int{}
			for id := 0; id < numOrders; id++ {
				n, err := table.NodeFor(userOf(id))
				require.NoError(t, err)
				want[table.Nodes[n].String()]++
			}
			total := 0
			for _, node := range table.Nodes {
				var ds int
				_, err := fmt.Sscanf(node.DataSource, "ds%d", &ds)
				require.NoError(t, err)
				var got int
				require.NoError(t, direct(t, servers[ds]).QueryRowContext(ctx, "SELECT COUNT(*) FROM "+node.Table).Scan(&got))
				assert.Equal(t, want[node.String()], got, node.String())
				assert.Positive(t, got, "every node holds rows")
				total += got
			}
			assert.Equal(t, numOrders, total)
		})

		t.Run("every row read back by key", func(t *testing.T) {
			stmt, err := db.PrepareContext(ctx, "SELECT order_id, user_id, amount, note FROM t_order WHERE user_id = ?")
			require.NoError(t, err)
			defer stmt.Close()
			seen := 0
			for u := int64(1); u <= numUsers; u++ {
				rows, err := stmt.QueryContext(ctx, u)
				require.NoError(t, err)
				for rows.Next() {
					var id, user int64
					var amount string
					var note sql.NullString
					require.NoError(t, rows.Scan(&id, &user, &amount, &note))
					require.Equal(t, u, user)
					require.Equal(t, userOf(int(id)), user)
					require.Equal(t, amountOf(int(id)), amount)
					require.Equal(t, fmt.Sprintf("n%d", id), note.String)
					seen++
				}
				require.NoError(t, rows.Err())
				require.NoError(t, rows.Close())
			}
			assert.Equal(t, numOrders, seen)
		})

		t.Run("IN list reads exactly its rows", func(t *testing.T) {
			rows, err := db.QueryContext(ctx, "SELECT order_id FROM t_order WHERE user_id IN (?, 2, ?, 999)", 1, 500)
			require.NoError(t, err)
			ids := collectInts(t, rows)
			var want []int64
			for id := 0; id < numOrders; id++ {
				switch userOf(id) {
				case 1, 2, 500, 999:
					want = append(want, int64(id))
				}
			}
			assert.Equal(t, want, ids)
		})

		t.Run("scatter read returns every row once", func(t *testing.T) {
			rows, err := db.QueryContext(ctx, "SELECT order_id FROM t_order")
			require.NoError(t, err)
			ids := collectInts(t, rows)
			require.Len(t, ids, numOrders)
			for i, id := range ids {
				require.Equal(t, int64(i), id)
			}
		})

		t.Run("column types come from the shards", func(t *testing.T) {
			rows, err := db.QueryContext(ctx, "SELECT order_id, amount, note FROM t_order WHERE user_id = 3")
			require.NoError(t, err)
			defer rows.Close()
			cols, err := rows.Columns()
			require.NoError(t, err)
			assert.Equal(t, []string{"order_id", "amount", "note"}, cols)
			types, err := rows.ColumnTypes()
			require.NoError(t, err)
			assert.Equal(t, "BIGINT", types[0].DatabaseTypeName())
			assert.Equal(t, "DECIMAL", types[1].DatabaseTypeName())
			assert.Equal(t, "VARCHAR", types[2].DatabaseTypeName())
		})

		t.Run("update and delete by key and by scatter", func(t *testing.T) {
			res, err := db.ExecContext(ctx, "UPDATE t_order SET note = ? WHERE user_id = ?", "by-key", 7)
			require.NoError(t, err)
			assertAffected(t, res, numOrders/numUsers)

			res, err = db.ExecContext(ctx, "UPDATE t_order SET note = 'scatter' WHERE order_id < 250")
			require.NoError(t, err)
			assertAffected(t, res, 250)
			var n int
			require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_order WHERE user_id = 7 AND note = 'by-key'").Scan(&n))
			assert.Equal(t, numOrders/numUsers-1, n, "user 7's orders ≥ 250 keep the by-key note (order 6 is < 250)")

			res, err = db.ExecContext(ctx, "DELETE FROM t_order WHERE user_id IN (?, ?)", 8, 9)
			require.NoError(t, err)
			assertAffected(t, res, 2*numOrders/numUsers)

			res, err = db.ExecContext(ctx, "DELETE FROM t_order WHERE order_id >= ?", numOrders-100)
			require.NoError(t, err)
			assertAffected(t, res, 100) // ids 9900…9999 belong to users 901…1000, none deleted before
			rows, err := db.QueryContext(ctx, "SELECT order_id FROM t_order")
			require.NoError(t, err)
			left := collectInts(t, rows)
			want := 0
			for id := 0; id < numOrders-100; id++ {
				if u := userOf(id); u != 8 && u != 9 {
					want++
				}
			}
			assert.Len(t, left, want)
		})

		t.Run("transaction on one data source commits and rolls back", func(t *testing.T) {
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			_, err = tx.ExecContext(ctx, "INSERT INTO t_order (order_id, user_id, amount) VALUES (?, ?, ?)", 100001, 42, "1.00")
			require.NoError(t, err)
			_, err = tx.ExecContext(ctx, "UPDATE t_order SET note = 'in-tx' WHERE user_id = 42")
			require.NoError(t, err)
			var note string
			require.NoError(t, tx.QueryRowContext(ctx, "SELECT note FROM t_order WHERE user_id = 42 AND order_id = 100001").Scan(&note))
			assert.Equal(t, "in-tx", note, "the transaction sees its own writes")
			require.NoError(t, tx.Commit())
			require.NoError(t, db.QueryRowContext(ctx, "SELECT note FROM t_order WHERE user_id = 42 AND order_id = 100001").Scan(&note))
			assert.Equal(t, "in-tx", note)

			tx, err = db.BeginTx(ctx, nil)
			require.NoError(t, err)
			_, err = tx.ExecContext(ctx, "INSERT INTO t_order (order_id, user_id, amount) VALUES (100002, 42, 2.00)")
			require.NoError(t, err)
			require.NoError(t, tx.Rollback())
			var n int
			require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_order WHERE user_id = 42 AND order_id = 100002").Scan(&n))
			assert.Zero(t, n, "rolled back")
		})

		t.Run("transaction across data sources commits and rolls back", func(t *testing.T) {
			table, _ := topo.Table("t_order")
			// one user per node: rows on 2 data sources × 4 tables
			users := make([]int64, len(table.Nodes))
			for u, found := int64(2000), 0; found < len(users); u++ {
				n, err := table.NodeFor(u)
				require.NoError(t, err)
				if users[n] == 0 {
					users[n], found = u, found+1
				}
			}
			insertAll := func(tx *sql.Tx, base int) {
				for i, u := range users {
					_, err := tx.ExecContext(ctx, "INSERT INTO t_order (order_id, user_id, amount) VALUES (?, ?, 1.00)", base+i, u)
					require.NoError(t, err)
				}
			}
			countIn := func(q interface {
				QueryRowContext(context.Context, string, ...any) *sql.Row
			}, lo, hi int) int {
				var n int
				require.NoError(t, q.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_order WHERE order_id BETWEEN ? AND ?", lo, hi).Scan(&n))
				return n
			}
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			insertAll(tx, 200000)
			assert.Equal(t, len(users), countIn(tx, 200000, 200100), "the transaction reads its own writes on every node")
			assert.Zero(t, countIn(db, 200000, 200100), "not visible outside before commit")
			require.NoError(t, tx.Commit())
			assert.Equal(t, len(users), countIn(db, 200000, 200100))

			tx, err = db.BeginTx(ctx, nil)
			require.NoError(t, err)
			insertAll(tx, 300000)
			require.NoError(t, tx.Rollback())
			assert.Zero(t, countIn(db, 300000, 300100), "rolled back everywhere")
		})

		t.Run("unsupported statements run nowhere", func(t *testing.T) {
			_, err := db.ExecContext(ctx, "UPDATE t_order SET user_id = user_id - 1 WHERE user_id = 6")
			require.ErrorIs(t, err, route.ErrUnsupported)
			assert.True(t, strings.HasPrefix(err.Error(), "shardsql: unsupported: "), err.Error())
			var n int
			require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_order WHERE user_id = 6").Scan(&n))
			assert.Equal(t, numOrders/numUsers, n, "user 6's rows were not touched")
		})

		t.Run("early close of a scatter keeps the pool healthy", func(t *testing.T) {
			for i := 0; i < 5; i++ {
				rows, err := db.QueryContext(ctx, "SELECT order_id, note FROM t_order")
				require.NoError(t, err)
				require.True(t, rows.Next())
				require.NoError(t, rows.Close())
			}
			var n int
			require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_order WHERE user_id = 1").Scan(&n))
			assert.Equal(t, numOrders/numUsers, n)
		})

		t.Run("cancelled context stops the statement", func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			_, err := db.QueryContext(cctx, "SELECT order_id FROM t_order")
			require.Error(t, err)
			assert.ErrorIs(t, err, context.Canceled)
			dctx, cancel := context.WithTimeout(ctx, time.Nanosecond)
			defer cancel()
			time.Sleep(time.Millisecond)
			_, err = db.ExecContext(dctx, "UPDATE t_order SET note = 'late'")
			require.Error(t, err)
		})

		t.Run("drop through shardsql removes every physical table", func(t *testing.T) {
			_, err := db.ExecContext(ctx, "TRUNCATE TABLE t_order")
			require.NoError(t, err)
			var n int
			require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_order WHERE user_id = 1").Scan(&n))
			assert.Zero(t, n)
			_, err = db.ExecContext(ctx, "DROP TABLE IF EXISTS t_order")
			require.NoError(t, err)
			for _, s := range servers {
				rows, err := direct(t, s).QueryContext(ctx, "SHOW TABLES")
				require.NoError(t, err)
				assert.Empty(t, collectStrings(t, rows))
			}
		})
	})
}

func TestLastInsertIDAndUnknownTables(t *testing.T) {
	eachBackend(t, func(t *testing.T, servers []*shardtest.Server) {
		ctx := context.Background()
		topo := orderTopology(t, servers)
		require.NoError(t, topo.AddTable(shard.Table{Name: "t_auto", Column: "user_id",
			Nodes: "ds${0..1}.t_auto_${0..1}", Algorithm: shard.Mod()}))
		db := openDB(t, topo)
		_, err := db.ExecContext(ctx, "CREATE TABLE t_auto (id BIGINT AUTO_INCREMENT PRIMARY KEY, user_id BIGINT NOT NULL)")
		require.NoError(t, err)
		// Each node's AUTO_INCREMENT counts on its own: leaving the id to
		// the servers is refused (give the table a KeyGenerator).
		_, err = db.ExecContext(ctx, "INSERT INTO t_auto (user_id) VALUES (?)", 3)
		require.ErrorIs(t, err, route.ErrUnsupported)
		assert.Contains(t, err.Error(), "KeyGenerator")
		res, err := db.ExecContext(ctx, "INSERT INTO t_auto (id, user_id) VALUES (?, ?)", 10, 3)
		require.NoError(t, err)
		id, err := res.LastInsertId()
		require.NoError(t, err)
		assert.Equal(t, int64(10), id, "the one node's insert id")

		res, err = db.ExecContext(ctx, "INSERT INTO t_auto (id, user_id) VALUES (11, 0), (12, 1), (13, 2)")
		require.NoError(t, err)
		// Several nodes and no generated id: the last row's explicit
		// AUTO_INCREMENT value, as MariaDB reports it for one table
		// (round 8, TestAttack8GeneratedIDs checks it against the oracle).
		id, err = res.LastInsertId()
		require.NoError(t, err)
		assert.Equal(t, int64(13), id)

		// A table the topology does not know lives on the first data source.
		_, err = db.ExecContext(ctx, "CREATE TABLE t_plain (id INT PRIMARY KEY, v VARCHAR(10))")
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, "INSERT INTO t_plain VALUES (1, 'one'), (2, 'two')")
		require.NoError(t, err)
		var v string
		require.NoError(t, db.QueryRowContext(ctx, "SELECT v FROM t_plain WHERE id = ?", 2).Scan(&v))
		assert.Equal(t, "two", v)
		require.NoError(t, direct(t, servers[0]).QueryRowContext(ctx, "SELECT v FROM t_plain WHERE id = 1").Scan(&v))
		assert.Equal(t, "one", v)

		plan, err := driver.Explain(ctx, db, "SELECT * FROM t_auto WHERE user_id IN (1, 2, 5)")
		require.NoError(t, err)
		require.Len(t, plan.Units, 2)
		assert.Equal(t, "ds0.t_auto_1", plan.Units[0].Node.String())
		assert.Equal(t, "select * from t_auto_1 where user_id in (1, 5)", plan.Units[0].SQL)
		assert.Equal(t, "ds1.t_auto_0", plan.Units[1].Node.String())
		assert.Equal(t, "select * from t_auto_0 where user_id in (2)", plan.Units[1].SQL)
	})
}

func TestRegisterAndOpenByName(t *testing.T) {
	servers := shardtest.Embedded(t, 2)
	topo := orderTopology(t, servers)
	name := "spine-" + t.Name()
	require.NoError(t, driver.Register(name, topo))
	err := driver.Register(name, topo)
	require.Error(t, err, "a name registers once")
	db, err := sql.Open(driver.DriverName, name)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Ping())
	_, err = db.Exec(orderDDL)
	require.NoError(t, err)
	_, err = db.Exec("INSERT INTO t_order (order_id, user_id, amount) VALUES (1, 1, 1.5)")
	require.NoError(t, err)
	var amount string
	require.NoError(t, db.QueryRow("SELECT amount FROM t_order WHERE user_id = 1").Scan(&amount))
	assert.Equal(t, "1.50", amount)

	_, err = sql.Open(driver.DriverName, "never-registered")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no topology registered as "never-registered"`)
}

func TestConnectorBadInput(t *testing.T) {
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", "this is not a dsn"))
	_, err := driver.NewConnector(topo)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "data source ds0: invalid DSN")

	_, err = driver.NewConnector(nil)
	require.Error(t, err)
	_, err = driver.NewConnector(shard.NewTopology(), driver.WithMaxParallel(0))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WithMaxParallel(0)")
}

func TestPingReportsTheFailingDataSource(t *testing.T) {
	servers := shardtest.Embedded(t, 1)
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", servers[0].DSN()))
	require.NoError(t, topo.AddDataSource("ds1", "root@tcp(127.0.0.1:1)/app?timeout=1s"))
	db := openDB(t, topo)
	err := db.Ping()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "data source ds1")
	assert.NotContains(t, err.Error(), "data source ds0")
}

func TestUserPoolsAreNotClosed(t *testing.T) {
	servers := shardtest.Embedded(t, 1)
	pool := direct(t, servers[0])
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDB("ds0", pool))
	c, err := driver.NewConnector(topo)
	require.NoError(t, err)
	db := sql.OpenDB(c)
	require.NoError(t, db.Ping())
	require.NoError(t, db.Close())
	require.NoError(t, pool.Ping(), "a pool the user passed in stays open")
}

func assertAffected(t *testing.T, res sql.Result, want int) {
	t.Helper()
	n, err := res.RowsAffected()
	require.NoError(t, err)
	assert.Equal(t, int64(want), n)
}

func collectInts(t *testing.T, rows *sql.Rows) []int64 {
	t.Helper()
	out := collectOrdered(t, rows)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// collectOrdered reads one int64 column in the order the rows arrive.
func collectOrdered(t *testing.T, rows *sql.Rows) []int64 {
	t.Helper()
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		require.NoError(t, rows.Scan(&v))
		out = append(out, v)
	}
	require.NoError(t, rows.Err())
	return out
}

func collectStrings(t *testing.T, rows *sql.Rows) []string {
	t.Helper()
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		require.NoError(t, rows.Scan(&v))
		out = append(out, v)
	}
	require.NoError(t, rows.Err())
	return out
}
