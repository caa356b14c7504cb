package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// The exact-or-refused suite: adversarial statements, one class of
// hazard at a time, run on an unsharded MariaDB database (the oracle, on a
// server of its own) and through shardsql on two others. Each statement
// must either be refused with ErrUnsupported (then it is not run on the
// oracle either) or behave as on the oracle: the same error-or-not, the
// same rows, the same rows affected, and afterwards the same table
// contents, with every row found by a point read of its own sharding key
// (a row on the wrong node is invisible to that read). The classes are
// listed in docs/exactness.md.

// exactSchema is created on the oracle and through shardsql.
var exactSchema = []string{
	`CREATE TABLE t_order (
		order_id BIGINT NOT NULL PRIMARY KEY,
		user_id  BIGINT NOT NULL,
		status   VARCHAR(16) NOT NULL,
		amount   DECIMAL(10,2) NULL)`,
	`CREATE TABLE t_acct (
		user_id BIGINT UNSIGNED NOT NULL,
		k       VARCHAR(8) NOT NULL,
		v       INT NOT NULL,
		PRIMARY KEY (user_id, k))`,
	`CREATE TABLE t_code (
		code VARCHAR(16) NOT NULL PRIMARY KEY,
		n    INT NOT NULL)`,
	`CREATE TABLE t_ev (
		id      BIGINT NOT NULL PRIMARY KEY,
		created DATETIME NOT NULL,
		v       INT NOT NULL)`,
	`CREATE TABLE t_cfg (
		k VARCHAR(8) NOT NULL PRIMARY KEY,
		v INT NOT NULL)`,
}

// archiveDDL creates archive.t_order: another schema's unsharded table
// spelled like the sharded one, on the oracle's server and on the first
// data source's.
const archiveDDL = `CREATE TABLE IF NOT EXISTS archive.t_order (
	order_id BIGINT NOT NULL PRIMARY KEY,
	user_id  BIGINT NOT NULL,
	status   VARCHAR(16) NOT NULL)`

// exactTables are the sharded tables, each with its primary-key order and
// sharding column, for the content and placement checks.
var exactTables = []struct{ name, order, key string }{
	{"t_order", "order_id", "user_id"},
	{"t_acct", "user_id, k", "user_id"},
	{"t_code", "code", "code"},
	{"t_ev", "id", "created"},
	{"t_cfg", "k", ""},                  // broadcast: every copy is compared too
	{"archive.t_order", "order_id", ""}, // unsharded, in another schema
}

func exactTopology(t testing.TB, servers []*shardtest.Server) *shard.Topology {
	t.Helper()
	topo := shard.NewTopology()
	for i, s := range servers {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), s.DSN()))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id",
		Nodes: "ds${0..1}.t_order_${0..1}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_acct", Column: "user_id",
		Nodes: "ds${0..1}.t_acct_${0..1}", Algorithm: shard.Mod()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_code", Column: "code",
		Nodes: "ds${0..1}.t_code_${0..1}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_ev", Column: "created",
		Nodes:     "ds0.t_ev_${2025-01..2025-06|month|200601}, ds1.t_ev_${2025-07..2025-12|month|200601}",
		Algorithm: shard.Interval(shard.Month, "200601")}))
	require.NoError(t, topo.AddBroadcastTable("t_cfg"))
	return topo
}

// exactEnv is the oracle and the sharded database of the suite.
type exactEnv struct {
	oracle, sharded *sql.DB
	// oracleConn and shardedConn hold one session each, for statements
	// that depend on session state.
	oracleConn, shardedConn *sql.Conn
	copies                  []*sql.DB      // each data source, directly
	refused                 map[string]int // refusals by class
	ran                     map[string]int // statements by class
}

func newExactEnv(t *testing.T) *exactEnv {
	servers := shardtest.MariaDB(t, 3)
	oracle := direct(t, servers[0])
	sharded := openDB(t, exactTopology(t, servers[1:]))
	for _, ddl := range exactSchema {
		_, err := oracle.Exec(ddl)
		require.NoError(t, err)
		_, err = sharded.Exec(ddl)
		require.NoError(t, err, ddl)
	}
	env := &exactEnv{oracle: oracle, sharded: sharded, refused: map[string]int{}, ran: map[string]int{}}
	for _, s := range servers[1:] {
		env.copies = append(env.copies, direct(t, s))
	}
	for _, db := range []*sql.DB{oracle, env.copies[0]} {
		_, err := db.Exec("CREATE DATABASE archive")
		require.NoError(t, err)
		_, err = db.Exec(archiveDDL)
		require.NoError(t, err)
	}
	ctx := context.Background()
	var err error
	env.oracleConn, err = oracle.Conn(ctx)
	require.NoError(t, err)
	env.shardedConn, err = sharded.Conn(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = env.oracleConn.Close(); _ = env.shardedConn.Close() })
	return env
}

// exactStmt is one statement of the suite.
type exactStmt struct {
	class string // the hazard class it belongs to (docs/exactness.md)
	sql   string
	args  []any
	query bool // returns rows
	// session runs the statement on the suite's held connections.
	session bool
	// mustRun marks statements shardsql has to execute (a refusal fails).
	mustRun bool
}

// outcome is what one database did with a statement, as text.
type outcome struct {
	err      error
	rows     []string // sorted, one line per row
	affected int64
}

// exactRunner is a pool or a held connection.
type exactRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func runExact(db exactRunner, st exactStmt) outcome {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if !st.query {
		res, err := db.ExecContext(ctx, st.sql, st.args...)
		if err != nil {
			return outcome{err: err}
		}
		n, err := res.RowsAffected()
		return outcome{err: err, affected: n}
	}
	rows, err := db.QueryContext(ctx, st.sql, st.args...)
	if err != nil {
		return outcome{err: err}
	}
	res, err := scanDiffRows(rows)
	if err != nil {
		return outcome{err: err}
	}
	var lines []string
	for _, r := range res.rows {
		lines = append(lines, strings.Join(r, "|"))
	}
	sort.Strings(lines)
	return outcome{rows: lines}
}

// step runs st on both databases and reports the first difference.
func (e *exactEnv) step(t *testing.T, st exactStmt) bool {
	t.Helper()
	e.ran[st.class]++
	var oracle, sharded exactRunner = e.oracle, e.sharded
	if st.session {
		oracle, sharded = e.oracleConn, e.shardedConn
	}
	if os.Getenv("SHARDSQL_EXACT_TRACE") != "" {
		t.Logf("[%s] %s %v", st.class, st.sql, st.args)
	}
	got := runExact(sharded, st)
	if errors.Is(got.err, driver.ErrUnsupported) {
		e.refused[st.class]++
		if st.mustRun {
			t.Errorf("[%s] refused, but must run: %s %v: %v", st.class, st.sql, st.args, got.err)
			return false
		}
		return true
	}
	want := runExact(oracle, st)
	switch {
	case (want.err == nil) != (got.err == nil):
		t.Errorf("[%s] %s %v\n  oracle error: %v\n  shardsql error: %v", st.class, st.sql, st.args, want.err, got.err)
		return false
	case want.err != nil:
		var we, ge *mysql.MySQLError
		if errors.As(want.err, &we) && errors.As(got.err, &ge) && we.Number != ge.Number {
			t.Logf("[%s] %s: both failed, with different errors: oracle %v, shardsql %v", st.class, st.sql, want.err, got.err)
		}
		return true
	case st.query && strings.Join(want.rows, "\n") != strings.Join(got.rows, "\n"):
		t.Errorf("[%s] %s %v\n  oracle rows:   %q\n  shardsql rows: %q", st.class, st.sql, st.args, want.rows, got.rows)
		return false
	case !st.query && want.affected != got.affected:
		t.Errorf("[%s] %s %v: rows affected: oracle %d, shardsql %d", st.class, st.sql, st.args, want.affected, got.affected)
		return false
	}
	if !st.query {
		return e.sameContents(t, st)
	}
	return true
}

// sameContents compares every sharded table with the oracle's and checks
// that each row is found by a point read of its own sharding key.
func (e *exactEnv) sameContents(t *testing.T, after exactStmt) bool {
	t.Helper()
	for _, tb := range exactTables {
		q := exactStmt{sql: fmt.Sprintf("SELECT * FROM %s ORDER BY %s", tb.name, tb.order), query: true}
		want, got := runExact(e.oracle, q), runExact(e.sharded, q)
		if want.err != nil && got.err != nil {
			continue // dropped on both sides
		}
		if want.err != nil || got.err != nil {
			t.Errorf("[%s] after %s: reading %s: oracle %v, shardsql %v", after.class, after.sql, tb.name, want.err, got.err)
			return false
		}
		if strings.Join(want.rows, "\n") != strings.Join(got.rows, "\n") {
			t.Errorf("[%s] after %s %v: %s differs\n  oracle:   %q\n  shardsql: %q", after.class, after.sql, after.args, tb.name, want.rows, got.rows)
			return false
		}
		if tb.name == "t_cfg" {
			for i, c := range e.copies {
				if cp := runExact(c, q); strings.Join(cp.rows, "\n") != strings.Join(want.rows, "\n") {
					t.Errorf("[%s] after %s %v: broadcast copy on ds%d differs\n  oracle: %q\n  copy:   %q (%v)", after.class, after.sql, after.args, i, want.rows, cp.rows, cp.err)
					return false
				}
			}
		}
		if tb.key == "" {
			continue
		}
		// The keys as MySQL prints them ('2025-04-04 00:00:00', not Go's
		// RFC 3339 text of a scanned time).
		keys := runExact(e.oracle, exactStmt{sql: fmt.Sprintf("SELECT DISTINCT CAST(%s AS CHAR) FROM %s", tb.key, tb.name), query: true})
		for _, k := range keys.rows {
			pq := exactStmt{sql: fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE %s = ?", tb.name, tb.key), args: []any{k}, query: true}
			w, g := runExact(e.oracle, pq), runExact(e.sharded, pq)
			if g.err != nil || strings.Join(w.rows, "") != strings.Join(g.rows, "") {
				t.Errorf("[%s] after %s %v: %s rows with %s = %q: oracle %v, shardsql %v (%v): a row is on a node its key does not route to",
					after.class, after.sql, after.args, tb.name, tb.key, k, w.rows, g.rows, g.err)
				return false
			}
		}
	}
	return true
}

// exactGen draws adversarial statements.
type exactGen struct {
	r      *rand.Rand
	nextID int64
}

// intSpellings are ways of writing the integer k that MySQL converts to k
// (or not: '1.5', 'abc') for an integer column, as SQL text and as
// arguments.
func (g *exactGen) intKey(k int64) (text string, arg any) {
	s := strconv.FormatInt(k, 10)
	switch g.r.Intn(16) {
	case 0:
		return s, nil
	case 1:
		return "'" + s + "'", nil
	case 2:
		return "'0" + s + "'", nil
	case 3:
		return "' " + s + "'", nil
	case 4:
		return "'" + s + ".0'", nil
	case 5:
		return "'" + s + "e0'", nil
	case 6:
		return s + ".0", nil
	case 7:
		return "'+" + s + "'", nil
	case 8:
		return "?", s
	case 9:
		return "?", "0" + s
	case 10:
		return "?", []byte(s)
	case 11:
		return "?", float64(k)
	case 12:
		return "?", uint64(k)
	case 13:
		return "'" + s + ".5'", nil // no integer equals it; an INSERT rounds
	case 14:
		return "?", " " + s
	default:
		return "?", k
	}
}

// codeSpelling writes a text key as another spelling the column's
// collation may hold equal: case, trailing spaces.
func (g *exactGen) codeKey(base string) (text string, arg any) {
	s := base
	switch g.r.Intn(5) {
	case 1:
		s = strings.ToUpper(base)
	case 2:
		s = base + " "
	case 3:
		s = strings.ToUpper(base[:1]) + base[1:] + "  "
	}
	if g.r.Intn(2) == 0 {
		return "?", s
	}
	return "'" + s + "'", nil
}

// timeKey writes a day of 2025 in one of the spellings MySQL reads as a
// DATETIME.
func (g *exactGen) timeKey(d time.Time) (text string, arg any) {
	switch g.r.Intn(6) {
	case 0:
		return "'" + d.Format("2006-01-02 15:04:05") + "'", nil
	case 1:
		return "'" + d.Format("2006-01-02") + "'", nil
	case 2:
		return d.Format("20060102150405"), nil
	case 3:
		return "'" + d.Format("20060102") + "'", nil
	case 4:
		return "?", d
	default:
		return "?", d.Format("2006-01-02 15:04:05")
	}
}

func (g *exactGen) args(pairs ...any) []any {
	var out []any
	for i := 1; i < len(pairs); i += 2 {
		if pairs[i-1] == "?" {
			out = append(out, pairs[i])
		}
	}
	return out
}

var exactCodes = []string{"abc", "abd", "xyz", "k1", "zz"}

// next draws one statement.
func (g *exactGen) next() exactStmt {
	user := int64(g.r.Intn(12) + 1)
	switch g.r.Intn(14) {
	case 10: // class: schema-qualified names and name case
		return g.names(user)
	case 11: // class: session state on one held connection
		return g.session(user)
	case 12, 13: // class: broadcast copies stay identical
		return g.broadcast()
	case 0, 1: // class: sharding values converted by column type (integer)
		g.nextID++
		kt, ka := g.intKey(user)
		return exactStmt{class: "conversion", sql: fmt.Sprintf("INSERT INTO t_order (order_id, user_id, status, amount) VALUES (%d, %s, 'new', 1.50)", g.nextID, kt), args: g.args(kt, ka)}
	case 2:
		kt, ka := g.intKey(user)
		return exactStmt{class: "conversion", sql: "SELECT order_id, user_id, status FROM t_order WHERE user_id = " + kt, args: g.args(kt, ka), query: true}
	case 3:
		kt, ka := g.intKey(user)
		kt2, ka2 := g.intKey(user + 1)
		return exactStmt{class: "conversion", sql: fmt.Sprintf("UPDATE t_order SET amount = amount + 1 WHERE user_id IN (%s, %s)", kt, kt2), args: append(g.args(kt, ka), g.args(kt2, ka2)...)}
	case 4:
		kt, ka := g.intKey(user)
		return exactStmt{class: "conversion", sql: "DELETE FROM t_order WHERE user_id = " + kt + " AND order_id % 3 = 0", args: g.args(kt, ka)}
	case 5: // class: unique keys that contain the sharding column must work
		kt, ka := g.intKey(user)
		k := fmt.Sprintf("k%d", g.r.Intn(3))
		switch g.r.Intn(3) {
		case 0:
			return exactStmt{class: "unique keys", sql: fmt.Sprintf("INSERT INTO t_acct (user_id, k, v) VALUES (%s, '%s', 1) ON DUPLICATE KEY UPDATE v = v + 1", kt, k), args: g.args(kt, ka)}
		case 1:
			return exactStmt{class: "unique keys", sql: fmt.Sprintf("REPLACE INTO t_acct (user_id, k, v) VALUES (%s, '%s', %d)", kt, k, g.r.Intn(100)), args: g.args(kt, ka)}
		default:
			return exactStmt{class: "unique keys", sql: fmt.Sprintf("INSERT IGNORE INTO t_acct (user_id, k, v) VALUES (%s, '%s', 7)", kt, k), args: g.args(kt, ka)}
		}
	case 6: // class: unique keys without the sharding column are refused or exact
		g.nextID++
		id := g.r.Int63n(g.nextID) + 1
		kt, ka := g.intKey(user)
		return exactStmt{class: "unique keys", sql: fmt.Sprintf("REPLACE INTO t_order (order_id, user_id, status) VALUES (%d, %s, 'replaced')", id, kt), args: g.args(kt, ka)}
	case 7: // class: text keys compared by collation
		ct, ca := g.codeKey(exactCodes[g.r.Intn(len(exactCodes))])
		switch g.r.Intn(3) {
		case 0:
			return exactStmt{class: "collation", sql: "INSERT IGNORE INTO t_code (code, n) VALUES (" + ct + ", 1)", args: g.args(ct, ca)}
		case 1:
			return exactStmt{class: "collation", sql: "SELECT code, n FROM t_code WHERE code = " + ct, args: g.args(ct, ca), query: true}
		default:
			return exactStmt{class: "collation", sql: "UPDATE t_code SET n = n + 1 WHERE code = " + ct, args: g.args(ct, ca)}
		}
	case 8: // class: time keys in their spellings
		d := time.Date(2025, time.Month(g.r.Intn(12)+1), g.r.Intn(28)+1, 0, 0, 0, 0, time.UTC)
		tt, ta := g.timeKey(d)
		if g.r.Intn(2) == 0 {
			g.nextID++
			return exactStmt{class: "time keys", sql: fmt.Sprintf("INSERT INTO t_ev (id, created, v) VALUES (%d, %s, 1)", g.nextID, tt), args: g.args(tt, ta)}
		}
		return exactStmt{class: "time keys", sql: "SELECT id, created FROM t_ev WHERE created = " + tt, args: g.args(tt, ta), query: true}
	default: // class: edges of LIMIT and literals
		switch g.r.Intn(3) {
		case 0:
			return exactStmt{class: "edges", sql: "SELECT order_id FROM t_order ORDER BY order_id LIMIT 9223372036854775807 OFFSET 1", query: true, mustRun: true}
		case 1:
			return exactStmt{class: "edges", sql: "SELECT order_id, ':v1' AS s FROM t_order WHERE user_id = ?", args: []any{user}, query: true, mustRun: true}
		default:
			return exactStmt{class: "edges", sql: "SELECT COUNT(*) FROM t_order WHERE status = ':x' OR user_id = ?", args: []any{user}, query: true, mustRun: true}
		}
	}
}

// names draws statements on app.t_order (the logical table: app is the
// data sources' database), archive.t_order (another schema's table) and
// T_ORDER (another table on a case-sensitive server).
func (g *exactGen) names(user int64) exactStmt {
	g.nextID++
	pick := []exactStmt{
		{sql: "SELECT order_id, status FROM app.t_order WHERE user_id = ?", args: []any{user}, query: true},
		{sql: "SELECT COUNT(*) FROM app.t_order", query: true},
		{sql: "SELECT o.order_id FROM app.t_order AS o WHERE o.user_id = ?", args: []any{user}, query: true},
		{sql: "UPDATE app.t_order SET status = 'app' WHERE user_id = ?", args: []any{user}},
		{sql: "SELECT order_id, status FROM archive.t_order WHERE user_id = ?", args: []any{user}, query: true},
		{sql: "SELECT COUNT(*) FROM archive.t_order", query: true},
		{sql: fmt.Sprintf("INSERT INTO archive.t_order (order_id, user_id, status) VALUES (%d, ?, 'old')", g.nextID), args: []any{user}},
		{sql: "UPDATE archive.t_order SET status = 'moved' WHERE user_id = ?", args: []any{user}},
		{sql: "DELETE FROM archive.t_order WHERE order_id % 4 = ?", args: []any{g.r.Intn(4)}},
		{sql: "UPDATE archive.t_order AS a SET a.status = 'aliased' WHERE a.user_id = ?", args: []any{user}},
		{sql: "DROP TABLE archive.t_order"},
		{sql: "CREATE TABLE IF NOT EXISTS archive.t_order (order_id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, status VARCHAR(16) NOT NULL)"},
		{sql: "TRUNCATE TABLE archive.t_order"},
		{sql: "SELECT COUNT(*) FROM T_ORDER WHERE user_id = ?", args: []any{user}, query: true},
		{sql: "DELETE FROM T_Order WHERE user_id = ?", args: []any{user}},
	}
	st := pick[g.r.Intn(len(pick))]
	st.class = "names"
	return st
}

// session draws statements that depend on the session they run in, all on
// the suite's held connections.
func (g *exactGen) session(user int64) exactStmt {
	g.nextID++
	pick := []exactStmt{
		{sql: "SET @v := ?", args: []any{user}},
		{sql: "SELECT @v", query: true},
		{sql: "SELECT COUNT(*) FROM t_order WHERE user_id = @v", query: true},
		{sql: "SELECT order_id FROM t_order WHERE user_id = ? AND order_id > @v", args: []any{user}, query: true},
		{sql: "SELECT SQL_CALC_FOUND_ROWS order_id FROM t_order WHERE user_id = ? ORDER BY order_id LIMIT 1", args: []any{user}, query: true},
		{sql: "SELECT FOUND_ROWS()", query: true},
		{sql: "SELECT ROW_COUNT()", query: true},
		{sql: "UPDATE t_order SET status = 'session' WHERE user_id = ?", args: []any{user}},
		{sql: "SELECT LAST_INSERT_ID()", query: true},
		{sql: "CREATE TEMPORARY TABLE IF NOT EXISTS tmp_ids (id BIGINT)"},
		{sql: "INSERT INTO tmp_ids VALUES (?)", args: []any{user}},
		{sql: "SELECT COUNT(*) FROM tmp_ids", query: true},
		{sql: "SELECT GET_LOCK('exact', 0)", query: true},
		{sql: "SELECT IS_USED_LOCK('exact') IS NOT NULL", query: true},
		{sql: "SELECT RELEASE_LOCK('exact')", query: true},
		{sql: "SET SESSION sql_mode = CONCAT(@@sql_mode, '')"},
		{sql: fmt.Sprintf("INSERT INTO t_order (order_id, user_id, status) VALUES (%d, @v, 'var')", g.nextID)},
	}
	st := pick[g.r.Intn(len(pick))]
	st.class, st.session = "session", true
	return st
}

// broadcast draws writes on the broadcast table t_cfg: deterministic ones
// must keep every copy equal to the oracle; non-deterministic ones (their
// value differs per server) can only be refused.
func (g *exactGen) broadcast() exactStmt {
	k := fmt.Sprintf("k%d", g.r.Intn(6))
	pick := []exactStmt{
		{sql: "INSERT INTO t_cfg (k, v) VALUES (?, ?)", args: []any{k, g.r.Intn(100)}},
		{sql: "INSERT INTO t_cfg (k, v) VALUES (?, 1) ON DUPLICATE KEY UPDATE v = v + 1", args: []any{k}},
		{sql: "UPDATE t_cfg SET v = v + 1 WHERE k = ?", args: []any{k}},
		{sql: "DELETE FROM t_cfg WHERE k = ?", args: []any{k}},
		{sql: "REPLACE INTO t_cfg (k, v) VALUES (?, 5)", args: []any{k}},
		{sql: "UPDATE t_cfg SET v = FLOOR(RAND() * 1000) WHERE k = ?", args: []any{k}},
		{sql: "UPDATE t_cfg SET v = CONNECTION_ID() WHERE k = ?", args: []any{k}},
		{sql: "UPDATE t_cfg SET v = UNIX_TIMESTAMP(NOW(6)) * 1000000 % 1000 WHERE k = ?", args: []any{k}},
		{sql: "DELETE FROM t_cfg ORDER BY RAND() LIMIT 1"},
		{sql: "UPDATE t_cfg SET v = 0 LIMIT 1"},
		{sql: "SELECT k, v FROM t_cfg ORDER BY k", query: true},
	}
	st := pick[g.r.Intn(len(pick))]
	st.class = "broadcast"
	return st
}

func TestExactOrRefused(t *testing.T) {
	env := newExactEnv(t)
	// SHARDSQL_EXACT_SEED replays a run; SHARDSQL_EXACT_N runs more statements.
	seed := time.Now().UnixNano()
	if v, err := strconv.ParseInt(os.Getenv("SHARDSQL_EXACT_SEED"), 10, 64); err == nil {
		seed = v
	}
	n := 300
	if v, err := strconv.Atoi(os.Getenv("SHARDSQL_EXACT_N")); err == nil {
		n = v
	} else if testing.Short() {
		n = 80
	}
	t.Logf("seed %d, %d statements", seed, n)
	g := &exactGen{r: rand.New(rand.NewSource(seed))}
	failed := 0
	for i := 0; i < n && failed < 5; i++ {
		if !env.step(t, g.next()) {
			failed++
		}
	}
	var classes []string
	for c := range env.ran {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	for _, c := range classes {
		t.Logf("%-12s %3d statements, %3d refused", c, env.ran[c], env.refused[c])
	}
}
