// Package peers compares shardsql with gorm.io/sharding v0.6.1 and with the
// plain go-sql-driver/mysql on one throwaway MariaDB server. It is a module
// of its own so that shardsql itself does not depend on gorm.
//
// Each layer gets its own database on the same mariadbd:
//
//	peer_plain     t_order, one unsharded table       (go-sql-driver; gorm without the plugin)
//	peer_shardsql  t_order_0 … t_order_7              (shardsql, Hash over ds0.t_order_${0..7})
//	peer_gorm      t_order_0 … t_order_7              (gorm.io/sharding, user_id % 8)
//
// so every layer sends the same logical SQL ("… FROM t_order …") and a
// statement that a sharding layer failed to route finds no t_order table
// and fails instead of silently hitting the wrong rows. The rows are loaded
// through each layer's own sharding.
//
// Run: go test -run XXX -bench . -benchtime 2s -count 3 .
package peers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/sharding"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

const (
	rows      = 20000 // rows loaded into every layout
	users     = 1000  // distinct user_id values in the loaded rows
	shards    = 8     // physical tables per sharded layout
	poolSize  = 16    // MaxOpenConns and MaxIdleConns of every *sql.DB
	conc      = 16    // goroutines of the parallel runs
	batchRows = 500   // rows per multi-row INSERT while loading

	createSQL = "CREATE TABLE %s (order_id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, " +
		"amount DECIMAL(10,2) NOT NULL, KEY idx_user (user_id)) ENGINE=InnoDB"
	selectSQL = "SELECT order_id, user_id, amount FROM t_order WHERE user_id = ? AND order_id = ?"
	insertSQL = "INSERT INTO t_order (order_id, user_id, amount) VALUES (?, ?, ?)"
	amount    = "12.34" // amount of every row inserted by the benchmarks
)

// Order is the gorm model of t_order.
type Order struct {
	OrderID int64  `gorm:"column:order_id;primaryKey;autoIncrement:false"`
	UserID  int64  `gorm:"column:user_id"`
	Amount  string `gorm:"column:amount"`
}

// TableName is the logical table name for gorm and gorm.io/sharding.
func (Order) TableName() string { return "t_order" }

// userOf is the user_id of loaded order id (1..rows).
func userOf(id int64) int64 { return id%users + 1 }

// amountOf is the amount of loaded order id.
func amountOf(id int64) string { return fmt.Sprintf("%d.%02d", id%1000, id%100) }

// nextID hands out order ids for the insert benchmarks, unique across all
// layers and runs of one process (the servers are new for every process).
var nextID atomic.Int64

func init() { nextID.Store(1_000_000_000) }

// layer is one way of running the two workloads.
type layer struct {
	name   string
	get    func(ctx context.Context, uid, oid int64) (Order, error)
	insert func(ctx context.Context, oid, uid int64) error
}

// env is the shared benchmark environment, built once per process.
type env struct {
	srv    *shardtest.Server
	pools  []*sql.DB // every pool opened, closed by TestMain
	layers []layer

	plain        *sql.DB  // peer_plain, go-sql-driver
	shardsqlDB   *sql.DB  // shardsql over peer_shardsql
	gormShard    *gorm.DB // gorm.io/sharding over peer_gorm
	gormPlain    *gorm.DB // gorm without the plugin over peer_plain
	shardsqlPool *sql.DB  // go-sql-driver pool of peer_shardsql (shardsql's ds0)
	gormPool     *sql.DB  // go-sql-driver pool of peer_gorm
}

var (
	setupOnce sync.Once
	theEnv    *env
	setupErr  error
	skipMsg   string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if theEnv != nil {
		theEnv.close()
	}
	os.Exit(code)
}

// setup returns the environment, starting MariaDB and loading the data on
// first use; it skips when mariadbd is not installed (unless
// SHARDSQL_REQUIRE_MARIADB=1).
func setup(tb testing.TB) *env {
	tb.Helper()
	setupOnce.Do(func() {
		if !shardtest.HaveMariaDB() {
			skipMsg = "mariadbd not found; install mariadb-server to run the peer comparison"
			return
		}
		theEnv, setupErr = newEnv()
	})
	if skipMsg != "" {
		if os.Getenv(shardtest.RequireMariaDBEnv) == "1" {
			tb.Fatal(skipMsg)
		}
		tb.Skip(skipMsg)
	}
	if setupErr != nil {
		tb.Fatal(setupErr)
	}
	return theEnv
}

func (e *env) close() {
	for i := len(e.pools) - 1; i >= 0; i-- {
		_ = e.pools[i].Close()
	}
	if e.srv != nil {
		_ = e.srv.Close()
	}
}

// openPool opens a go-sql-driver pool on database name of the server with
// the common pool settings.
func (e *env) openPool(name string) (*sql.DB, error) {
	cfg, err := gomysql.ParseDSN(e.srv.DSN())
	if err != nil {
		return nil, err
	}
	cfg.DBName = name
	c, err := gomysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(c)
	e.pool(db)
	return db, nil
}

// pool applies the common pool settings and remembers db for closing.
func (e *env) pool(db *sql.DB) {
	db.SetMaxOpenConns(poolSize)
	db.SetMaxIdleConns(poolSize)
	e.pools = append(e.pools, db)
}

func newEnv() (e *env, err error) {
	servers, err := shardtest.StartMariaDB(1, "bench")
	if err != nil {
		return nil, err
	}
	e = &env{srv: servers[0]}
	defer func() {
		if err != nil {
			e.close()
			e = nil
		}
	}()
	ctx := context.Background()

	admin, err := e.openPool("bench")
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"peer_plain", "peer_shardsql", "peer_gorm"} {
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			return nil, err
		}
	}

	// Plain go-sql-driver, one table.
	if e.plain, err = e.openPool("peer_plain"); err != nil {
		return nil, err
	}
	if _, err := e.plain.ExecContext(ctx, fmt.Sprintf(createSQL, "t_order")); err != nil {
		return nil, fmt.Errorf("plain: %w", err)
	}

	// shardsql: Hash over ds0.t_order_${0..7}; the tables are created by
	// shardsql's DDL fan-out.
	if e.shardsqlPool, err = e.openPool("peer_shardsql"); err != nil {
		return nil, err
	}
	topo := shard.NewTopology()
	if err := topo.AddDB("ds0", e.shardsqlPool); err != nil {
		return nil, err
	}
	if err := topo.AddTable(shard.Table{Name: "t_order", Column: "user_id",
		Nodes: fmt.Sprintf("ds0.t_order_${0..%d}", shards-1), Algorithm: shard.Hash()}); err != nil {
		return nil, err
	}
	connector, err := driver.NewConnector(topo)
	if err != nil {
		return nil, err
	}
	e.shardsqlDB = sql.OpenDB(connector)
	e.pool(e.shardsqlDB)
	if _, err := e.shardsqlDB.ExecContext(ctx, fmt.Sprintf(createSQL, "t_order")); err != nil {
		return nil, fmt.Errorf("shardsql: %w", err)
	}

	// gorm.io/sharding: t_order_0..7 by user_id % 8. Its README example
	// creates the physical tables itself before registering the plugin.
	if e.gormPool, err = e.openPool("peer_gorm"); err != nil {
		return nil, err
	}
	for i := 0; i < shards; i++ {
		if _, err := e.gormPool.ExecContext(ctx, fmt.Sprintf(createSQL, fmt.Sprintf("t_order_%d", i))); err != nil {
			return nil, fmt.Errorf("gorm: %w", err)
		}
	}
	if e.gormShard, err = openGorm(e.gormPool); err != nil {
		return nil, err
	}
	if err := e.gormShard.Use(sharding.Register(gormShardingConfig(), "t_order")); err != nil {
		return nil, fmt.Errorf("gorm.io/sharding: %w", err)
	}

	// gorm without the plugin on the unsharded table: separates gorm's own
	// cost from the plugin's.
	gormPlainPool, err := e.openPool("peer_plain")
	if err != nil {
		return nil, err
	}
	if e.gormPlain, err = openGorm(gormPlainPool); err != nil {
		return nil, err
	}

	// Load the same rows through each layer's own sharding.
	if err := loadSQL(ctx, e.plain); err != nil {
		return nil, fmt.Errorf("load plain: %w", err)
	}
	if err := loadSQL(ctx, e.shardsqlDB); err != nil {
		return nil, fmt.Errorf("load shardsql: %w", err)
	}
	if err := loadGormSharding(e.gormShard); err != nil {
		return nil, fmt.Errorf("load gorm.io/sharding: %w", err)
	}
	if err := e.checkCounts(ctx); err != nil {
		return nil, err
	}

	e.layers = []layer{
		{"plain", sqlGet(e.plain), sqlInsert(e.plain)},
		{"shardsql", sqlGet(e.shardsqlDB), sqlInsert(e.shardsqlDB)},
		{"gormsharding-raw", gormRawGet(e.gormShard), gormRawInsert(e.gormShard)},
		{"gormsharding-model", gormModelGet(e.gormShard), gormModelInsert(e.gormShard)},
		{"gorm-raw", gormRawGet(e.gormPlain), gormRawInsert(e.gormPlain)},
		{"gorm-model", gormModelGet(e.gormPlain), gormModelInsert(e.gormPlain)},
	}
	if err := e.warm(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// gormShardingConfig is gorm.io/sharding's configuration: 8 tables by
// user_id % 8 (suffix "_0".."_7"). The table's key is order_id, not "id",
// so the primary key generator is PKCustom returning 0, which the plugin
// documents as "don't auto-fill id" (PKSnowflake would append an id column).
func gormShardingConfig() sharding.Config {
	return sharding.Config{
		ShardingKey:    "user_id",
		NumberOfShards: shards,
		ShardingAlgorithm: func(v any) (string, error) {
			var uid int64
			switch v := v.(type) {
			case int64:
				uid = v
			case int:
				uid = int64(v)
			case string: // a literal in the SQL text
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return "", err
				}
				uid = n
			default:
				return "", fmt.Errorf("user_id of type %T", v)
			}
			return "_" + strconv.FormatInt(uid%shards, 10), nil
		},
		PrimaryKeyGenerator:   sharding.PKCustom,
		PrimaryKeyGeneratorFn: func(int64) int64 { return 0 },
	}
}

// openGorm opens gorm on an existing pool. The default transaction around
// every Create is turned off (gorm's documented performance setting), so
// that an insert is one statement through every layer, and the logger is
// silent.
func openGorm(pool *sql.DB) (*gorm.DB, error) {
	return gorm.Open(gormmysql.New(gormmysql.Config{Conn: pool}), &gorm.Config{
		SkipDefaultTransaction: true,
		Logger:                 logger.Discard,
	})
}

// loadSQL loads the rows through a database/sql pool (plain or shardsql;
// shardsql splits each multi-row INSERT per node).
func loadSQL(ctx context.Context, db *sql.DB) error {
	var ids []int64
	for id := int64(1); id <= rows; id++ {
		ids = append(ids, id)
	}
	for len(ids) > 0 {
		n := min(batchRows, len(ids))
		q, args := batchInsert(ids[:n])
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// loadGormSharding loads the rows through gorm.io/sharding. It refuses a
// multi-row INSERT whose rows go to different tables
// (ErrInsertDiffSuffix), so rows are batched per table.
func loadGormSharding(db *gorm.DB) error {
	perTable := make([][]int64, shards)
	for id := int64(1); id <= rows; id++ {
		t := userOf(id) % shards
		perTable[t] = append(perTable[t], id)
	}
	for _, ids := range perTable {
		for len(ids) > 0 {
			n := min(batchRows, len(ids))
			q, args := batchInsert(ids[:n])
			if err := db.Exec(q, args...).Error; err != nil {
				return err
			}
			ids = ids[n:]
		}
	}
	return nil
}

// batchInsert is a multi-row INSERT of the loaded rows ids.
func batchInsert(ids []int64) (string, []any) {
	var b strings.Builder
	b.WriteString("INSERT INTO t_order (order_id, user_id, amount) VALUES ")
	args := make([]any, 0, 3*len(ids))
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?)")
		args = append(args, id, userOf(id), amountOf(id))
	}
	return b.String(), args
}

// checkCounts checks that every layout holds the rows and that both
// sharded layouts spread them over all 8 tables.
func (e *env) checkCounts(ctx context.Context) error {
	var n int
	if err := e.plain.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_order").Scan(&n); err != nil || n != rows {
		return fmt.Errorf("plain: %d rows (%v), want %d", n, err, rows)
	}
	for _, p := range []struct {
		name string
		db   *sql.DB
	}{{"shardsql", e.shardsqlPool}, {"gorm.io/sharding", e.gormPool}} {
		total := 0
		for i := 0; i < shards; i++ {
			var c int
			if err := p.db.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM t_order_%d", i)).Scan(&c); err != nil {
				return fmt.Errorf("%s: t_order_%d: %w", p.name, i, err)
			}
			if c == 0 {
				return fmt.Errorf("%s: t_order_%d is empty", p.name, i)
			}
			total += c
		}
		if total != rows {
			return fmt.Errorf("%s: %d rows in the physical tables, want %d", p.name, total, rows)
		}
	}
	return nil
}

// warm opens poolSize connections in every pool by running conc point
// selects at once through every layer.
func (e *env) warm(ctx context.Context) error {
	for _, l := range e.layers {
		var wg sync.WaitGroup
		errs := make([]error, conc)
		for g := 0; g < conc; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; k < 20; k++ {
					oid := int64(g*20+k) + 1
					if _, err := l.get(ctx, userOf(oid), oid); err != nil {
						errs[g] = fmt.Errorf("warm %s: %w", l.name, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
	}
	return nil
}

// --- the layers ---

func sqlGet(db *sql.DB) func(context.Context, int64, int64) (Order, error) {
	return func(ctx context.Context, uid, oid int64) (Order, error) {
		var o Order
		err := db.QueryRowContext(ctx, selectSQL, uid, oid).Scan(&o.OrderID, &o.UserID, &o.Amount)
		return o, err
	}
}

func sqlInsert(db *sql.DB) func(context.Context, int64, int64) error {
	return func(ctx context.Context, oid, uid int64) error {
		_, err := db.ExecContext(ctx, insertSQL, oid, uid, amount)
		return err
	}
}

// gormRawGet is gorm's raw SQL path with the same SQL text: db.Raw(…).Row()
// and a database/sql Scan, so that gorm's reflection scan is not measured.
func gormRawGet(db *gorm.DB) func(context.Context, int64, int64) (Order, error) {
	return func(ctx context.Context, uid, oid int64) (Order, error) {
		var o Order
		err := db.WithContext(ctx).Raw(selectSQL, uid, oid).Row().Scan(&o.OrderID, &o.UserID, &o.Amount)
		return o, err
	}
}

func gormRawInsert(db *gorm.DB) func(context.Context, int64, int64) error {
	return func(ctx context.Context, oid, uid int64) error {
		return db.WithContext(ctx).Exec(insertSQL, oid, uid, amount).Error
	}
}

// gormModelGet is the idiomatic gorm point read:
// SELECT * FROM `t_order` WHERE user_id = ? AND order_id = ? LIMIT 1.
func gormModelGet(db *gorm.DB) func(context.Context, int64, int64) (Order, error) {
	return func(ctx context.Context, uid, oid int64) (Order, error) {
		var o Order
		err := db.WithContext(ctx).Where("user_id = ? AND order_id = ?", uid, oid).Take(&o).Error
		return o, err
	}
}

// gormModelInsert is the idiomatic gorm insert:
// INSERT INTO `t_order` (`order_id`,`user_id`,`amount`) VALUES (?,?,?).
func gormModelInsert(db *gorm.DB) func(context.Context, int64, int64) error {
	return func(ctx context.Context, oid, uid int64) error {
		return db.WithContext(ctx).Create(&Order{OrderID: oid, UserID: uid, Amount: amount}).Error
	}
}

// --- benchmarks ---

// cpuTime is the CPU time (user + system) this process has used so far.
// MariaDB runs in its own process, so it is not counted.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the client process's CPU time per operation since start
// as cpu-ns/op: the cost of the layer itself (driver, routing, gorm), which
// a loaded machine distorts far less than wall-clock ns/op.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// parallelism is the SetParallelism argument that gives conc goroutines
// (at least conc when conc is not a multiple of GOMAXPROCS).
func parallelism() int {
	p := runtime.GOMAXPROCS(0)
	return (conc + p - 1) / p
}

// BenchmarkPointSelect reads one row by its full key (user_id, order_id)
// chosen at random among the loaded rows.
func BenchmarkPointSelect(b *testing.B) {
	e := setup(b)
	ctx := context.Background()
	for _, l := range e.layers {
		b.Run("layer="+l.name+"/conc=1", func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			defer func() { reportCPU(b, start) }()
			for b.Loop() {
				oid := rand.Int64N(rows) + 1
				o, err := l.get(ctx, userOf(oid), oid)
				if err != nil {
					b.Fatal(err)
				}
				if o.OrderID != oid {
					b.Fatalf("got order %d, want %d", o.OrderID, oid)
				}
			}
		})
		b.Run(fmt.Sprintf("layer=%s/conc=%d", l.name, conc), func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(parallelism())
			start := cpuTime()
			defer func() { reportCPU(b, start) }()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					oid := rand.Int64N(rows) + 1
					o, err := l.get(ctx, userOf(oid), oid)
					if err != nil {
						b.Error(err)
						return
					}
					if o.OrderID != oid {
						b.Errorf("got order %d, want %d", o.OrderID, oid)
						return
					}
				}
			})
		})
	}
}

// BenchmarkInsert inserts one new row per operation.
func BenchmarkInsert(b *testing.B) {
	e := setup(b)
	ctx := context.Background()
	for _, l := range e.layers {
		b.Run("layer="+l.name+"/conc=1", func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			defer func() { reportCPU(b, start) }()
			for b.Loop() {
				oid := nextID.Add(1)
				if err := l.insert(ctx, oid, oid%users+1); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("layer=%s/conc=%d", l.name, conc), func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(parallelism())
			start := cpuTime()
			defer func() { reportCPU(b, start) }()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					oid := nextID.Add(1)
					if err := l.insert(ctx, oid, oid%users+1); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
