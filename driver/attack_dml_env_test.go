package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// The write and routing-key attack suite: INSERT, UPDATE, DELETE and
// point reads whose sharding values come in every spelling and Go type the
// server converts, over tables sharded by integer, unsigned, text (three
// collations, CHAR and VARCHAR), DATETIME, DATE and TIMESTAMP keys. Each
// statement runs on the unsharded oracle and through shardsql; it passes
// when shardsql refuses it, or both fail, or both succeed with the same
// rows, rows affected (and LastInsertId where one node generated it), and
// afterwards every table holds the oracle's rows and every row of every
// physical table sits on the node that a point read of its own stored key
// is routed to (dmlEnv.placement).

// dmlTable is one sharded table of the suite.
type dmlTable struct {
	name, key string
	cols      string // the columns' DDL
	order     string // a total order for the content check
	alg       shard.Algorithm
	nodes     string
	intKey    bool // an integer column: the placement check passes keys as integers
	// gen: shardsql generates the key (shard.Table.KeyColumn and a
	// dmlCounter), the oracle's AUTO_INCREMENT counts alike from 1.
	gen bool
	// genCol: the generated column when it is not the sharding column.
	genCol string
}

// dmlTables are created on the oracle and through shardsql; each has a
// primary key that contains its sharding column, so REPLACE, INSERT IGNORE
// and ON DUPLICATE KEY UPDATE run.
var dmlTables = []dmlTable{
	{name: "d_int", key: "k", intKey: true, cols: "k INT NOT NULL, id INT NOT NULL, v VARCHAR(20) NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"},
	{name: "d_tiny", key: "k", intKey: true, cols: "k TINYINT NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"},
	{name: "d_uns", key: "k", intKey: true, cols: "k BIGINT UNSIGNED NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"},
	{name: "d_ci", key: "k", cols: "k VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, BINARY k"},
	{name: "d_uca", key: "k", cols: "k VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, BINARY k"},
	{name: "d_bin", key: "k", cols: "k VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, BINARY k"},
	{name: "d_char", key: "k", cols: "k CHAR(4) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "id, BINARY k"},
	{name: "d_dt", key: "at", cols: "at DATETIME NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (at, id)", order: "at, id",
		alg: shard.Interval(shard.Month, "200601"), nodes: "ds0.d_dt_${2025-01..2025-06|month|200601}, ds1.d_dt_${2025-07..2025-12|month|200601}"},
	{name: "d_date", key: "at", cols: "at DATE NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (at, id)", order: "at, id",
		alg: shard.Interval(shard.Day, "20060102"), nodes: "ds0.d_date_${2025-06-28..2025-06-30|day|20060102}, ds1.d_date_${2025-07-01..2025-07-03|day|20060102}"},
	{name: "d_ts", key: "at", cols: "at TIMESTAMP NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (at, id)", order: "at, id",
		alg: shard.Interval(shard.Month, "200601"), nodes: "ds0.d_ts_${2025-01..2025-06|month|200601}, ds1.d_ts_${2025-07..2025-12|month|200601}"},
	{name: "d_dt6", key: "at", cols: "at DATETIME(6) NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (at, id)", order: "at, id",
		alg: shard.Interval(shard.Day, "20060102"), nodes: "ds0.d_dt6_${2025-06-28..2025-06-30|day|20060102}, ds1.d_dt6_${2025-07-01..2025-07-03|day|20060102}"},
	{name: "d_def", key: "k", intKey: true, cols: "k INT NOT NULL DEFAULT 5, id INT NOT NULL, PRIMARY KEY (k, id)", order: "k, id"},
	{name: "d_dec", key: "k", cols: "k DECIMAL(6,2) NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id)", order: "k, id"},
	{name: "d_pfx", key: "k", cols: "k VARCHAR(10) NOT NULL, id INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (k, id), UNIQUE KEY u (k(2), id)", order: "k, id"},
	{name: "d_gen", key: "id", intKey: true, gen: true, cols: "id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10) NULL, n INT NOT NULL DEFAULT 0", order: "id"},
	{name: "d_auto", key: "k", intKey: true, cols: "id BIGINT NOT NULL AUTO_INCREMENT, k INT NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (id, k)", order: "id, k"},
}

// dmlEnv is the oracle and the sharded database of the write suite, with
// each data source opened directly for the placement check.
type dmlEnv struct {
	*attackEnv
	direct []*sql.DB
	// oconn and sconn hold one session on each side for session
	// statements (SET …).
	oconn, sconn *sql.Conn
	tables       []dmlTable
}

func newDMLEnv(t *testing.T, name string) *dmlEnv {
	return newDMLEnvWith(t, name, nil)
}

// newDMLEnvWith is newDMLEnv with every DSN (the data sources' and the
// oracle's) changed by dsn, for go-sql-driver settings such as
// clientFoundRows.
func newDMLEnvWith(t *testing.T, name string, dsn func(*mysql.Config)) *dmlEnv {
	return newDMLEnvOf(t, name, dsn, dmlTables)
}

// newDMLEnvOf is newDMLEnvWith over the tables given.
func newDMLEnvOf(t *testing.T, name string, dsn func(*mysql.Config), dmlTables []dmlTable) *dmlEnv {
	dsns := sharedDSNs(t, name)
	withDSN := func(d string) string {
		if dsn == nil {
			return d
		}
		cfg, err := mysql.ParseDSN(d)
		require.NoError(t, err)
		dsn(cfg)
		return cfg.FormatDSN()
	}
	for i := range dsns {
		dsns[i] = withDSN(dsns[i])
	}
	oracle, err := sql.Open("mysql", withDSN(sharedDSNs(t, name+"_oracle")[0]))
	require.NoError(t, err)
	t.Cleanup(func() { _ = oracle.Close() })
	topo := shard.NewTopology()
	env := &dmlEnv{tables: dmlTables}
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d))
		db, err := sql.Open("mysql", d)
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		env.direct = append(env.direct, db)
	}
	for _, tb := range dmlTables {
		nodes, alg := tb.nodes, tb.alg
		if nodes == "" {
			nodes, alg = "ds${0..1}."+tb.name+"_${0..1}", shard.Hash()
		}
		table := shard.Table{Name: tb.name, Column: tb.key, Nodes: nodes, Algorithm: alg}
		if tb.gen {
			table.KeyColumn, table.KeyGenerator = tb.key, &dmlCounter{}
			if tb.genCol != "" {
				table.KeyColumn = tb.genCol
			}
		}
		require.NoError(t, topo.AddTable(table))
	}
	sharded := openDB(t, topo)
	for _, db := range []*sql.DB{oracle, sharded} {
		for _, tb := range dmlTables {
			_, err := db.Exec("DROP TABLE IF EXISTS " + tb.name)
			require.NoError(t, err)
			_, err = db.Exec("CREATE TABLE " + tb.name + " (" + tb.cols + ")")
			require.NoError(t, err, tb.name)
		}
	}
	env.attackEnv = &attackEnv{diffEnv: &diffEnv{oracle: oracle, sharded: sharded, mariadb: true}, topo: topo}
	ctx := context.Background()
	env.oconn, err = oracle.Conn(ctx)
	require.NoError(t, err)
	env.sconn, err = sharded.Conn(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = env.oconn.Close(); _ = env.sconn.Close() })
	return env
}

// dmlStmt is one statement of the suite.
type dmlStmt struct {
	sql   string
	args  []any
	query bool // returns rows (SELECT, … RETURNING)
	// ordered compares the rows in the order they came (INSERT …
	// RETURNING gives them in VALUES order).
	ordered bool
	session bool // runs on the held connections
	// prepared runs it through Prepare on both sides.
	prepared bool
	// lastID compares LastInsertId too.
	lastID bool
	// mustRun: a refusal is a failure.
	mustRun bool
	// refuse: shardsql must refuse it, naming this.
	refuse string
	// hint runs it through shardsql with driver.WithShardingValues(ctx,
	// hint[0], hint[1:]...) (the oracle runs it plain).
	hint []any
}

// dmlOutcome is what one side did with a statement.
type dmlOutcome struct {
	err      error
	rows     []string
	affected int64
	lastID   int64
}

type dmlRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

func runDML(db dmlRunner, st dmlStmt) dmlOutcome {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if len(st.hint) > 0 {
		ctx = driver.WithShardingValues(ctx, st.hint[0].(string), st.hint[1:]...)
	}
	exec := func() (sql.Result, error) { return db.ExecContext(ctx, st.sql, st.args...) }
	query := func() (*sql.Rows, error) { return db.QueryContext(ctx, st.sql, st.args...) }
	if st.prepared {
		ps, err := db.PrepareContext(ctx, st.sql)
		if err != nil {
			return dmlOutcome{err: err}
		}
		defer ps.Close()
		exec = func() (sql.Result, error) { return ps.ExecContext(ctx, st.args...) }
		query = func() (*sql.Rows, error) { return ps.QueryContext(ctx, st.args...) }
	}
	if !st.query {
		res, err := exec()
		if err != nil {
			return dmlOutcome{err: err}
		}
		n, err := res.RowsAffected()
		id, _ := res.LastInsertId()
		return dmlOutcome{err: err, affected: n, lastID: id}
	}
	rows, err := query()
	if err != nil {
		return dmlOutcome{err: err}
	}
	res, err := scanDiffRows(rows)
	if err != nil {
		return dmlOutcome{err: err}
	}
	var lines []string
	for _, r := range res.rows {
		lines = append(lines, strings.Join(r, "|"))
	}
	if !st.ordered {
		sort.Strings(lines)
	}
	return dmlOutcome{rows: lines}
}

// dmlResult says how a statement ended: "" when it agreed (or was
// refused), else the difference.
type dmlResult struct {
	refused bool
	diff    string
}

// check runs st on both sides and compares everything: the outcome, then
// the contents of every table and every row's placement.
func (e *dmlEnv) check(st dmlStmt) dmlResult {
	var oracle, sharded dmlRunner = e.oracle, e.sharded
	if st.session {
		oracle, sharded = e.oconn, e.sconn
	}
	got := runDML(sharded, st)
	if errors.Is(got.err, driver.ErrUnsupported) {
		if !strings.HasPrefix(got.err.Error(), "shardsql: unsupported: ") {
			return dmlResult{diff: "refusal not prefixed: " + got.err.Error()}
		}
		if st.mustRun {
			return dmlResult{diff: "refused, must run: " + got.err.Error()}
		}
		if !strings.Contains(got.err.Error(), st.refuse) {
			return dmlResult{diff: fmt.Sprintf("refused, but not naming %q: %v", st.refuse, got.err)}
		}
		return dmlResult{refused: true, diff: e.contents()}
	}
	if st.refuse != "" {
		return dmlResult{diff: fmt.Sprintf("must be refused (%s); shardsql: err %v, rows %q, affected %d", st.refuse, got.err, got.rows, got.affected)}
	}
	plain := st
	plain.hint = nil
	want := runDML(oracle, plain)
	switch {
	case want.err == nil && got.err != nil:
		return dmlResult{diff: fmt.Sprintf("oracle ran, shardsql failed: %v", got.err)}
	case want.err != nil && got.err == nil:
		return dmlResult{diff: fmt.Sprintf("oracle failed (%v), shardsql ran: rows %q affected %d", want.err, got.rows, got.affected)}
	case want.err != nil:
		var we, ge *mysql.MySQLError
		if errors.As(want.err, &we) && errors.As(got.err, &ge) && we.Number != ge.Number {
			// both failed: fine, but say so when tracing
			_ = we
		}
	case st.query && strings.Join(want.rows, "\n") != strings.Join(got.rows, "\n"):
		return dmlResult{diff: fmt.Sprintf("rows: oracle %q, shardsql %q", want.rows, got.rows)}
	case !st.query && want.affected != got.affected:
		return dmlResult{diff: fmt.Sprintf("rows affected: oracle %d, shardsql %d", want.affected, got.affected)}
	case st.lastID && want.lastID != got.lastID:
		return dmlResult{diff: fmt.Sprintf("LastInsertId: oracle %d, shardsql %d", want.lastID, got.lastID)}
	}
	if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(st.sql)), "SELECT") {
		return dmlResult{} // a read changes nothing
	}
	return dmlResult{diff: e.contentsOf(st.sql)}
}

// contents compares every table with the oracle's and checks placement.
func (e *dmlEnv) contents() string { return e.contentsOf("") }

// contentsOf is contents for the tables statement q names (every table
// when q is "" or a session statement, whose effect is not known).
func (e *dmlEnv) contentsOf(q string) string {
	named := func(tb dmlTable) bool {
		if q == "" || strings.HasPrefix(strings.ToUpper(q), "SET") {
			return true
		}
		for _, w := range strings.FieldsFunc(q, func(r rune) bool { return r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if strings.EqualFold(w, tb.name) {
				return true
			}
		}
		return false
	}
	var tables []dmlTable
	for _, tb := range e.tables {
		if named(tb) {
			tables = append(tables, tb)
		}
	}
	for _, tb := range tables {
		q := fmt.Sprintf("SELECT * FROM %s ORDER BY %s", tb.name, tb.order)
		want, werr := runDiffQuery(e.oracle, q)
		got, gerr := runDiffQuery(e.sharded, q)
		if werr != nil || gerr != nil {
			return fmt.Sprintf("reading %s: oracle %v, shardsql %v", tb.name, werr, gerr)
		}
		if strings.Join(flat(want.rows), "\n") != strings.Join(flat(got.rows), "\n") {
			return fmt.Sprintf("%s differs:\n  oracle:   %q\n  shardsql: %q", tb.name, flat(want.rows), flat(got.rows))
		}
	}
	return e.placement(tables)
}

func flat(rows [][]string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Join(r, "|")
	}
	return out
}

// placement reads every row of every physical table straight from its
// data source and asks the router where a DELETE by that row's stored key
// (as the server prints it, passed as a string argument, and for integer
// keys also as an integer) goes: that must be the row's own node. A row
// its key does not route to is one no point read, UPDATE or DELETE by its
// key will ever find.
func (e *dmlEnv) placement(tables []dmlTable) string {
	ctx := context.Background()
	for _, tb := range tables {
		st, _ := e.topo.Table(tb.name)
		for _, n := range st.Nodes {
			var ds int
			_, _ = fmt.Sscanf(n.DataSource, "ds%d", &ds)
			rows, err := e.direct[ds].QueryContext(ctx, fmt.Sprintf("SELECT CAST(%s AS CHAR) FROM %s", tb.key, n.Table))
			if err != nil {
				return fmt.Sprintf("reading %s: %v", n, err)
			}
			var keys []string
			for rows.Next() {
				var k string
				if err := rows.Scan(&k); err != nil {
					rows.Close()
					return err.Error()
				}
				keys = append(keys, k)
			}
			rows.Close()
			for _, k := range keys {
				// An integer key as an integer: its text compares as
				// DOUBLE, which several integers beyond 2^53 equal.
				var arg any = k
				if !tb.intKey {
				} else if i, err := strconv.ParseInt(k, 10, 64); err == nil {
					arg = i
				} else if u, err := strconv.ParseUint(k, 10, 64); err == nil {
					arg = u
				}
				plan, err := driver.Explain(ctx, e.sharded, fmt.Sprintf("DELETE FROM %s WHERE %s = ?", tb.name, tb.key), arg)
				if err != nil {
					return fmt.Sprintf("routing %s = %q: %v", tb.key, k, err)
				}
				found := false
				for _, u := range plan.Units {
					if u.Node == n {
						found = true
					}
				}
				if !found || len(plan.Units) != 1 {
					var to []string
					for _, u := range plan.Units {
						to = append(to, u.Node.String())
					}
					return fmt.Sprintf("misplaced row: %s holds %s = %q, which routes to %v", n, tb.key, k, to)
				}
			}
		}
	}
	return ""
}

// reset empties every table on both sides (physical tables directly), so
// that one finding does not hide the next.
func (e *dmlEnv) reset(t *testing.T) {
	t.Helper()
	for _, tb := range e.tables {
		_, err := e.oracle.Exec("DELETE FROM " + tb.name)
		require.NoError(t, err)
		st, _ := e.topo.Table(tb.name)
		for _, n := range st.Nodes {
			var ds int
			_, _ = fmt.Sscanf(n.DataSource, "ds%d", &ds)
			_, err := e.direct[ds].Exec("DELETE FROM " + n.Table)
			require.NoError(t, err)
		}
	}
}

// run checks each statement in order, failing the test on every
// difference (and emptying the tables after one, so that the next
// statements are judged on their own). It returns how many were refused.
func (e *dmlEnv) run(t *testing.T, label string, sts []dmlStmt) int {
	t.Helper()
	refused := 0
	for _, st := range sts {
		r := e.check(st)
		if r.refused {
			refused++
		}
		if r.diff != "" {
			t.Errorf("%s: %s %v (session %v, prepared %v, hint %v):\n  %s", label, st.sql, st.args, st.session, st.prepared, st.hint, r.diff)
			e.reset(t)
		}
	}
	return refused
}

// dmlCounter is a key generator counting from 1, as a fresh
// AUTO_INCREMENT column does; NextIDs reserves consecutive ids for one
// statement.
type dmlCounter struct {
	mu   sync.Mutex
	next int64
}

// NextID implements shard.KeyGenerator.
func (c *dmlCounter) NextID() (int64, error) { return c.NextIDs(1) }

// NextIDs reserves n consecutive ids and returns the first.
func (c *dmlCounter) NextIDs(n int) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	first := c.next + 1
	c.next += int64(n)
	return first, nil
}
