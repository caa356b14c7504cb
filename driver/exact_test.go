package driver_test

import (
	"context"
	"database/sql"
	"encoding/json"
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

// knownBugs turns on the cases marked BUG: statements shardsql answers
// wrongly today (see the reproduction in each comment). Off by default so
// the suite stays green on what is not yet fixed.
// SHARDSQL_EXACT_KNOWN_BUGS=1 turns on all of them; a comma-separated list
// of classes (SHARDSQL_EXACT_KNOWN_BUGS=tx,atomic) only those classes'
// (the names bug makes every write fail the archive.t_order check).
func knownBug(class string) bool {
	v := os.Getenv("SHARDSQL_EXACT_KNOWN_BUGS")
	if v == "1" {
		return true
	}
	for _, c := range strings.Split(v, ",") {
		if c != "" && strings.HasPrefix(class, c) {
			return true
		}
	}
	return false
}

// exactTrace (SHARDSQL_EXACT_TRACE=<class> or "all") logs every statement
// of that class with what shardsql did, to read a failing seed's history.
var exactTrace = os.Getenv("SHARDSQL_EXACT_TRACE")

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
	// hint, when set, runs the statement through shardsql with
	// driver.WithShardingValues(ctx, hint[0], hint[1:]...) (the oracle
	// runs it plain): a hint that agrees with the statement's own values
	// must not change the answer, one that contradicts them must fail.
	hint []any
	// tx, when set, is a transaction: its statements run in one Tx on
	// each side, compared one by one, then commit decides COMMIT or
	// ROLLBACK; sql is only a label.
	tx     []exactStmt
	commit bool
	// bug marks a case that fails today (a "BUG:" comment gives the
	// reproduction); it runs only with SHARDSQL_EXACT_KNOWN_BUGS=1.
	bug bool
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
	if len(st.hint) > 0 {
		ctx = driver.WithShardingValues(ctx, st.hint[0].(string), st.hint[1:]...)
	}
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
	if st.tx != nil {
		return e.stepTx(t, st)
	}
	var oracle, sharded exactRunner = e.oracle, e.sharded
	if st.session {
		oracle, sharded = e.oracleConn, e.shardedConn
	}
	got := runExact(sharded, st)
	if exactTrace != "" && (exactTrace == "all" || exactTrace == st.class) {
		t.Logf("trace [%s] %s %v hint=%v: err=%v affected=%d rows=%d", st.class, st.sql, st.args, st.hint, got.err, got.affected, len(got.rows))
	}
	if errors.Is(got.err, driver.ErrUnsupported) {
		e.refused[st.class]++
		if st.mustRun {
			t.Errorf("[%s] refused, but must run: %s %v: %v", st.class, st.sql, st.args, got.err)
			return false
		}
		return true
	}
	if len(st.hint) > 0 && !st.query && st.class == "hints contradict" {
		// A contradicting hint must fail (an error naming both values),
		// changing nothing: the oracle does not run it either.
		if got.err == nil {
			t.Errorf("[%s] %s %v with hint %v: ran (rows affected %d); a hint contradicting the statement's value must fail", st.class, st.sql, st.args, st.hint, got.affected)
			return false
		}
		return e.sameContents(t, st)
	}
	plain := st
	plain.hint = nil
	want := runExact(oracle, plain)
	switch {
	case (want.err == nil) != (got.err == nil):
		t.Errorf("[%s] %s %v\n  oracle error: %v\n  shardsql error: %v", st.class, st.sql, st.args, want.err, got.err)
		return false
	case want.err != nil:
		var we, ge *mysql.MySQLError
		if errors.As(want.err, &we) && errors.As(got.err, &ge) && we.Number != ge.Number {
			t.Logf("[%s] %s: both failed, with different errors: oracle %v, shardsql %v", st.class, st.sql, want.err, got.err)
		}
		if !st.query {
			// A failed statement changes nothing on the oracle (InnoDB
			// rolls the statement back): nor may it on some nodes.
			return e.sameContents(t, st)
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

// stepTx runs a transaction on both databases, statement by statement; a
// refusal rolls both back.
func (e *exactEnv) stepTx(t *testing.T, st exactStmt) bool {
	t.Helper()
	ctx := context.Background()
	otx, err := e.oracle.BeginTx(ctx, nil)
	require.NoError(t, err)
	stx, err := e.sharded.BeginTx(ctx, nil)
	require.NoError(t, err)
	end := func(commit bool) (error, error) {
		if commit {
			return otx.Commit(), stx.Commit()
		}
		return otx.Rollback(), stx.Rollback()
	}
	for _, sub := range st.tx {
		got := runExact(stx, sub)
		if exactTrace != "" && (exactTrace == "all" || exactTrace == st.class) {
			t.Logf("trace [%s] tx: %s %v: err=%v affected=%d rows=%d", st.class, sub.sql, sub.args, got.err, got.affected, len(got.rows))
		}
		if errors.Is(got.err, driver.ErrUnsupported) {
			e.refused[st.class]++
			_, _ = end(false)
			return e.sameContents(t, st)
		}
		want := runExact(otx, sub)
		bad := ""
		switch {
		case (want.err == nil) != (got.err == nil):
			bad = fmt.Sprintf("oracle error %v, shardsql error %v", want.err, got.err)
		case want.err != nil:
		case sub.query && strings.Join(want.rows, "\n") != strings.Join(got.rows, "\n"):
			bad = fmt.Sprintf("oracle rows %q, shardsql rows %q", want.rows, got.rows)
		case !sub.query && want.affected != got.affected:
			bad = fmt.Sprintf("rows affected: oracle %d, shardsql %d", want.affected, got.affected)
		}
		if bad != "" {
			t.Errorf("[%s] in a transaction %q: %s %v: %s", st.class, st.sql, sub.sql, sub.args, bad)
			_, _ = end(false)
			return false
		}
	}
	oe, se := end(st.commit)
	if (oe == nil) != (se == nil) {
		t.Errorf("[%s] %q: end of transaction (commit %v): oracle %v, shardsql %v", st.class, st.sql, st.commit, oe, se)
		return false
	}
	return e.sameContents(t, st)
}

// sameContents compares every sharded table with the oracle's and checks
// that each row is found by a point read of its own sharding key.
func (e *exactEnv) sameContents(t *testing.T, after exactStmt) bool {
	t.Helper()
	for _, tb := range exactTables {
		if tb.name == "archive.t_order" && !knownBug("names") {
			// BUG (names): SELECT * FROM archive.t_order through shardsql
			// reads the sharded app.t_order's rows (oracle: archive's own
			// rows). See exactGen.names.
			continue
		}
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
	// foundRowsMoved: a session statement that runs on the default data
	// source (a temporary table) came after the last SELECT; see the BUG
	// in session.
	foundRowsMoved bool
	// sessionUsed: a session statement other than FOUND_ROWS()/
	// ROW_COUNT() was drawn (see the BUG in session).
	sessionUsed bool
}

// intSpellings are ways of writing the integer k that MySQL converts to k
// (or not: '1.5', 'abc') for an integer column, as SQL text and as
// arguments.
func (g *exactGen) intKey(k int64) (text string, arg any) {
	s := strconv.FormatInt(k, 10)
	switch g.r.Intn(36) {
	case 34:
		return "?", nil // NULL: no row matches; an INSERT fails on both
	case 35:
		return "?", int32(k)
	case 16:
		return s + "e0", nil
	case 17:
		return fmt.Sprintf("0x%X", k), nil // hex literal: a number in integer context
	case 18:
		return fmt.Sprintf("b'%b'", k), nil
	case 19:
		return "CAST('" + s + "' AS SIGNED)", nil
	case 20:
		return "'" + s + " '", nil
	case 21:
		return "- -" + s, nil
	case 22:
		return "?", int8(k)
	case 23:
		return "?", float32(k)
	case 24:
		return "?", json.RawMessage(s)
	case 25:
		return "?", uint8(k)
	case 26:
		return "?", &k
	case 27:
		return "?", sql.NullInt64{Int64: k, Valid: true}
	case 28:
		if k == 1 {
			return "?", true
		}
		return "?", int16(k)
	case 29:
		if k == 1 {
			return "TRUE", nil
		}
		return "'" + s + "'", nil
	case 30:
		return "'" + s + "e+00'", nil
	case 31:
		return "_binary'" + s + "'", nil
	case 32:
		return "'" + s + "' COLLATE utf8mb4_bin", nil
	case 33:
		return "?", float64(k) + 0.4 // an INSERT rounds it; no row equals it
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
	switch g.r.Intn(12) {
	case 1:
		s = strings.ToUpper(base)
	case 2:
		s = base + " "
	case 3:
		s = strings.ToUpper(base[:1]) + base[1:] + "  "
	case 5: // accents: equal under a _ci collation
		s = strings.NewReplacer("a", "á", "x", "x", "z", "ž", "k", "K").Replace(base)
	case 6:
		return "_binary'" + base + "'", nil
	case 7:
		return "'" + strings.ToUpper(base) + "' COLLATE utf8mb4_bin", nil
	case 8:
		return fmt.Sprintf("x'%x'", base), nil
	case 9:
		return "?", []byte(strings.ToUpper(base))
	case 10:
		return "?", json.RawMessage(base)
	case 11:
		return "CONCAT('" + base[:1] + "', '" + base[1:] + "')", nil
	}
	if g.r.Intn(2) == 0 {
		return "?", s
	}
	return "'" + s + "'", nil
}

// timeKey writes a day of 2025 in one of the spellings MySQL reads as a
// DATETIME.
func (g *exactGen) timeKey(d time.Time) (text string, arg any) {
	switch g.r.Intn(14) {
	case 6:
		return "?", d.In(exactTokyo) // the same instant, another zone: stored in UTC (loc=UTC)
	case 7:
		return "'" + d.Format("2006-1-2") + "'", nil
	case 8:
		return d.Format("20060102"), nil
	case 9:
		return "TIMESTAMP'" + d.Format("2006-01-02 15:04:05") + "'", nil
	case 10:
		return "DATE'" + d.Format("2006-01-02") + "'", nil
	case 11:
		return "'" + d.Format("2006/01/02 15:04") + "'", nil
	case 12:
		return "?", []byte(d.Format("2006-01-02 15:04:05"))
	case 13:
		return "'" + d.Format("2006-01-02T15:04:05") + "'", nil
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

var exactTokyo = func() *time.Location {
	l, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		return time.FixedZone("JST", 9*3600)
	}
	return l
}()

// next draws one statement. (INSERT IGNORE with a NULL key, which stores
// the column's implicit default on the oracle, is refused.)
func (g *exactGen) next() exactStmt {
	return g.draw()
}

// draw draws one statement of any class.
func (g *exactGen) draw() exactStmt {
	user := int64(g.r.Intn(12) + 1)
	switch g.r.Intn(25) {
	case 24: // class: transactions
		return g.tx(user)
	case 14: // class: executable and line comments
		return g.comments(user)
	case 15: // class: a statement that fails on one node changes nothing
		return g.atomic(user)
	case 16: // class: multi-row INSERTs mixing nodes and spellings
		return g.multiRow()
	case 17: // class: ranges on the Interval table in odd spellings
		return g.ranges()
	case 18: // class: LIMIT edges, UPDATE/DELETE with ORDER BY/LIMIT
		return g.limits(user)
	case 19: // class: hints against the statement
		return g.hints(user)
	case 20: // class: unsigned keys at the top of the range
		return g.unsignedKeys()
	case 21: // class: text keys longer than the column, odd spellings
		return g.textKeys()
	case 22: // class: time keys at the month's edge
		return g.timeEdges()
	case 23: // class: IN lists mixing spellings
		kt, ka := g.intKey(user)
		kt2, ka2 := g.intKey(user + 3)
		kt3, ka3 := g.intKey(user + 7)
		args := append(append(g.args(kt, ka), g.args(kt2, ka2)...), g.args(kt3, ka3)...)
		if g.r.Intn(2) == 0 {
			return exactStmt{class: "conversion", sql: fmt.Sprintf("SELECT order_id, user_id FROM t_order WHERE user_id IN (%s, %s, %s)", kt, kt2, kt3), args: args, query: true}
		}
		return exactStmt{class: "conversion", sql: fmt.Sprintf("UPDATE t_order SET amount = amount + 2 WHERE user_id IN (%s, %s) OR user_id = %s", kt, kt2, kt3), args: args}
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
		// Was a bug, fixed: REPLACE, INSERT IGNORE and ON DUPLICATE KEY UPDATE on
		// t_order (PRIMARY KEY (order_id), no user_id) run instead of being
		// refused. After INSERT … VALUES (1, 1, 'a', 1): REPLACE INTO
		// t_order (order_id, user_id, status) VALUES (1, 9, 'r') — oracle
		// rows affected 2 (one row 1|9), shardsql 1 (rows 1|1 and 1|9);
		// INSERT IGNORE … (1, 9, …) inserts a second order 1 (oracle:
		// ignored); … ON DUPLICATE KEY UPDATE status = 'd' inserts instead
		// of updating.
		verb, tail := "REPLACE INTO", ""
		switch g.r.Intn(3) {
		case 1:
			verb = "INSERT IGNORE INTO"
		case 2:
			verb, tail = "INSERT INTO", " ON DUPLICATE KEY UPDATE status = 'dup'"
		}
		return exactStmt{class: "unique keys", sql: fmt.Sprintf("%s t_order (order_id, user_id, status) VALUES (%d, %s, 'replaced')%s", verb, id, kt, tail), args: g.args(kt, ka)}
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
			// Was a bug, fixed: LIMIT 9223372036854775807 OFFSET 1 sends LIMIT
			// -9223372036854775808 to the nodes (Error 1064); the oracle
			// returns every row but the first.
			return exactStmt{class: "edges", sql: "SELECT order_id FROM t_order ORDER BY order_id LIMIT 9223372036854775807 OFFSET 1", query: true, mustRun: true}
		case 1:
			// Was a bug, fixed: refused with "named bind variable :v1" although ':v1'
			// is a string literal (the oracle returns the rows).
			return exactStmt{class: "edges", sql: "SELECT order_id, ':v1' AS s FROM t_order WHERE user_id = ?", args: []any{user}, query: true, mustRun: true}
		default:
			// Was a bug, fixed: refused as a named bind variable :x (a string literal).
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
	if g.r.Intn(2) == 0 {
		// Backquotes, aliases spelled like other tables, column qualifiers.
		more := []exactStmt{
			{sql: "SELECT o.order_id FROM `t_order` AS o WHERE o.user_id = ?", args: []any{user}, query: true},
			{sql: "SELECT order_id FROM `app`.`t_order` WHERE `user_id` = ?", args: []any{user}, query: true},
			{sql: "SELECT t_code.order_id FROM t_order AS t_code WHERE t_code.user_id = ?", args: []any{user}, query: true},
			{sql: "SELECT t_order.code FROM t_code AS t_order WHERE t_order.code = 'abc'", query: true},
			{sql: "UPDATE t_order AS t_code SET t_code.status = 'al' WHERE t_code.user_id = ?", args: []any{user}},
			{sql: "SELECT x.order_id FROM t_order x WHERE X.user_id = ?", args: []any{user}, query: true},
			{sql: "SELECT order_id FROM t_order o WHERE user_id = ? OR o.user_id = ?", args: []any{user, user%12 + 1}, query: true},
			// Was a bug, fixed: the qualifier's case and schema are not checked: SELECT
			// t_order.order_id FROM t_order WHERE T_ORDER.user_id = 3
			// (oracle: Error 1054 Unknown column 'T_ORDER.user_id') and
			// SELECT order_id FROM t_order WHERE user_id = 3 AND
			// archive.t_order.user_id = 3 (oracle: Error 1054) both return
			// user 3's rows through shardsql.
			{sql: "SELECT t_order.order_id FROM t_order WHERE T_ORDER.user_id = ?", args: []any{user}, query: true},
			{sql: "SELECT order_id FROM t_order WHERE user_id = ? AND archive.t_order.user_id = ?", args: []any{user, user}, query: true},
		}
		st := more[g.r.Intn(len(more))]
		st.class = "names"
		return st
	}
	i := g.r.Intn(len(pick))
	st := pick[i]
	st.class = "names"
	// BUG (names): on this branch a qualifier and the name's case are
	// ignored: SELECT COUNT(*) FROM archive.t_order returns the sharded
	// app.t_order's count (oracle: archive's own rows); UPDATE/DELETE/
	// TRUNCATE/DROP archive.t_order reach the sharded tables; DELETE FROM
	// T_Order WHERE user_id = 10 deletes app.t_order's rows (oracle: Error
	// 1146 Table 'app.T_Order' doesn't exist).
	st.bug = i >= 4
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
	if st.sql == "SELECT FOUND_ROWS()" || st.sql == "SELECT ROW_COUNT()" {
		// BUG: on a fresh *sql.Conn, SELECT FOUND_ROWS() answers 1
		// (oracle 0) and SELECT ROW_COUNT() -1 (oracle 0): a statement
		// shardsql runs itself on the session's server connection (a
		// SELECT, likely the catalog's) is counted; seed 22 (old
		// generator) saw 4, so it may also happen later in a session,
		// after DDL makes the catalog reload. Seeds 7 and 21.
		if !g.sessionUsed {
			st.bug = true
			return st
		}
	} else {
		g.sessionUsed = true
	}
	switch {
	case !strings.HasPrefix(st.sql, "SELECT"):
		// Any write or DDL (not only a temporary table): seed 32 with
		// SHARDSQL_EXACT_N=2000: SELECT @v (1 row, ds0); UPDATE t_order
		// SET status = 'session' WHERE user_id = 11; SELECT FOUND_ROWS():
		// oracle 1, shardsql 4 (the last SELECT on user 11's data source).
		g.foundRowsMoved = true
	case st.sql == "SELECT FOUND_ROWS()":
		// BUG: on a held Conn, SELECT order_id FROM t_order WHERE
		// user_id = 6 (1 row, on ds1), then CREATE TEMPORARY TABLE IF NOT
		// EXISTS tmp_ids (id BIGINT), then SELECT FOUND_ROWS(): oracle 1
		// (the last SELECT's rows), shardsql answers from the default data
		// source's last SELECT (3 after SELECT 1 UNION SELECT 2 UNION
		// SELECT 3 there). Seed 12 with SHARDSQL_EXACT_N=3000 hit it.
		st.bug = g.foundRowsMoved
	case strings.HasPrefix(st.sql, "SELECT SQL_CALC_FOUND_ROWS"):
		g.foundRowsMoved = false
	case st.sql == "SELECT ROW_COUNT()":
		// BUG: about one default run in six, SELECT ROW_COUNT() on the
		// held Conn answers -1 where the oracle answers 0 (not yet
		// reduced: SHARDSQL_EXACT_KNOWN_BUGS=session
		// SHARDSQL_EXACT_TRACE=session reproduces it within a few runs).
		st.bug = true
	}
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
	skipped := 0
	for i := 0; i < n && failed < 5; i++ {
		st := g.next()
		if st.bug && !knownBug(st.class) {
			skipped++
			continue
		}
		if !env.step(t, st) {
			failed++
		}
	}
	t.Logf("%d known-bug cases skipped (SHARDSQL_EXACT_KNOWN_BUGS=1 runs them)", skipped)
	var classes []string
	for c := range env.ran {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	for _, c := range classes {
		t.Logf("%-12s %3d statements, %3d refused", c, env.ran[c], env.refused[c])
	}
}

// comments draws statements whose meaning depends on how the server reads
// comments: `/*! … */` and `/*M! … */` are executed by MariaDB (with a
// version: when the server is at least that version), `-- ` needs a
// space, `--1` is minus minus one, `#` ends the line.
func (g *exactGen) comments(user int64) exactStmt {
	g.nextID++
	other := user%12 + 1
	pick := []exactStmt{
		{sql: fmt.Sprintf("SELECT order_id FROM t_order WHERE user_id = %d /*! OR user_id = %d */", user, other), query: true},
		{sql: fmt.Sprintf("SELECT order_id FROM t_order WHERE user_id = %d /*!99999 OR user_id = %d */", user, other), query: true},
		{sql: fmt.Sprintf("SELECT order_id FROM t_order WHERE user_id = %d /*!50000 OR user_id = %d */", user, other), query: true},
		{sql: fmt.Sprintf("SELECT order_id FROM t_order WHERE user_id = %d --1\n", user), query: true},
		{sql: fmt.Sprintf("SELECT order_id FROM t_order WHERE user_id = %d -- OR user_id = %d", user, other), query: true},
		{sql: fmt.Sprintf("SELECT order_id FROM t_order WHERE user_id = %d # OR user_id = %d", user, other), query: true},
		{sql: fmt.Sprintf("SELECT order_id FROM t_order WHERE user_id = %d /* OR user_id = %d */", user, other), query: true},
		{sql: fmt.Sprintf("DELETE FROM t_order WHERE user_id = %d --1\n AND order_id %% 5 = 0", user)},
		{sql: fmt.Sprintf("INSERT INTO t_order (order_id, user_id, status) VALUES (%d, %d /*!99999 +1 */, 'c')", g.nextID, user)},
		{sql: fmt.Sprintf("INSERT INTO t_order (order_id, user_id, status) VALUES (%d, %d --1\n, 'c')", g.nextID, user)},
		// Was a bug, fixed: /*M! … */ is executed by MariaDB but routed as a comment.
		// Oracle (seed rows of users 1..6): SELECT order_id FROM t_order
		// WHERE user_id = 1 /*M! OR 1=1 */ returns every row; shardsql
		// sends it to user 1's node only and returns that node's rows.
		// DELETE … WHERE user_id = 2 /*M! OR user_id = 3 */ deletes user 3's
		// rows only where user 2 lives (oracle 2 rows, shardsql 1); INSERT …
		// VALUES (114, 3 /*M! +1 */, …) stores user 4 on user 3's node (a
		// point read of user_id = 4 misses it); UPDATE … SET status = 'x'
		// /*M! , amount = 99 */ … likewise. /*M!100000 … */ too.
		{sql: fmt.Sprintf("SELECT order_id FROM t_order WHERE user_id = %d /*M! OR user_id = %d */", user, other), query: true},
		{sql: fmt.Sprintf("SELECT order_id FROM t_order WHERE user_id = %d /*M!100000 OR user_id = %d */", user, other), query: true},
		{sql: fmt.Sprintf("DELETE FROM t_order WHERE user_id = %d /*M! OR user_id = %d */", user, other)},
		{sql: fmt.Sprintf("INSERT INTO t_order (order_id, user_id, status) VALUES (%d, %d /*M! +1 */, 'c')", g.nextID, user)},
		{sql: fmt.Sprintf("UPDATE t_order SET status = 'c' /*M! , amount = 99 */ WHERE user_id = %d", user)},
		// Was a bug, fixed: SELECT … WHERE user_id = 2 /*!100000 OR user_id = 3 */ (a
		// MariaDB 6-digit version) fails with a parse error that does not
		// wrap ErrUnsupported; the oracle runs it (returns users 2 and 3).
		{sql: fmt.Sprintf("SELECT order_id FROM t_order WHERE user_id = %d /*!100000 OR user_id = %d */", user, other), query: true},
		// Was a bug, fixed: a statement wholly inside /*M! … */ is passed through to the
		// default data source (Error 1146 'app.t_order' doesn't exist
		// there, not ErrUnsupported); the oracle deletes user 3's rows.
		{sql: fmt.Sprintf("/*M! DELETE FROM t_order WHERE user_id = %d */", user)},
		// Was a bug, fixed: a broadcast write with /*M! + CONNECTION_ID() */ runs on every
		// copy, each adding its own connection id: UPDATE t_cfg SET v = 1
		// /*M! + CONNECTION_ID() */ WHERE k = 'a' leaves the copies (and the
		// oracle) different (CONNECTION_ID() unhidden is refused).
		{sql: "UPDATE t_cfg SET v = 1 /*M! + CONNECTION_ID() */ WHERE k = ?", args: []any{fmt.Sprintf("k%d", user%6)}},
		{sql: "UPDATE t_cfg SET v = 1 /*!99999 + CONNECTION_ID() */ WHERE k = ?", args: []any{fmt.Sprintf("k%d", user%6)}},
	}
	st := pick[g.r.Intn(len(pick))]
	st.class = "comments"
	return st
}

// atomic draws statements that fail on one node (a duplicate key or a value
// out of range in one row): on one database the statement changes
// nothing, so no node may keep its part.
func (g *exactGen) atomic(user int64) exactStmt {
	g.nextID++
	other := user%12 + 1
	k := fmt.Sprintf("k%d", g.r.Intn(3))
	pick := []exactStmt{
		// One node: the node rolls the statement back itself.
		{sql: fmt.Sprintf("INSERT INTO t_acct (user_id, k, v) VALUES (%d, 'a%d', 1), (%d, 'a%d', 2)", user, g.nextID, user, g.nextID)},
		{sql: fmt.Sprintf("UPDATE t_acct SET v = IF(k = '%s', 99999999999, v + 1) WHERE user_id = %d", k, user)},
		// Was a bug, fixed: a multi-node write that fails on one node keeps its
		// changes on the others. Oracle: INSERT INTO t_acct (user_id, k,
		// v) VALUES (9, 'k0', 1), (10, 'k0', 1), (9, 'k0', 2) fails with
		// Error 1062 and inserts nothing; shardsql fails too but user 10's
		// row stays. The same with (11, 'k0', 1), (12, 'k0', 99999999999)
		// (Error 1264 on one node), with UPDATE t_acct SET v = IF(user_id
		// = 2, 99999999999, v + 1) WHERE user_id IN (1, 2) (user 1's row
		// updated), and with UPDATE t_code SET n = IF(code = 'abc',
		// 99999999999, n + 1) (every other node updated).
		{sql: fmt.Sprintf("INSERT INTO t_acct (user_id, k, v) VALUES (%d, 'b%d', 1), (%d, 'b%d', 1), (%d, 'b%d', 2)", user, g.nextID, other, g.nextID, user, g.nextID)},
		{sql: fmt.Sprintf("INSERT INTO t_acct (user_id, k, v) VALUES (%d, 'c%d', 1), (%d, 'c%d', 99999999999)", user, g.nextID, other, g.nextID)},
		{sql: fmt.Sprintf("UPDATE t_acct SET v = IF(user_id = %d, 99999999999, v + 1) WHERE user_id IN (%d, %d)", other, user, other)},
		{sql: fmt.Sprintf("UPDATE t_order SET amount = IF(user_id = %d, 1e12, amount + 1)", other)},
		{sql: fmt.Sprintf("INSERT INTO t_order (order_id, user_id, status, amount) VALUES (%d, %d, 'x', 1), (%d, %d, 'x', 1e12)", g.nextID, user, g.nextID+1000000, other)},
		// Broadcast: one transaction over every copy.
		{sql: fmt.Sprintf("INSERT INTO t_cfg (k, v) VALUES ('a%d', 1), ('a%d', 99999999999)", g.nextID, g.nextID+1)},
		{sql: fmt.Sprintf("INSERT INTO t_cfg (k, v) VALUES ('%s', 1), ('%s', 2)", k, k)},
	}
	st := pick[g.r.Intn(len(pick))]
	st.class = "atomic"
	return st
}

// multiRow draws INSERTs whose rows go to several nodes, with the key in
// several spellings and `?` arguments in between.
func (g *exactGen) multiRow() exactStmt {
	var rows []string
	var args []any
	for i := 0; i < 2+g.r.Intn(4); i++ {
		g.nextID++
		kt, ka := g.intKey(int64(g.r.Intn(12) + 1))
		if g.r.Intn(2) == 0 {
			rows = append(rows, fmt.Sprintf("(?, %s, ?, 2.25)", kt))
			args = append(args, g.nextID)
			args = append(args, g.args(kt, ka)...)
			args = append(args, fmt.Sprintf("m%d", i))
		} else {
			rows = append(rows, fmt.Sprintf("(%d, %s, 'm', NULL)", g.nextID, kt))
			args = append(args, g.args(kt, ka)...)
		}
	}
	if g.r.Intn(3) == 0 {
		var rs []string
		var as []any
		for i := 0; i < 2+g.r.Intn(3); i++ {
			kt, ka := g.intKey(int64(g.r.Intn(12) + 1))
			rs = append(rs, fmt.Sprintf("(%s, 'k%d', %d)", kt, g.r.Intn(3), i))
			as = append(as, g.args(kt, ka)...)
		}
		verb := []string{"INSERT IGNORE INTO", "REPLACE INTO", "INSERT INTO"}[g.r.Intn(3)]
		tail := ""
		if verb == "INSERT INTO" {
			tail = " ON DUPLICATE KEY UPDATE v = v + VALUES(v)"
		}
		return exactStmt{class: "multi-row", sql: verb + " t_acct (user_id, k, v) VALUES " + strings.Join(rs, ", ") + tail, args: as}
	}
	return exactStmt{class: "multi-row", sql: "INSERT INTO t_order (order_id, user_id, status, amount) VALUES " + strings.Join(rows, ", "), args: args}
}

// ranges draws range reads on the Interval table t_ev with the bounds in
// odd spellings, around month edges.
func (g *exactGen) ranges() exactStmt {
	m := g.r.Intn(12) + 1
	edge := time.Date(2025, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
	lo := edge.Add(-time.Duration(g.r.Intn(3)) * 24 * time.Hour)
	hi := edge.Add(time.Duration(g.r.Intn(40)) * 24 * time.Hour)
	lt, la := g.timeKey(lo)
	ht, ha := g.timeKey(hi)
	args := append(g.args(lt, la), g.args(ht, ha)...)
	pick := []string{
		"SELECT id FROM t_ev WHERE created BETWEEN %s AND %s",
		"SELECT id FROM t_ev WHERE created >= %s AND created < %s",
		"SELECT id FROM t_ev WHERE created > %s AND created <= %s",
		"SELECT COUNT(*) FROM t_ev WHERE created < %s OR created >= %s",
		"SELECT id FROM t_ev WHERE %s <= created AND %s > created",
		"SELECT id FROM t_ev WHERE created BETWEEN %s AND %s AND created <> '2025-03-01'",
	}
	sqlText := fmt.Sprintf(pick[g.r.Intn(len(pick))], lt, ht)
	switch g.r.Intn(6) {
	case 0:
		sqlText = "SELECT id FROM t_ev WHERE created > '2025-06-30 23:59:59.5'"
		args = nil
	case 1:
		sqlText = fmt.Sprintf("SELECT id FROM t_ev WHERE created >= %d235959.5", 20250000+m*100+28)
		args = nil
	case 2:
		sqlText = fmt.Sprintf("SELECT id FROM t_ev WHERE created <= '2025-%02d-31'", m) // an invalid date for some months
		args = nil
	}
	return exactStmt{class: "ranges", sql: sqlText, args: args, query: true}
}

// limits draws LIMIT edges and UPDATE/DELETE with ORDER BY/LIMIT.
func (g *exactGen) limits(user int64) exactStmt {
	pick := []exactStmt{
		{sql: "SELECT order_id FROM t_order ORDER BY order_id LIMIT 0", query: true},
		{sql: "SELECT order_id FROM t_order ORDER BY order_id DESC LIMIT 2 OFFSET 3", query: true},
		{sql: "SELECT order_id FROM t_order ORDER BY order_id LIMIT ?, ?", args: []any{uint64(2), int8(3)}, query: true},
		{sql: "SELECT order_id FROM t_order ORDER BY order_id LIMIT 3, 18446744073709551615", query: true},
		{sql: "SELECT COUNT(*) FROM t_order LIMIT 1 OFFSET 1", query: true},
		{sql: "SELECT user_id, COUNT(*) FROM t_order GROUP BY user_id ORDER BY user_id LIMIT 2 OFFSET 1", query: true},
		{sql: "SELECT DISTINCT status FROM t_order ORDER BY status LIMIT 1 OFFSET 1", query: true},
		{sql: "UPDATE t_order SET status = 'lim' WHERE user_id = ? ORDER BY order_id DESC LIMIT 1", args: []any{user}},
		{sql: "DELETE FROM t_order WHERE user_id = ? ORDER BY order_id LIMIT 1", args: []any{user}},
		{sql: "UPDATE t_order SET amount = 0 WHERE user_id = ? LIMIT 0", args: []any{user}},
		{sql: "DELETE FROM t_order WHERE user_id IN (?, ?) ORDER BY order_id LIMIT 1", args: []any{user, user%12 + 1}},
		{sql: "UPDATE t_order SET status = 'all' ORDER BY order_id LIMIT 2"},
		{sql: "DELETE FROM t_order WHERE user_id = ? LIMIT 18446744073709551615", args: []any{user}},
		{sql: "SELECT order_id FROM t_order ORDER BY order_id LIMIT 9223372036854775806 OFFSET 1", query: true},
		{sql: "UPDATE t_order SET status = 'z' WHERE user_id IN (?, '0' + ?, 1.0 * ?) ORDER BY order_id LIMIT 1", args: []any{user, user, user}},
		// Was a bug, fixed: offset+count overflowing int64 sends a negative LIMIT to the
		// nodes (Error 1064 near '-9223372036854775808'): LIMIT 1 OFFSET
		// 9223372036854775807 and LIMIT 4611686018427387904 OFFSET
		// 4611686018427387904 across nodes (the oracle returns no rows).
		{sql: "SELECT order_id FROM t_order ORDER BY order_id LIMIT 1 OFFSET 9223372036854775807", query: true},
		{sql: "SELECT order_id FROM t_order ORDER BY order_id LIMIT 4611686018427387904 OFFSET 4611686018427387904", query: true},
	}
	st := pick[g.r.Intn(len(pick))]
	st.class = "limits"
	return st
}

// hints draws statements run with WithShardingValues: hints that agree with
// the statement's own sharding value (in another spelling or Go type) must
// not change the answer; a hint that contradicts it must fail.
func (g *exactGen) hints(user int64) exactStmt {
	g.nextID++
	spellings := []any{user, int8(user), uint64(user), float64(user), strconv.FormatInt(user, 10), "0" + strconv.FormatInt(user, 10), []byte(strconv.FormatInt(user, 10))}
	h := spellings[g.r.Intn(len(spellings))]
	other := user%12 + 1
	pick := []exactStmt{
		{class: "hints", sql: "SELECT order_id FROM t_order WHERE user_id = ?", args: []any{user}, query: true},
		{class: "hints", sql: "UPDATE t_order SET status = 'hinted' WHERE user_id = ?", args: []any{user}},
		{class: "hints", sql: fmt.Sprintf("INSERT INTO t_order (order_id, user_id, status) VALUES (%d, ?, 'h')", g.nextID), args: []any{user}},
		// A hint that contradicts the row's own value is an error naming
		// both (docs/exactness.md).
		{class: "hints contradict", sql: fmt.Sprintf("INSERT INTO t_order (order_id, user_id, status) VALUES (%d, %d, 'h')", g.nextID, other)},
	}
	st := pick[g.r.Intn(len(pick))]
	if other == user {
		st = pick[0]
	}
	st.hint = []any{"t_order", h}
	return st
}

// unsignedKeys draws BIGINT UNSIGNED keys (t_acct, Mod) at the top of the
// range, negative and beyond it, as literals and arguments.
func (g *exactGen) unsignedKeys() exactStmt {
	g.nextID++
	top := []string{"18446744073709551615", "18446744073709551614", "9223372036854775808", "9223372036854775807"}[g.r.Intn(4)]
	u, _ := strconv.ParseUint(top, 10, 64)
	var kt string
	var args []any
	switch g.r.Intn(8) {
	case 0:
		kt = top
	case 1:
		kt = "'" + top + "'"
	case 2:
		kt, args = "?", []any{u}
	case 3:
		kt, args = "?", []any{top}
	case 4:
		kt = fmt.Sprintf("0x%X", u)
	case 5:
		kt = top + ".0"
	case 6:
		kt = "-1"
	default:
		kt = "18446744073709551616"
	}
	k := fmt.Sprintf("u%d", g.r.Intn(3))
	switch g.r.Intn(4) {
	case 0:
		return exactStmt{class: "unsigned", sql: fmt.Sprintf("INSERT IGNORE INTO t_acct (user_id, k, v) VALUES (%s, '%s', 1)", kt, k), args: args}
	case 1:
		return exactStmt{class: "unsigned", sql: fmt.Sprintf("INSERT INTO t_acct (user_id, k, v) VALUES (%s, '%s', 1) ON DUPLICATE KEY UPDATE v = v + 1", kt, k), args: args}
	case 2:
		return exactStmt{class: "unsigned", sql: "UPDATE t_acct SET v = v + 1 WHERE user_id = " + kt, args: args}
	default:
		return exactStmt{class: "unsigned", sql: "SELECT k, v FROM t_acct WHERE user_id = " + kt, args: args, query: true}
	}
}

// textKeys draws text keys in spellings the column converts: longer than
// VARCHAR(16) (truncated by INSERT IGNORE), numbers, accents.
func (g *exactGen) textKeys() exactStmt {
	base := exactCodes[g.r.Intn(len(exactCodes))]
	long := "abcdefghijklmnop"
	pick := []exactStmt{
		{sql: "SELECT code, n FROM t_code WHERE code = 1", query: true},
		{sql: "SELECT code, n FROM t_code WHERE code IN (?, 'ABC', 0)", args: []any{base}, query: true},
		{sql: "INSERT IGNORE INTO t_code (code, n) VALUES (?, 3)", args: []any{strings.ToUpper(base) + " "}},
		{sql: "INSERT IGNORE INTO t_code (code, n) VALUES ('" + long + "   ', 4)"}, // trailing spaces cut with a note
		{sql: "INSERT IGNORE INTO t_code (code, n) VALUES (10, 5)"},
		{sql: "SELECT code, n FROM t_code WHERE code = '" + long + "'", query: true},
		{sql: "INSERT INTO t_code (code, n) VALUES ('" + long + "xyz', 6)"}, // too long: an error on both
		// Was a bug, fixed: INSERT IGNORE INTO t_code (code, n) VALUES
		// ('abcdefghijklmnopq', 9) stores 'abcdefghijklmnop' (cut to
		// VARCHAR(16)) on the node of the uncut value: SELECT … WHERE code
		// = 'abcdefghijklmnop' finds it on the oracle (1 row), not through
		// shardsql (0 rows).
		{sql: "INSERT IGNORE INTO t_code (code, n) VALUES ('" + long + "q', 9)"},
	}
	st := pick[g.r.Intn(len(pick))]
	st.class = "collation"
	return st
}

// timeEdges draws time keys in the last second of a month, with
// fractions the server rounds or truncates.
func (g *exactGen) timeEdges() exactStmt {
	g.nextID++
	m := g.r.Intn(12) + 1
	last := time.Date(2025, time.Month(m)+1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Second)
	var kt string
	var args []any
	switch g.r.Intn(6) {
	case 0:
		kt = "'" + last.Format("2006-01-02 15:04:05") + ".9'"
	case 1:
		kt = "'" + last.Format("2006-01-02 15:04:05") + ".999999'"
	case 2:
		kt, args = "?", []any{last.Add(999 * time.Millisecond)}
	case 3:
		kt, args = "?", []any{last.In(exactTokyo)}
	case 4:
		kt = last.Format("20060102150405") + ".5"
	default:
		kt = "'" + last.Format("2006-01-02 15:04:05") + ".4999999'"
	}
	if m == 12 && g.r.Intn(2) == 0 {
		kt, args = "'2025-12-31 23:59:59'", nil
	}
	if g.r.Intn(2) == 0 {
		return exactStmt{class: "time keys", sql: fmt.Sprintf("INSERT INTO t_ev (id, created, v) VALUES (%d, %s, 2)", g.nextID, kt), args: args}
	}
	return exactStmt{class: "time keys", sql: "SELECT id, created FROM t_ev WHERE created = " + kt, args: args, query: true}
}

// tx draws short transactions: reads of the transaction's own writes across
// nodes, session state inside the transaction, a statement that fails
// inside it, then COMMIT or ROLLBACK.
func (g *exactGen) tx(user int64) exactStmt {
	id := g.nextID + 1 // id and id+1 are the transaction's
	g.nextID += 2
	other := user%12 + 1
	kt, ka := g.intKey(user)
	kt2, ka2 := g.intKey(other)
	scripts := []struct {
		name  string
		stmts []exactStmt
		bug   bool
	}{
		{"own writes across nodes", []exactStmt{
			{sql: fmt.Sprintf("INSERT INTO t_order (order_id, user_id, status, amount) VALUES (%d, %s, 'tx', 1), (%d, %s, 'tx', 2)", id, kt, id+1, kt2), args: append(g.args(kt, ka), g.args(kt2, ka2)...)},
			{sql: "SELECT COUNT(*), SUM(amount) FROM t_order WHERE status = 'tx'", query: true},
			{sql: "UPDATE t_order SET amount = amount + 1 WHERE user_id IN (?, ?)", args: []any{user, other}},
			{sql: "SELECT order_id, amount FROM t_order WHERE user_id = ? ORDER BY order_id", args: []any{other}, query: true},
		}, false},
		{"session state in a transaction", []exactStmt{
			{sql: "SET @v := ?", args: []any{user}},
			{sql: "SELECT order_id FROM t_order WHERE user_id = ? AND order_id > @v", args: []any{user}, query: true},
			{sql: fmt.Sprintf("INSERT INTO t_order (order_id, user_id, status) VALUES (%d, ?, 'tx')", id), args: []any{user}},
			{sql: "SELECT ROW_COUNT()", query: true},
			{sql: "SELECT order_id FROM t_order WHERE user_id = ? FOR UPDATE", args: []any{user}, query: true},
			{sql: "SELECT @v", query: true},
		}, false},
		{"broadcast and sharded together", []exactStmt{
			{sql: "INSERT INTO t_cfg (k, v) VALUES (?, 1) ON DUPLICATE KEY UPDATE v = v + 1", args: []any{fmt.Sprintf("k%d", user%6)}},
			{sql: fmt.Sprintf("INSERT INTO t_order (order_id, user_id, status) VALUES (%d, %s, 'tx')", id, kt), args: g.args(kt, ka)},
			{sql: "SELECT k, v FROM t_cfg ORDER BY k", query: true},
			{sql: "DELETE FROM t_order WHERE user_id = ? AND order_id = ?", args: []any{other, id - 5}},
		}, false},
		// Was a bug, fixed (statement savepoints): a statement that fails
		// on one node inside a transaction kept its effect on the others,
		// and COMMIT committed it. Oracle:
		// BEGIN; INSERT INTO t_acct (user_id, k, v) VALUES (1, 't', 1), (2,
		// 't', 99999999999) fails (Error 1264) and inserts nothing; COMMIT
		// leaves no (1, 't') row. shardsql keeps (1, 't').
		{"a failed statement inside", []exactStmt{
			{sql: fmt.Sprintf("INSERT INTO t_acct (user_id, k, v) VALUES (%d, 't%d', 1), (%d, 't%d', 99999999999)", user, id, other, id)},
			{sql: "SELECT COUNT(*) FROM t_acct", query: true},
		}, false},
	}
	sc := scripts[g.r.Intn(len(scripts))]
	return exactStmt{class: "tx", sql: sc.name, tx: sc.stmts, commit: g.r.Intn(2) == 0, bug: sc.bug && other != user}
}
