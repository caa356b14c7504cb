package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// The differential suite: the same rows in one unsharded table (the
// oracle) and in t_order sharded over 2 data sources × 4 tables; every
// query must return the oracle's rows — in order when its ORDER BY is
// total, as a multiset otherwise.

const diffDDL = `CREATE TABLE t_order (
	order_id BIGINT NOT NULL PRIMARY KEY,
	user_id  BIGINT NOT NULL,
	status   VARCHAR(16) NOT NULL,
	amount   DECIMAL(10,2) NULL,
	price    DOUBLE NULL,
	qty      INT NULL,
	created  DATETIME NOT NULL,
	note     VARCHAR(32) NULL
)`

var diffStatuses = []string{"new", "New", "NEW", "paid", "Paid", "shipped", "Urgent", "urgent",
	"élan", "Elan", "zoë", "apple", "Banana", "cherry", "café", "cafe"}

var diffNotes = []string{"alpha", "Beta", "gamma", "Delta", "ünïcode", "x", "X", "zz"}

type diffRow struct {
	orderID, userID int64
	status          string
	amount          *string
	price           *float64
	qty             *int64
	created         time.Time
	note            *string
}

func diffData(seed int64, n int) []diffRow {
	r := rand.New(rand.NewSource(seed))
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([]diffRow, n)
	for i := range rows {
		row := diffRow{orderID: int64(i + 1), userID: int64(r.Intn(60) + 1), status: diffStatuses[r.Intn(len(diffStatuses))],
			created: base.Add(time.Duration(r.Intn(60*24*90)) * time.Minute)}
		if r.Intn(20) > 0 {
			a := fmt.Sprintf("%.2f", float64(r.Intn(100000)-50000)/100)
			row.amount = &a
		}
		if r.Intn(10) > 0 {
			p := float64(r.Intn(10000)) / 8 // exact in binary: sums do not depend on order
			row.price = &p
		}
		if r.Intn(10) > 0 {
			q := int64(r.Intn(21))
			row.qty = &q
		}
		if r.Intn(10) > 2 {
			nt := diffNotes[r.Intn(len(diffNotes))]
			row.note = &nt
		}
		rows[i] = row
	}
	return rows
}

func insertDiffRows(t testing.TB, db *sql.DB, rows []diffRow) {
	t.Helper()
	for start := 0; start < len(rows); start += 200 {
		end := min(start+200, len(rows))
		var sb strings.Builder
		var args []any
		sb.WriteString("INSERT INTO t_order (order_id, user_id, status, amount, price, qty, created, note) VALUES ")
		for i, row := range rows[start:end] {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, row.orderID, row.userID, row.status, ptrVal(row.amount), ptrVal(row.price), ptrVal(row.qty), row.created, ptrVal(row.note))
		}
		_, err := db.Exec(sb.String(), args...)
		require.NoError(t, err)
	}
}

func ptrVal[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// diffEnv is one backend with the oracle and the sharded database loaded.
type diffEnv struct {
	oracle, sharded *sql.DB
	mariadb         bool
	// checks counts the statements check was asked to compare.
	checks int
}

// embeddedRaceStride: under the race detector go-mysql-server (the
// embedded shards and their oracle) runs 10–20× slower than MariaDB, which
// made the embedded half of the differential suites most of CI's time.
// There the embedded backend compares every embeddedRaceStride-th
// statement (a different third in each suite); MariaDB compares all of
// them, and `go test ./...` without -race compares all of them on both.
const embeddedRaceStride = 3

func newDiffEnv(t *testing.T, b backend) *diffEnv {
	servers := b.start(t, 2)
	oracle := oracleDB(t, servers[0], "oracle")
	_, err := oracle.Exec(diffDDL)
	require.NoError(t, err)

	topo := shard.NewTopology()
	for i, s := range servers {
		dsn := s.DSN()
		if i == 1 && b.name == "mariadb" {
			// ds1 interpolates arguments (one round trip, and the bounded
			// one-unit reads inside Raw: rows_raw.go), ds0 prepares them
			// (go-sql-driver's default): every run judges both paths.
			dsn += "&interpolateParams=true"
		}
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id",
		Nodes: "ds${0..1}.t_order_${0..3}", Algorithm: shard.Hash()}))
	addExtraTables(t, topo)
	sharded := openDB(t, topo)
	_, err = sharded.Exec(diffDDL)
	require.NoError(t, err)

	rows := diffData(1, 1500)
	insertDiffRows(t, oracle, rows)
	insertDiffRows(t, sharded, rows)
	loadExtraTables(t, oracle, rows)
	loadExtraTables(t, sharded, rows)
	return &diffEnv{oracle: oracle, sharded: sharded, mariadb: b.name == "mariadb"}
}

// oracleDB creates database name on server s, beside the data source's
// own, and opens a plain go-sql-driver pool on it: the unsharded oracle.
func oracleDB(t testing.TB, s *shardtest.Server, name string) *sql.DB {
	t.Helper()
	cfg, err := mysql.ParseDSN(s.DSN())
	require.NoError(t, err)
	admin, err := sql.Open("mysql", s.DSN())
	require.NoError(t, err)
	defer admin.Close()
	_, err = admin.Exec("CREATE DATABASE " + name)
	require.NoError(t, err)
	cfg.DBName = name
	db, err := sql.Open("mysql", cfg.FormatDSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// diffResult is a query result as text, NULL as "NULL".
type diffResult struct {
	cols  []string
	types []string
	rows  [][]string
}

func runDiffQuery(db *sql.DB, q string, args ...any) (*diffResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanDiffRows(rows)
}

// scanDiffRows reads rows as text and closes them.
func scanDiffRows(rows *sql.Rows) (*diffResult, error) {
	defer rows.Close()
	res := &diffResult{}
	var err error
	if res.cols, err = rows.Columns(); err != nil {
		return nil, err
	}
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	for _, ct := range cts {
		res.types = append(res.types, ct.DatabaseTypeName())
	}
	vals := make([]sql.NullString, len(res.cols))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = "NULL"
			if v.Valid {
				row[i] = v.String
			}
		}
		res.rows = append(res.rows, row)
	}
	return res, rows.Err()
}

// diffQuery is one query of the suite.
type diffQuery struct {
	sql     string
	args    []any
	ordered bool // the ORDER BY is total: compare in order
}

// compareResults returns "" when got matches want, else a description of
// the first difference.
func (e *diffEnv) compareResults(q diffQuery, want, got *diffResult) string {
	if len(want.cols) != len(got.cols) {
		return fmt.Sprintf("columns: want %v, got %v", want.cols, got.cols)
	}
	for i := range want.cols {
		if !strings.EqualFold(want.cols[i], got.cols[i]) {
			return fmt.Sprintf("column %d name: want %q, got %q", i, want.cols[i], got.cols[i])
		}
	}
	norm := func(rows [][]string) [][]string {
		out := make([][]string, len(rows))
		for i, r := range rows {
			out[i] = make([]string, len(r))
			for j, v := range r {
				out[i][j] = e.normalize(want.types[j], v, q)
			}
		}
		if !q.ordered {
			sort.Slice(out, func(a, b int) bool { return strings.Join(out[a], "\x00") < strings.Join(out[b], "\x00") })
		}
		return out
	}
	w, g := norm(want.rows), norm(got.rows)
	for i := 0; i < len(w) || i < len(g); i++ {
		switch {
		case i >= len(w):
			return fmt.Sprintf("%d rows, want %d; first extra row %d: %v", len(g), len(w), i, g[i])
		case i >= len(g):
			return fmt.Sprintf("%d rows, want %d; first missing row %d: %v", len(g), len(w), i, w[i])
		}
		for j := range w[i] {
			if !e.sameValue(want.types[j], w[i][j], g[i][j]) {
				return fmt.Sprintf("row %d differs: want %v, got %v", i, w[i], g[i])
			}
		}
	}
	return ""
}

// normalize makes values comparable across the oracle and the merge: on
// MariaDB, text that its utf8mb4_general_ci collation holds equal ('Urgent',
// 'urgent'; 'café', 'cafe') may come back as either spelling from a group,
// so it is folded.
func (e *diffEnv) normalize(typ, v string, q diffQuery) string {
	if e.mariadb && isTextType(typ) {
		return foldText(v)
	}
	return v
}

func isTextType(typ string) bool {
	switch typ {
	case "VARCHAR", "CHAR", "TEXT":
		return true
	}
	return false
}

func foldText(s string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'é', 'è', 'ê', 'ë':
			r = 'e'
		case 'ü', 'ú', 'û':
			r = 'u'
		case 'ï', 'í':
			r = 'i'
		case 'ö', 'ó':
			r = 'o'
		case 'à', 'á', 'ä':
			r = 'a'
		}
		sb.WriteRune(unicode.ToLower(r))
	}
	return sb.String()
}

// sameValue compares two normalized cells: exactly, except floating-point
// results (and decimals on the embedded server, which formats AVG with its
// own scale) compare numerically.
func (e *diffEnv) sameValue(typ, a, b string) bool {
	if a == b {
		return true
	}
	numeric := typ == "DOUBLE" || typ == "FLOAT" || (!e.mariadb && typ == "DECIMAL")
	if !numeric {
		return false
	}
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	tolerance := 1e-9
	if !e.mariadb {
		tolerance = 1e-6 // the embedded server prints AVG rounded to 6 decimals
	}
	return math.Abs(x-y) <= tolerance*math.Max(1, math.Max(math.Abs(x), math.Abs(y)))
}

func (e *diffEnv) check(t *testing.T, q diffQuery, label string) bool {
	t.Helper()
	e.checks++
	if raceBuild && !e.mariadb && e.checks%embeddedRaceStride != 1 {
		return true
	}
	want, err := runDiffQuery(e.oracle, q.sql, q.args...)
	if err != nil {
		t.Errorf("%s: oracle failed on %s %v: %v", label, q.sql, q.args, err)
		return false
	}
	got, err := runDiffQuery(e.sharded, q.sql, q.args...)
	if err != nil {
		t.Errorf("%s: shardsql failed on %s %v: %v", label, q.sql, q.args, err)
		return false
	}
	if diff := e.compareResults(q, want, got); diff != "" {
		t.Errorf("%s: %s %v\n  %s", label, q.sql, q.args, diff)
		return false
	}
	return true
}

func TestDifferential(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			env := newDiffEnv(t, b)
			t.Run("text compares by the server's collation", func(t *testing.T) {
				plan, err := driver.Explain(context.Background(), env.sharded, "SELECT status FROM t_order ORDER BY status")
				require.NoError(t, err)
				// MariaDB reports the collation (utf8mb4_general_ci) the merge
				// compares by; the embedded shards compare by their binary
				// collation's byte order.
				require.Equal(t, env.mariadb, strings.Contains(plan.Units[0].SQL, "collation(`status`)"), plan.Units[0].SQL)
				got, err := runDiffQuery(env.sharded, "SELECT DISTINCT status FROM t_order WHERE status IN ('apple', 'Banana', 'cherry') ORDER BY status")
				require.NoError(t, err)
				want := [][]string{{"Banana"}, {"apple"}, {"cherry"}}
				if env.mariadb {
					want = [][]string{{"apple"}, {"Banana"}, {"cherry"}}
				}
				require.Equal(t, want, got.rows)
			})
			t.Run("hand-written", func(t *testing.T) {
				qs := handQueries()
				require.GreaterOrEqual(t, len(qs), 150)
				for i, q := range qs {
					env.check(t, q, fmt.Sprintf("query %d", i))
				}
			})
			t.Run("time, range, join, broadcast, subquery", func(t *testing.T) {
				qs := shardingQueries()
				require.GreaterOrEqual(t, len(qs), 40)
				for i, q := range qs {
					env.check(t, q, fmt.Sprintf("sharding query %d", i))
				}
			})
			t.Run("generated", func(t *testing.T) {
				// SHARDSQL_DIFF_SEED replays a failing run; SHARDSQL_DIFF_N runs more queries.
				seed := time.Now().UnixNano()
				if v, err := strconv.ParseInt(os.Getenv("SHARDSQL_DIFF_SEED"), 10, 64); err == nil {
					seed = v
				}
				// 500 on MariaDB, the judge; half on the embedded shards,
				// which are slow under the race detector.
				n := 500
				if !env.mariadb {
					n = 250
				}
				if v, err := strconv.Atoi(os.Getenv("SHARDSQL_DIFF_N")); err == nil {
					n = v
				} else if testing.Short() {
					n = 100
				}
				t.Logf("seed %d, %d queries", seed, n)
				gen := newQueryGen(seed)
				failed := 0
				for i := 0; i < n && failed < 10; i++ {
					q := gen.query()
					if !env.check(t, q, fmt.Sprintf("seed %d query %d", seed, i)) {
						failed++
					}
				}
			})
		})
	}
}
