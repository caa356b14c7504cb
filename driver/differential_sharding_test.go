package driver_test

import (
	"database/sql"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// The second half of the differential schema: a monthly t_log (Interval
// sharding over 12 nodes on 2 data sources), t_range (Range sharding),
// t_order_item bound to t_order, and t_merchant, a broadcast table.

var extraDDL = []string{
	`CREATE TABLE t_log (
		id BIGINT NOT NULL PRIMARY KEY,
		created DATETIME NOT NULL,
		level VARCHAR(8) NOT NULL,
		ms INT NULL)`,
	`CREATE TABLE t_range (k BIGINT NOT NULL PRIMARY KEY, v INT NOT NULL)`,
	`CREATE TABLE t_order_item (
		item_id BIGINT NOT NULL PRIMARY KEY,
		order_id BIGINT NOT NULL,
		user_id BIGINT NOT NULL,
		sku VARCHAR(16) NOT NULL,
		qty INT NOT NULL)`,
	`CREATE TABLE t_merchant (sku VARCHAR(16) NOT NULL PRIMARY KEY, merchant VARCHAR(32) NOT NULL)`,
}

// addExtraTables registers the extra tables in topo.
func addExtraTables(t testing.TB, topo *shard.Topology) {
	t.Helper()
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_log", Column: "created",
		Nodes:     "ds0.t_log_${2025-01..2025-06|month|200601}, ds1.t_log_${2025-07..2025-12|month|200601}",
		Algorithm: shard.Interval(shard.Month, "200601")}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_range", Column: "k",
		Nodes: "ds${0..1}.t_range_${0..1}", Algorithm: shard.Range(100, 200, 300)}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order_item", Column: "user_id",
		Nodes: "ds${0..1}.t_order_item_${0..3}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.Bind("t_order", "t_order_item"))
	require.NoError(t, topo.AddBroadcastTable("t_merchant"))
}

// loadExtraTables creates and fills the extra tables through db.
func loadExtraTables(t testing.TB, db *sql.DB, orders []diffRow) {
	t.Helper()
	for _, ddl := range extraDDL {
		_, err := db.Exec(ddl)
		require.NoError(t, err)
	}
	r := rand.New(rand.NewSource(2))
	insert := func(head string, rows [][]any) {
		for start := 0; start < len(rows); start += 200 {
			end := min(start+200, len(rows))
			var sb strings.Builder
			var args []any
			sb.WriteString(head)
			for i, row := range rows[start:end] {
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString("(" + strings.TrimSuffix(strings.Repeat("?, ", len(row)), ", ") + ")")
				args = append(args, row...)
			}
			_, err := db.Exec(sb.String(), args...)
			require.NoError(t, err, sb.String()[:60])
		}
	}
	// t_log: random instants in 2025 plus exact month boundaries.
	var logs [][]any
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 1200; i++ {
		at := base.Add(time.Duration(r.Int63n(int64(365 * 24 * time.Hour))).Truncate(time.Second))
		switch i % 50 {
		case 0:
			at = time.Date(2025, time.Month(i/50%12+1), 1, 0, 0, 0, 0, time.UTC)
		case 1:
			at = time.Date(2025, time.Month(i/50%12+2), 1, 0, 0, 0, 0, time.UTC).Add(-time.Second)
		}
		var ms any
		if r.Intn(10) > 0 {
			ms = r.Intn(5000)
		}
		logs = append(logs, []any{i + 1, at, []string{"INFO", "info", "WARN", "ERROR"}[r.Intn(4)], ms})
	}
	insert("INSERT INTO t_log (id, created, level, ms) VALUES ", logs)

	var ranges [][]any
	for k := -50; k < 450; k++ {
		ranges = append(ranges, []any{k, r.Intn(1000) - 500})
	}
	insert("INSERT INTO t_range (k, v) VALUES ", ranges)

	var items [][]any
	for i := 0; i < 3000; i++ {
		o := orders[r.Intn(len(orders))]
		items = append(items, []any{i + 1, o.orderID, o.userID, fmt.Sprintf("sku-%02d", r.Intn(20)+1), r.Intn(9) + 1})
	}
	insert("INSERT INTO t_order_item (item_id, order_id, user_id, sku, qty) VALUES ", items)

	var merchants [][]any
	for i := 1; i <= 15; i++ {
		merchants = append(merchants, []any{fmt.Sprintf("sku-%02d", i), []string{"Acme", "acme", "Zeta", "Beta"}[i%4] + fmt.Sprint(i%3)})
	}
	insert("INSERT INTO t_merchant (sku, merchant) VALUES ", merchants)
}

// shardingQueries are the time, range, join, broadcast and subquery
// queries of the differential suite.
func shardingQueries() []diffQuery {
	t1 := time.Date(2025, 4, 20, 12, 0, 0, 0, time.UTC)
	t2 := time.Date(2025, 6, 3, 8, 30, 0, 0, time.UTC)
	const join = "t_order o JOIN t_order_item i ON o.user_id = i.user_id AND o.order_id = i.order_id"
	return []diffQuery{
		// Interval (monthly) table.
		ordered("SELECT id, created FROM t_log WHERE created BETWEEN '2025-03-01' AND '2025-03-31 23:59:59' ORDER BY created, id"),
		ordered("SELECT id FROM t_log WHERE created >= '2025-06-15' AND created < '2025-08-01' ORDER BY id"),
		ordered("SELECT id FROM t_log WHERE created < '2025-02-01' ORDER BY id"),
		ordered("SELECT id FROM t_log WHERE created <= '2025-02-01' ORDER BY id"),
		ordered("SELECT id FROM t_log WHERE created > '2025-11-30 23:59:59' ORDER BY id"),
		ordered("SELECT id FROM t_log WHERE '2025-05-01' <= created AND created < '2025-05-02' ORDER BY id"),
		ordered("SELECT id FROM t_log WHERE created BETWEEN ? AND ? ORDER BY id", t1, t2),
		ordered("SELECT id FROM t_log WHERE created < '2025-01-15' OR created >= '2025-12-20' ORDER BY id"),
		unordered("SELECT COUNT(*) FROM t_log WHERE created >= '2030-01-01'"),
		unordered("SELECT COUNT(*), MIN(created) FROM t_log WHERE created BETWEEN '2026-01-01' AND '2026-12-31'"),
		ordered("SELECT id FROM t_log WHERE created = '2025-04-01 00:00:00' ORDER BY id"),
		ordered("SELECT id FROM t_log WHERE created IN ('2025-04-01 00:00:00', '2025-09-30 23:59:59') ORDER BY id"),
		ordered("SELECT MONTH(created) AS m, COUNT(*), MAX(ms) FROM t_log GROUP BY m ORDER BY m"),
		ordered("SELECT level, COUNT(*) FROM t_log WHERE created >= '2025-07-01' GROUP BY level ORDER BY level"),
		ordered("SELECT id, created FROM t_log WHERE created > '2025-02-10' ORDER BY created DESC, id LIMIT 15"),
		unordered("SELECT AVG(ms), SUM(ms) FROM t_log WHERE created BETWEEN '2025-01-01' AND '2025-06-30 23:59:59'"),
		ordered("SELECT id FROM t_log WHERE created NOT BETWEEN '2025-02-01' AND '2025-11-30' ORDER BY id"),
		ordered("SELECT id FROM t_log WHERE created != '2025-04-01 00:00:00' AND created < '2025-01-05' ORDER BY id"),
		ordered("SELECT DISTINCT level FROM t_log WHERE created BETWEEN '2025-08-01' AND '2025-08-31' ORDER BY level"),
		ordered("SELECT id FROM t_log WHERE created > ? ORDER BY id LIMIT 10", t2),
		ordered("SELECT id FROM t_log WHERE created >= '2025-10-01' AND created < '2025-10-01' ORDER BY id"),
		// Range table.
		ordered("SELECT k FROM t_range WHERE k >= 150 AND k < 250 ORDER BY k"),
		ordered("SELECT k FROM t_range WHERE k < 100 ORDER BY k"),
		ordered("SELECT k FROM t_range WHERE k BETWEEN 199 AND 200 ORDER BY k"),
		ordered("SELECT k FROM t_range WHERE k > 299 OR k < -40 ORDER BY k"),
		unordered("SELECT COUNT(*), SUM(v) FROM t_range WHERE k >= 300"),
		ordered("SELECT k, v FROM t_range WHERE k IN (5, 105, 205, 305, 1000) ORDER BY k"),
		unordered("SELECT COUNT(*) FROM t_range WHERE k > 10000"),
		ordered("SELECT k FROM t_range WHERE k >= ? AND k <= ? ORDER BY k DESC", 95, 105),
		// Bound tables joined on the sharding column.
		ordered("SELECT o.order_id, i.item_id, i.sku FROM " + join + " WHERE o.user_id = 5 ORDER BY i.item_id"),
		ordered("SELECT o.order_id, i.item_id FROM " + join + " ORDER BY i.item_id LIMIT 25"),
		ordered("SELECT o.status, COUNT(*), SUM(i.qty) FROM " + join + " GROUP BY o.status ORDER BY o.status"),
		unordered("SELECT COUNT(*) FROM t_order o, t_order_item i WHERE o.user_id = i.user_id AND o.order_id = i.order_id"),
		ordered("SELECT o.order_id, i.item_id FROM t_order o LEFT JOIN t_order_item i ON o.user_id = i.user_id AND o.order_id = i.order_id WHERE o.user_id IN (3, 4) ORDER BY o.order_id, i.item_id"),
		ordered("SELECT i.sku, MAX(o.amount) FROM " + join + " GROUP BY i.sku ORDER BY i.sku"),
		ordered("SELECT DISTINCT i.sku FROM " + join + " WHERE o.amount > 0 ORDER BY i.sku"),
		ordered("SELECT o.user_id, COUNT(DISTINCT i.sku) FROM " + join + " WHERE o.user_id BETWEEN 20 AND 30 GROUP BY o.user_id ORDER BY o.user_id"),
		// Broadcast table, alone and joined.
		ordered("SELECT i.item_id, m.merchant FROM t_order_item i JOIN t_merchant m ON i.sku = m.sku ORDER BY i.item_id LIMIT 30"),
		ordered("SELECT m.merchant, COUNT(*) AS n FROM t_order_item i JOIN t_merchant m ON i.sku = m.sku GROUP BY m.merchant ORDER BY n DESC, m.merchant"),
		ordered("SELECT o.order_id, i.item_id, m.merchant FROM " + join + " JOIN t_merchant m ON m.sku = i.sku WHERE o.user_id BETWEEN 10 AND 12 ORDER BY i.item_id"),
		ordered("SELECT * FROM t_merchant ORDER BY sku"),
		unordered("SELECT COUNT(*) FROM t_merchant"),
		// Subqueries that stay on one node.
		ordered("SELECT order_id FROM t_order WHERE user_id = 7 AND order_id IN (SELECT order_id FROM t_order_item WHERE user_id = 7) ORDER BY order_id"),
		unordered("SELECT COUNT(*) FROM (SELECT order_id FROM t_order WHERE user_id = 9) AS x"),
		ordered("SELECT order_id, (SELECT COUNT(*) FROM t_order_item i WHERE i.user_id = 11 AND i.order_id = o.order_id) AS n FROM t_order o WHERE o.user_id = 11 ORDER BY order_id"),
		ordered("SELECT sku FROM t_merchant WHERE sku IN (SELECT sku FROM t_order_item WHERE user_id = 13) ORDER BY sku"),
		ordered("SELECT o.order_id FROM t_order o WHERE o.user_id = 3 AND EXISTS (SELECT 1 FROM t_merchant m WHERE m.sku = 'sku-01') ORDER BY o.order_id"),
	}
}
