package peers

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"testing"

	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/sharding"

	"github.com/shardsql/shardsql/driver"
)

// TestRouting checks that both sharding layers put every loaded row where
// their algorithm says and that every layer reads loaded rows back by key.
func TestRouting(t *testing.T) {
	e := setup(t)
	ctx := context.Background()

	for i := 0; i < shards; i++ {
		table := fmt.Sprintf("t_order_%d", i)

		// gorm.io/sharding: table i holds exactly the rows with user_id % 8 == i.
		var wrong int
		q := fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE order_id <= ? AND user_id %% %d != %d", table, shards, i)
		if err := e.gormPool.QueryRowContext(ctx, q, rows).Scan(&wrong); err != nil {
			t.Fatal(err)
		}
		if wrong != 0 {
			t.Errorf("gorm.io/sharding: %d rows in %s do not belong there", wrong, table)
		}

		// shardsql: every row of table i is routed to table i.
		rs, err := e.shardsqlPool.QueryContext(ctx, "SELECT order_id, user_id FROM "+table+" WHERE order_id <= ?", rows)
		if err != nil {
			t.Fatal(err)
		}
		for rs.Next() {
			var oid, uid int64
			if err := rs.Scan(&oid, &uid); err != nil {
				t.Fatal(err)
			}
			plan, err := driver.Explain(ctx, e.shardsqlDB, selectSQL, uid, oid)
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Units) != 1 || plan.Units[0].Node.Table != table {
				t.Fatalf("shardsql: row %d (user %d) is in %s, plan says %v", oid, uid, table, plan)
			}
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		rs.Close()
	}

	for _, l := range e.layers {
		for oid := int64(1); oid <= rows; oid += 7 {
			o, err := l.get(ctx, userOf(oid), oid)
			if err != nil {
				t.Fatalf("%s: order %d: %v", l.name, oid, err)
			}
			if o.OrderID != oid || o.UserID != userOf(oid) || o.Amount != amountOf(oid) {
				t.Fatalf("%s: order %d: got %+v", l.name, oid, o)
			}
		}
	}
}

// TestGormShardingQuirks records how gorm.io/sharding v0.6.1 behaves off the
// happy path. It logs rather than fails: these are observations of the peer.
func TestGormShardingQuirks(t *testing.T) {
	e := setup(t)
	ctx := context.Background()

	// A statement without the sharding key: Exec and Rows report
	// ErrMissingShardingKey, but Row() (QueryRowContext) drops the routing
	// error and sends the statement to the logical table unchanged.
	var o Order
	err := e.gormShard.Raw("SELECT order_id, user_id, amount FROM t_order WHERE order_id = ?", int64(5)).Row().Scan(&o.OrderID, &o.UserID, &o.Amount)
	t.Logf("Row() without sharding key: %v", err)
	err = e.gormShard.Raw("SELECT order_id, user_id, amount FROM t_order WHERE order_id = ?", int64(5)).Scan(&o).Error
	t.Logf("Scan() without sharding key: %v", err)

	// IN on the sharding key is not routed.
	var os []Order
	err = e.gormShard.Where("user_id IN ?", []int64{1, 2}).Find(&os).Error
	t.Logf("user_id IN (…): %v", err)

	// The key on the right-hand side is not found.
	err = e.gormShard.Raw("SELECT order_id, user_id, amount FROM t_order WHERE ? = user_id AND order_id = ?", userOf(5), int64(5)).Scan(&o).Error
	t.Logf("? = user_id: %v", err)

	// A qualified column (t_order.user_id) is not recognised as the key.
	err = e.gormShard.Raw("SELECT order_id, user_id, amount FROM t_order WHERE t_order.user_id = ? AND order_id = ?", userOf(5), int64(5)).Scan(&o).Error
	t.Logf("t_order.user_id = ?: %v", err)

	// With gorm's default transaction around Create: does the insert still
	// go through the plugin, and is it in a transaction?
	db, err := gorm.Open(gormmysql.New(gormmysql.Config{Conn: e.gormPool}), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Use(sharding.Register(gormShardingConfig(), "t_order")); err != nil {
		t.Fatal(err)
	}
	oid := nextID.Add(1)
	err = db.Create(&Order{OrderID: oid, UserID: oid%users + 1, Amount: amount}).Error
	var n int
	_ = e.gormPool.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM t_order_%d WHERE order_id = ?", (oid%users+1)%shards), oid).Scan(&n)
	t.Logf("Create with default transaction: err=%v, row in its table: %d", err, n)
}

// TestStatementsPerOp logs, per layer and workload, the commands the server
// received per operation (from SHOW GLOBAL STATUS), to check that every
// layer does the same work on the server: with go-sql-driver's default
// interpolateParams=false a statement with arguments is a prepare, an
// execute and a close.
func TestStatementsPerOp(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	counters := []string{"Com_stmt_prepare", "Com_stmt_execute", "Com_stmt_close", "Com_select", "Com_insert", "Com_begin", "Com_commit", "Questions"}
	status := func() map[string]int64 {
		m := map[string]int64{}
		rs, err := e.plain.QueryContext(ctx, "SHOW GLOBAL STATUS")
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		for rs.Next() {
			var k string
			var v sql.RawBytes
			if err := rs.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
				m[k] = n
			}
		}
		return m
	}
	const ops = 200
	for _, l := range e.layers {
		for _, w := range []string{"select", "insert"} {
			before := status()
			for i := int64(1); i <= ops; i++ {
				var err error
				if w == "select" {
					_, err = l.get(ctx, userOf(i), i)
				} else {
					oid := nextID.Add(1)
					err = l.insert(ctx, oid, oid%users+1)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			after := status()
			var b strings.Builder
			for _, c := range counters {
				// SHOW GLOBAL STATUS itself is one Questions/Com_* of its own.
				fmt.Fprintf(&b, " %s=%.2f", c, float64(after[c]-before[c])/ops)
			}
			t.Logf("%-19s %-6s%s", l.name, w, b.String())
		}
	}
}
