package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// The cross-node join suite: t_order (sharded by user_id over 2 data
// sources × 4 tables) joined with tables that are not on its nodes:
//
//   - t_user, sharded by id over ds0/ds1 × 3 tables, not bound;
//   - t_tag, sharded by id, joined on a text column (t_order.status =
//     t_tag.label: case, accents and trailing spaces, NULL labels);
//   - t_item, bound to t_order (sharded by user_id) but joined on order_id;
//   - t_city, a broadcast table (preserved by LEFT JOINs);
//   - t_vip, an unsharded table on ds0, while t_order has nodes on ds1.
//
// Every query must return what one unsharded MariaDB database returns.

var crossDDL = []string{
	`CREATE TABLE t_user (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(16) NOT NULL, city VARCHAR(16) NULL, ref BIGINT NULL, score INT NULL)`,
	`CREATE TABLE t_tag (id BIGINT NOT NULL PRIMARY KEY, label VARCHAR(16) NULL, weight INT NOT NULL)`,
	`CREATE TABLE t_item (item_id BIGINT NOT NULL PRIMARY KEY, order_id BIGINT NULL, user_id BIGINT NOT NULL, sku VARCHAR(16) NOT NULL, qty INT NOT NULL)`,
	`CREATE TABLE t_city (name VARCHAR(16) NOT NULL PRIMARY KEY, region VARCHAR(8) NOT NULL)`,
	`CREATE TABLE t_vip (user_id BIGINT NOT NULL PRIMARY KEY, tier VARCHAR(8) NOT NULL)`,
}

var crossCities = []string{"Paris", "paris ", "Berlin", "Köln", "koln", "Oslo", "Rome"}

var crossLabels = []string{"new", "NEW ", "New", "paid  ", "Paid", "café", "Cafe ", "urgent", "zzz", "apple", "élan"}

// crossEnv is the oracle and the sharded database with the join tables.
type crossEnv struct {
	*diffEnv
	servers []*shardtest.Server
	topo    *shard.Topology
}

// with is the env with another sharded pool over the same servers.
func (e *crossEnv) with(t testing.TB, opts ...driver.Option) *crossEnv {
	out := *e
	d := *e.diffEnv
	d.sharded = openDB(t, e.topo, opts...)
	out.diffEnv = &d
	return &out
}

func newCrossEnv(t *testing.T, opts ...driver.Option) *crossEnv { return newCrossEnvB(t, opts...) }

func newCrossEnvB(t testing.TB, opts ...driver.Option) *crossEnv {
	servers := shardtest.MariaDB(t, 2)
	oracle := oracleDB(t, servers[0], "oracle")
	topo := shard.NewTopology()
	for i, s := range servers {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), s.DSN()))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds${0..1}.t_order_${0..3}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_user", Column: "id", Nodes: "ds${0..1}.t_user_${0..2}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_tag", Column: "id", Nodes: "ds${0..1}.t_tag_${0..1}", Algorithm: shard.Mod()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_item", Column: "user_id", Nodes: "ds${0..1}.t_item_${0..3}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.Bind("t_order", "t_item"))
	require.NoError(t, topo.AddBroadcastTable("t_city"))
	sharded := openDB(t, topo, opts...)
	for _, db := range []*sql.DB{oracle, sharded} {
		_, err := db.Exec(diffDDL)
		require.NoError(t, err)
		for _, ddl := range crossDDL {
			_, err := db.Exec(ddl)
			require.NoError(t, err)
		}
	}
	orders := diffData(1, 1500)
	insertDiffRows(t, oracle, orders)
	insertDiffRows(t, sharded, orders)
	r := rand.New(rand.NewSource(3))
	var users, tags, items, cities, vips [][]any
	for id := 1; id <= 70; id++ {
		var city, ref, score any
		if r.Intn(6) > 0 {
			city = crossCities[r.Intn(len(crossCities))]
		}
		if r.Intn(3) > 0 {
			ref = r.Intn(80) + 1
		}
		if r.Intn(5) > 0 {
			score = r.Intn(100)
		}
		users = append(users, []any{id, fmt.Sprintf("user%02d", id%40), city, ref, score})
	}
	for id := 1; id <= 40; id++ {
		var label any
		if r.Intn(8) > 0 {
			label = crossLabels[r.Intn(len(crossLabels))]
		}
		tags = append(tags, []any{id, label, r.Intn(10)})
	}
	for i := 1; i <= 1200; i++ {
		o := orders[r.Intn(len(orders))]
		var orderID any = o.orderID
		if r.Intn(15) == 0 {
			orderID = nil
		}
		// The item's user is the order's most of the time, another
		// user's otherwise: a join on order_id alone crosses nodes.
		user := o.userID
		if r.Intn(4) == 0 {
			user = int64(r.Intn(60) + 1)
		}
		items = append(items, []any{i, orderID, user, fmt.Sprintf("sku-%02d", r.Intn(20)+1), r.Intn(9) + 1})
	}
	for i, c := range crossCities {
		if c == "paris " || c == "koln" {
			continue // equal to Paris and Köln in utf8mb4_general_ci: one primary key
		}
		cities = append(cities, []any{c, []string{"west", "north", "south"}[i%3]})
	}
	cities = append(cities, []any{"Lima", "far"}) // a city without users
	for u := 1; u <= 60; u += 4 {
		vips = append(vips, []any{u, []string{"gold", "Gold", "silver"}[u%3]})
	}
	vips = append(vips, []any{1000, "none"})
	for _, db := range []*sql.DB{oracle, sharded} {
		crossInsert(t, db, "t_user (id, name, city, ref, score)", users)
		crossInsert(t, db, "t_tag (id, label, weight)", tags)
		crossInsert(t, db, "t_item (item_id, order_id, user_id, sku, qty)", items)
		crossInsert(t, db, "t_city (name, region)", cities)
		crossInsert(t, db, "t_vip (user_id, tier)", vips)
	}
	return &crossEnv{diffEnv: &diffEnv{oracle: oracle, sharded: sharded, mariadb: true}, servers: servers, topo: topo}
}

func crossInsert(t testing.TB, db *sql.DB, head string, rows [][]any) {
	t.Helper()
	for start := 0; start < len(rows); start += 200 {
		end := min(start+200, len(rows))
		var sb strings.Builder
		var args []any
		sb.WriteString("INSERT INTO " + head + " VALUES ")
		for i, row := range rows[start:end] {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(" + strings.TrimSuffix(strings.Repeat("?, ", len(row)), ", ") + ")")
			args = append(args, row...)
		}
		_, err := db.Exec(sb.String(), args...)
		require.NoError(t, err, head)
	}
}

// crossQueries are the shapes of the suite, each exact.
func crossQueries() []diffQuery {
	return []diffQuery{
		// Different sharded tables.
		ordered("SELECT o.order_id, u.name, u.city FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.amount > 300 ORDER BY o.order_id"),
		ordered("SELECT o.order_id, u.id FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE u.score > 80 ORDER BY o.order_id"),
		ordered("SELECT u.id, o.order_id FROM t_user u LEFT JOIN t_order o ON o.user_id = u.id AND o.amount > 450 ORDER BY u.id, o.order_id"),
		ordered("SELECT u.id, u.ref, o.order_id FROM t_user u LEFT JOIN t_order o ON o.user_id = u.ref WHERE o.order_id IS NULL ORDER BY u.id"),
		ordered("SELECT o.order_id, u.name FROM t_order o RIGHT JOIN t_user u ON u.id = o.user_id AND o.qty = 7 ORDER BY u.name, o.order_id"),
		ordered("SELECT o.order_id, u.id FROM t_order o, t_user u WHERE u.ref = o.user_id AND o.order_id < 40 ORDER BY o.order_id, u.id"),
		ordered("SELECT o.order_id, u.id FROM t_order o JOIN t_user u ON u.ref = o.user_id AND u.score < o.qty ORDER BY o.order_id, u.id"),
		ordered("SELECT u.id, o.order_id FROM t_user u LEFT JOIN t_order o ON o.user_id = u.id AND o.qty > u.score - 80 WHERE u.id < 30 ORDER BY u.id, o.order_id"),
		ordered("SELECT o.order_id, u.name FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.status = 'new' OR u.city = 'paris' ORDER BY o.order_id LIMIT 30"),
		ordered("SELECT o.order_id, u.name FROM t_order o JOIN t_user u ON u.id = o.user_id ORDER BY o.amount DESC, o.order_id LIMIT 10 OFFSET 5"),
		unordered("SELECT DISTINCT u.city FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.amount > 400"),
		ordered("SELECT o.order_id, u.name FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.user_id = ? AND u.score >= ? ORDER BY o.order_id", 7, 10),
		ordered("SELECT o.order_id, o.amount * 2 AS twice, UPPER(u.name) FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.order_id <= 50 ORDER BY o.order_id"),
		// Text keys: collation, case, accents, trailing spaces, NULL.
		ordered("SELECT o.order_id, g.id FROM t_order o JOIN t_tag g ON g.label = o.status WHERE o.order_id < 200 ORDER BY o.order_id, g.id"),
		ordered("SELECT g.id, o.order_id FROM t_tag g LEFT JOIN t_order o ON o.status = g.label AND o.user_id = 3 ORDER BY g.id, o.order_id"),
		// Bound tables joined on a column other than the sharding column.
		ordered("SELECT o.order_id, i.item_id FROM t_order o JOIN t_item i ON i.order_id = o.order_id WHERE o.user_id IN (3, 9, 27) ORDER BY i.item_id"),
		ordered("SELECT o.order_id, i.item_id FROM t_order o LEFT JOIN t_item i ON i.order_id = o.order_id WHERE o.order_id BETWEEN 100 AND 160 ORDER BY o.order_id, i.item_id"),
		// Broadcast tables: the preserved side of an outer join is read once.
		ordered("SELECT c.name, u.id FROM t_city c LEFT JOIN t_user u ON u.city = c.name ORDER BY c.name, u.id"),
		ordered("SELECT c.name FROM t_city c LEFT JOIN t_user u ON u.city = c.name WHERE u.id IS NULL ORDER BY c.name"),
		ordered("SELECT u.id, c.region FROM t_user u JOIN t_city c ON c.name = u.city ORDER BY u.id"),
		// An unsharded table beside nodes of another data source.
		ordered("SELECT o.order_id, v.tier FROM t_order o JOIN t_vip v ON v.user_id = o.user_id WHERE o.amount > 200 ORDER BY o.order_id"),
		ordered("SELECT v.user_id, o.order_id FROM t_vip v LEFT JOIN t_order o ON o.user_id = v.user_id AND o.qty = 3 ORDER BY v.user_id, o.order_id"),
		// Three tables, left-deep.
		ordered("SELECT o.order_id, u.name, c.region FROM t_order o JOIN t_user u ON u.id = o.user_id LEFT JOIN t_city c ON c.name = u.city WHERE o.amount > 400 ORDER BY o.order_id"),
		ordered("SELECT u.id, o.order_id, i.item_id FROM t_user u LEFT JOIN t_order o ON o.user_id = u.id AND o.qty = 1 LEFT JOIN t_item i ON i.order_id = o.order_id WHERE u.id <= 40 ORDER BY u.id, o.order_id, i.item_id"),
		ordered("SELECT o.order_id, g.weight, v.tier FROM t_order o JOIN t_tag g ON g.label = o.status JOIN t_vip v ON v.user_id = o.user_id ORDER BY o.order_id, g.weight"),
		// Correlated subqueries whose tables are not co-located: semi-
		// and anti-joins.
		ordered("SELECT o.order_id FROM t_order o WHERE EXISTS (SELECT 1 FROM t_user u WHERE u.id = o.user_id AND u.score > 50) AND o.amount > 300 ORDER BY o.order_id"),
		ordered("SELECT u.id FROM t_user u WHERE NOT EXISTS (SELECT 1 FROM t_order o WHERE o.user_id = u.ref) ORDER BY u.id"),
		ordered("SELECT u.id FROM t_user u WHERE NOT EXISTS (SELECT 1 FROM t_order o WHERE o.user_id = u.id AND o.qty > u.score) ORDER BY u.id"),
		ordered("SELECT o.order_id FROM t_order o WHERE o.status IN (SELECT g.label FROM t_tag g WHERE g.weight = o.qty) ORDER BY o.order_id"),
		ordered("SELECT u.id FROM t_user u WHERE u.score IN (SELECT o.qty FROM t_order o WHERE o.user_id = u.ref) ORDER BY u.id"),
		ordered("SELECT u.id FROM t_user u WHERE u.score NOT IN (SELECT o.qty FROM t_order o WHERE o.user_id = u.id) ORDER BY u.id"),
		ordered("SELECT u.id FROM t_user u WHERE u.score NOT IN (SELECT o.qty FROM t_order o WHERE o.user_id = u.id AND o.qty IS NOT NULL) ORDER BY u.id"),
		ordered("SELECT c.name FROM t_city c WHERE NOT EXISTS (SELECT 1 FROM t_user u WHERE u.city = c.name) ORDER BY c.name"),
		ordered("SELECT o.order_id, u.name FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE EXISTS (SELECT 1 FROM t_tag g WHERE g.label = o.status) AND o.order_id < 300 ORDER BY o.order_id"),
		// GROUP BY and aggregates above the join.
		ordered("SELECT u.name, COUNT(*), SUM(o.amount), MIN(o.order_id), MAX(o.status) FROM t_order o JOIN t_user u ON u.id = o.user_id GROUP BY u.name ORDER BY u.name"),
		ordered("SELECT c.name, COUNT(u.id), COUNT(*), SUM(u.score) AS total FROM t_city c LEFT JOIN t_user u ON u.city = c.name GROUP BY c.name ORDER BY c.name"),
		unordered("SELECT COUNT(*), SUM(o.qty), MAX(u.name) FROM t_order o JOIN t_user u ON u.ref = o.user_id WHERE o.amount > 0"),
		unordered("SELECT COUNT(*), SUM(o.qty) FROM t_order o JOIN t_user u ON u.ref = o.user_id WHERE o.order_id < 0"),
		ordered("SELECT g.id, COUNT(o.order_id) AS n FROM t_tag g LEFT JOIN t_order o ON o.status = g.label GROUP BY g.id ORDER BY n DESC, g.id LIMIT 5"),
		unordered("SELECT COUNT(*) FROM t_order o WHERE EXISTS (SELECT 1 FROM t_item i WHERE i.order_id = o.order_id AND i.qty > 7)"),
		// AVG above the join (DECIMAL with 4 more digits of scale, DOUBLE
		// for DOUBLE, NULL for no values) and HAVING over the folded rows.
		ordered("SELECT u.name, AVG(o.amount), AVG(o.qty), AVG(o.price) FROM t_order o JOIN t_user u ON u.id = o.user_id GROUP BY u.name ORDER BY u.name"),
		ordered("SELECT c.name, AVG(u.score) AS a, COUNT(*) FROM t_city c LEFT JOIN t_user u ON u.city = c.name GROUP BY c.name ORDER BY c.name"),
		unordered("SELECT AVG(o.amount), AVG(u.score), COUNT(*) FROM t_order o JOIN t_user u ON u.ref = o.user_id WHERE o.amount > 0"),
		unordered("SELECT AVG(o.amount), COUNT(*) FROM t_order o JOIN t_user u ON u.ref = o.user_id WHERE o.order_id < 0"),
		ordered("SELECT u.name, COUNT(*) AS n, SUM(o.amount) FROM t_order o JOIN t_user u ON u.id = o.user_id GROUP BY u.name HAVING n > 30 AND MAX(o.qty) >= 9 ORDER BY u.name"),
		ordered("SELECT u.id, AVG(o.qty) AS a FROM t_user u LEFT JOIN t_order o ON o.user_id = u.id GROUP BY u.id HAVING AVG(o.amount) > ? OR a IS NULL ORDER BY u.id", 250),
		ordered("SELECT u.id, AVG(o.amount) AS a FROM t_user u JOIN t_order o ON o.user_id = u.id GROUP BY u.id HAVING a >= 250.5 ORDER BY a DESC, u.id"),
		ordered("SELECT g.id, COUNT(o.order_id) FROM t_tag g LEFT JOIN t_order o ON o.status = g.label GROUP BY g.id HAVING g.id < 20 AND COUNT(o.order_id) = 0 ORDER BY g.id"),
		unordered("SELECT COUNT(*), AVG(o.qty) FROM t_order o JOIN t_user u ON u.ref = o.user_id HAVING COUNT(*) > 0"),
		// The SELECT above the join is the one planner of a SELECT over
		// a row stream (route/above_plan.go): *, t.*, USING and NATURAL
		// joins with MySQL's coalesced columns, expressions over several
		// tables, aggregates of expressions, DISTINCT aggregates, ORDER
		// BY and GROUP BY expressions, with ? arguments.
		ordered("SELECT * FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.order_id < 60 ORDER BY o.order_id"),
		ordered("SELECT u.*, o.order_id FROM t_user u LEFT JOIN t_order o ON o.user_id = u.id AND o.amount > 470 ORDER BY u.id, o.order_id"),
		ordered("SELECT g.*, o.* FROM t_tag g JOIN t_order o ON o.status = g.label WHERE o.order_id < 80 ORDER BY g.id, o.order_id"),
		ordered("SELECT * FROM t_order o JOIN t_item i USING (order_id) WHERE o.order_id < 120 ORDER BY order_id, i.item_id"),
		ordered("SELECT order_id, o.user_id, i.user_id, i.sku FROM t_order o JOIN t_item i USING (order_id) WHERE order_id < 90 ORDER BY order_id, i.item_id"),
		ordered("SELECT * FROM t_user u LEFT JOIN t_tag g USING (id) ORDER BY id"),
		ordered("SELECT * FROM t_tag g RIGHT JOIN t_user u USING (id) WHERE u.id > 30 ORDER BY id"),
		ordered("SELECT id, name, label FROM t_user NATURAL LEFT JOIN t_tag ORDER BY id"),
		ordered("SELECT * FROM t_user u NATURAL JOIN t_tag g ORDER BY id"),
		ordered("SELECT o.order_id, o.amount * i.qty AS total, CONCAT(u.name, '/', o.status), i.qty - u.score FROM t_order o JOIN t_item i ON i.order_id = o.order_id JOIN t_user u ON u.id = o.user_id WHERE o.order_id < 150 ORDER BY o.order_id, i.item_id"),
		ordered("SELECT u.id, COALESCE(o.amount, 0), o.qty * 2 FROM t_user u LEFT JOIN t_order o ON o.user_id = u.id AND o.qty > 6 WHERE u.id < 25 ORDER BY u.id, o.order_id"),
		ordered("SELECT u.name, SUM(o.amount * i.qty), COUNT(DISTINCT i.sku), SUM(DISTINCT i.qty), AVG(DISTINCT o.qty) FROM t_order o JOIN t_item i ON i.order_id = o.order_id JOIN t_user u ON u.id = o.user_id GROUP BY u.name ORDER BY u.name"),
		unordered("SELECT COUNT(DISTINCT u.city), COUNT(DISTINCT o.status), COUNT(DISTINCT o.qty + u.score) FROM t_order o JOIN t_user u ON u.id = o.user_id"),
		ordered("SELECT c.name, COUNT(DISTINCT u.score), SUM(DISTINCT u.score) FROM t_city c LEFT JOIN t_user u ON u.city = c.name GROUP BY c.name ORDER BY c.name"),
		ordered("SELECT o.order_id, u.score FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.order_id < 200 ORDER BY o.qty * u.score DESC, o.order_id LIMIT 25"),
		ordered("SELECT o.qty + u.score AS s, COUNT(*), MAX(o.order_id) FROM t_order o JOIN t_user u ON u.id = o.user_id GROUP BY o.qty + u.score ORDER BY s"),
		ordered("SELECT o.qty * 2 AS d, COUNT(*) AS n FROM t_order o JOIN t_user u ON u.ref = o.user_id GROUP BY d HAVING SUM(o.qty * u.score) > ? ORDER BY d", 300),
		ordered("SELECT o.order_id, o.amount * ? + u.score AS x FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.order_id < ? ORDER BY x, o.order_id", 3, 90),
		ordered("SELECT o.order_id FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.order_id < 40 HAVING o.order_id > 3 ORDER BY o.order_id"),
		ordered("SELECT u.name, MAX(o.qty + 1) FROM t_order o JOIN t_user u ON u.id = o.user_id GROUP BY u.name HAVING MAX(o.qty + 1) > 3 ORDER BY u.name"),
		// Empty sides.
		ordered("SELECT o.order_id, u.name FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.order_id < 0 ORDER BY o.order_id"),
		ordered("SELECT u.id, o.order_id FROM t_user u LEFT JOIN t_order o ON o.user_id = u.id AND o.order_id < 0 WHERE u.id < 5 ORDER BY u.id"),
	}
}

// TestCrossJoin compares each shape with the unsharded database, with the
// default batch and with a batch of 5 outer rows (many lookups per query).
func TestCrossJoin(t *testing.T) {
	base := newCrossEnv(t)
	for _, batch := range []int{0, 5} {
		t.Run(fmt.Sprintf("batch %d", batch), func(t *testing.T) {
			env := base
			if batch > 0 {
				env = base.with(t, driver.WithJoinBatch(batch))
			}
			for i, q := range crossQueries() {
				env.check(t, q, fmt.Sprintf("query %d", i))
				env.checkTypes(t, q)
			}
		})
	}
}

// checkTypes compares the result's column types with the oracle's.
func (e *crossEnv) checkTypes(t *testing.T, q diffQuery) {
	t.Helper()
	want, err := runDiffQuery(e.oracle, q.sql, q.args...)
	require.NoError(t, err)
	got, err := runDiffQuery(e.sharded, q.sql, q.args...)
	if err != nil {
		return // reported by check
	}
	require.Equal(t, want.types, got.types, q.sql)
}

// TestCrossJoinExplain: the planner's choice and the batch size are shown.
func TestCrossJoinExplain(t *testing.T) {
	env := newCrossEnv(t, driver.WithJoinBatch(64))
	p, err := driver.Explain(context.Background(), env.sharded, "SELECT o.order_id, u.name FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.amount > 100")
	require.NoError(t, err)
	require.Contains(t, p.String(), "NestedLoopJoin batch 64")
	p, err = driver.Explain(context.Background(), env.sharded, "SELECT o.order_id, v.tier FROM t_order o JOIN t_vip v ON v.user_id = o.user_id")
	require.NoError(t, err)
	require.Contains(t, p.String(), "HashJoin build v")
}

// TestCrossJoinColocatedAntiJoin: NOT EXISTS over a bound table
// correlated on both keys still runs node by node.
func TestCrossJoinColocatedAntiJoin(t *testing.T) {
	env := newCrossEnv(t)
	const q = "SELECT o.order_id FROM t_order o WHERE NOT EXISTS (SELECT 1 FROM t_item i WHERE i.user_id = o.user_id AND i.order_id = o.order_id) ORDER BY o.order_id"
	p, err := driver.Explain(context.Background(), env.sharded, q)
	require.NoError(t, err)
	require.NotContains(t, p.String(), "Join", p.String())
	env.check(t, ordered(q), "co-located anti-join")
	// Correlated on order_id alone it is not co-located: an anti-join.
	const q2 = "SELECT o.order_id FROM t_order o WHERE NOT EXISTS (SELECT 1 FROM t_item i WHERE i.order_id = o.order_id) ORDER BY o.order_id"
	p, err = driver.Explain(context.Background(), env.sharded, q2)
	require.NoError(t, err)
	require.Contains(t, p.String(), "NestedLoopJoin batch 256 when")
	require.Contains(t, p.String(), "), anti on")
	env.check(t, ordered(q2), "anti-join")
}

// TestCrossJoinInTransaction: in a transaction the join's statements run
// on the transaction's connections (the outer rows buffered, as one
// connection cannot stream two results) and see its writes.
func TestCrossJoinInTransaction(t *testing.T) {
	env := newCrossEnv(t, driver.WithJoinBatch(4))
	ctx := context.Background()
	tx, err := env.sharded.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	otx, err := env.oracle.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = otx.Rollback() }()
	for _, x := range []*sql.Tx{tx, otx} {
		_, err := x.Exec("UPDATE t_user SET score = 99 WHERE id <= 20")
		require.NoError(t, err)
	}
	const q = "SELECT o.order_id, u.id, u.score FROM t_order o JOIN t_user u ON u.id = o.user_id WHERE o.order_id < 200 ORDER BY o.order_id"
	read := func(x *sql.Tx) *diffResult {
		rows, err := x.Query(q)
		require.NoError(t, err)
		res, err := scanDiffRows(rows)
		require.NoError(t, err)
		return res
	}
	want, got := read(otx), read(tx)
	require.Empty(t, env.compareResults(ordered(q), want, got))
	require.NotEmpty(t, got.rows)
}

// TestCrossJoinRefused: what the join above the nodes does not evaluate
// is refused, never answered differently.
func TestCrossJoinRefused(t *testing.T) {
	env := newCrossEnv(t)
	for _, q := range []string{
		"SELECT * FROM t_order o JOIN t_vip v ON v.user_id = o.user_id",
		"SELECT CONCAT(u.name, o.status) AS k, COUNT(*) FROM t_order o JOIN t_user u ON u.id = o.user_id GROUP BY k",
		"SELECT o.order_id, u.name FROM t_order o JOIN t_user u ON u.name = o.user_id",
		"SELECT o.order_id, u.name FROM t_order o JOIN t_user u ON u.id = o.price",
		"SELECT u.id, o.order_id FROM t_user u LEFT JOIN t_order o ON o.user_id = u.id AND o.qty > u.score / 5",
		"SELECT u.id, AVG(u.name) FROM t_order o JOIN t_user u ON u.id = o.user_id GROUP BY u.id",
	} {
		// Refused when planned, or at the first row the evaluator
		// cannot compute (a DECIMAL division in ON).
		_, err := runDiffQuery(env.sharded, q)
		require.Error(t, err, q)
		require.True(t, errors.Is(err, driver.ErrUnsupported), "%s: %v", q, err)
		_, err = runDiffQuery(env.oracle, q)
		require.NoError(t, err, q)
	}
}

// TestCrossJoinLimits: a batch matching more inner rows than the memory
// cap fails naming the operator and the option; a cancelled context
// reaches the lookups; a failing inner node fails the statement, naming
// it, before any row.
func TestCrossJoinLimits(t *testing.T) {
	env := newCrossEnv(t, driver.WithMaxMemoryRows(50))
	const q = "SELECT u.id, o.order_id FROM t_user u JOIN t_order o ON o.user_id = u.id"
	_, err := runDiffQuery(env.sharded, q)
	require.ErrorIs(t, err, driver.ErrTooLarge)
	require.ErrorContains(t, err, "NestedLoopJoin")
	require.ErrorContains(t, err, "WithMaxMemoryRows")
	_, err = runDiffQuery(env.sharded, "SELECT u.id, v.tier FROM t_user u JOIN t_vip v ON v.user_id = u.id JOIN t_order o ON o.user_id = v.user_id")
	require.ErrorIs(t, err, driver.ErrTooLarge)

	// Batches of 2 users: the lookups after the first run while the
	// caller reads, and the cancellation reaches them.
	small := env.with(t, driver.WithJoinBatch(2))
	ctx, cancel := context.WithCancel(context.Background())
	rows, err := small.sharded.QueryContext(ctx, "SELECT u.id, o.order_id FROM t_user u JOIN t_order o ON o.user_id = u.id AND o.order_id < 300")
	require.NoError(t, err)
	require.True(t, rows.Next())
	cancel()
	for rows.Next() {
	}
	require.ErrorIs(t, rows.Err(), context.Canceled)
	rows.Close()

	// A DISTINCT aggregate above the join holds each group's values: past
	// the cap it fails naming itself and the option.
	capped := env.with(t, driver.WithJoinBatch(1), driver.WithMaxMemoryRows(50))
	_, err = runDiffQuery(capped.sharded, "SELECT COUNT(DISTINCT o.order_id) FROM t_user u JOIN t_order o ON o.user_id = u.id")
	require.ErrorIs(t, err, driver.ErrTooLarge)
	require.ErrorContains(t, err, "DISTINCT aggregate")
	require.ErrorContains(t, err, "WithMaxMemoryRows")

	// Drop one inner node's table: the lookup that reaches it fails.
	admin := direct(t, env.servers[1])
	_, err = admin.Exec("RENAME TABLE t_order_2 TO t_order_2_gone")
	require.NoError(t, err)
	defer func() { _, _ = admin.Exec("RENAME TABLE t_order_2_gone TO t_order_2") }()
	start := time.Now()
	res, err := runDiffQuery(env.sharded, "SELECT u.id, o.order_id FROM t_user u JOIN t_order o ON o.user_id = u.id AND o.order_id < 5")
	require.Error(t, err, "rows: %v", res)
	require.ErrorContains(t, err, "t_order_2")
	require.Less(t, time.Since(start), 30*time.Second)
}

// checkExactOrRefused runs q: refused (ErrUnsupported, naming want), or
// the oracle's rows as a multiset. The oracle must answer either way.
func (e *diffEnv) checkExactOrRefused(t *testing.T, q, want string) {
	t.Helper()
	if _, err := runDiffQuery(e.sharded, q); err != nil {
		require.True(t, errors.Is(err, driver.ErrUnsupported), "%s: %v", q, err)
		require.ErrorContains(t, err, want, q)
		_, err = runDiffQuery(e.oracle, q)
		require.NoError(t, err, q)
		return
	}
	e.check(t, unordered(q), "exact or refused")
}

// TestCrossJoinHashInner: a sharded inner table whose own conditions
// route it to one node is read once into a HashJoin; past the memory cap
// the HashJoin hands over to the nested-loop lookups, exact either way.
func TestCrossJoinHashInner(t *testing.T) {
	env := newCrossEnv(t)
	const q = "SELECT o.order_id, i.item_id, i.qty FROM t_order o JOIN t_item i ON i.order_id = o.order_id AND i.user_id = 7 WHERE o.order_id < 1200"
	p, err := driver.Explain(context.Background(), env.sharded, q)
	require.NoError(t, err)
	require.Contains(t, p.String(), "HashJoin build i (at most", p.String())
	require.Contains(t, p.String(), "NestedLoopJoin batch 256 when", p.String())
	env.check(t, unordered(q), "hash join")
	left := "SELECT u.id, i.item_id FROM t_user u LEFT JOIN t_item i ON i.order_id = u.ref AND i.user_id = 7"
	env.check(t, unordered(left), "hash left join")

	// The build side has more rows than the cap; each batch of 2 outer
	// rows matches fewer: the lookups answer.
	var build int
	require.NoError(t, env.oracle.QueryRow("SELECT COUNT(*) FROM t_item WHERE user_id = 7").Scan(&build))
	const limit = 6
	require.Greater(t, build, limit)
	small := env.with(t, driver.WithMaxMemoryRows(limit), driver.WithJoinBatch(2))
	small.check(t, unordered(q), "hash join past the cap")
	res, err := runDiffQuery(small.sharded, q)
	require.NoError(t, err)
	require.NotEmpty(t, res.rows)
}

// TestCrossJoinHavingAlias: a HAVING name that is both a select alias and
// a column resolves as MySQL resolves it, or is refused.
func TestCrossJoinHavingAlias(t *testing.T) {
	env := newCrossEnv(t)
	env.checkExactOrRefused(t, "SELECT u.name, COUNT(*) AS score FROM t_order o JOIN t_user u ON u.id = o.user_id GROUP BY u.name HAVING score > 20", "HAVING score")
	env.checkExactOrRefused(t, "SELECT u.name, COUNT(*) AS name FROM t_order o JOIN t_user u ON u.id = o.user_id GROUP BY u.name HAVING name > 'user2'", "HAVING name")
	env.check(t, ordered("SELECT u.name AS name, COUNT(*) AS n FROM t_order o JOIN t_user u ON u.id = o.user_id GROUP BY u.name HAVING name > 'user2' ORDER BY name"), "alias of the GROUP BY column")
}
