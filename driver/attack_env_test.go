package driver_test

import (
	"database/sql"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// The attack suite: adversarial statements over columns of every kind the
// operators above the nodes must compare, fold and return as MariaDB does
// (ENUM, SET, BIT, DATETIME(6), TIME, YEAR, DECIMAL, DOUBLE, FLOAT, JSON,
// text under several collations, unsigned 64-bit integers, binary
// strings), with NULLs in every nullable column. t_kind is sharded by
// user_id over 2 data sources × 2 tables; t_side, sharded by id, is a
// table on other nodes for subqueries; the oracle holds both unsharded.

const attackKindDDL = "CREATE TABLE t_kind (" +
	"id BIGINT NOT NULL PRIMARY KEY, " +
	"user_id BIGINT NOT NULL, " +
	"e ENUM('b','a','c') NULL, " +
	"st SET('x','y','z') NULL, " +
	"bt BIT(8) NULL, " +
	"dt DATETIME(6) NULL, " +
	"tm TIME NULL, " +
	"yr YEAR NULL, " +
	"dc DECIMAL(12,3) NULL, " +
	"db DOUBLE NULL, " +
	"fl FLOAT NULL, " +
	"js JSON NULL, " +
	"gci VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL, " +
	"bn VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL, " +
	"uca VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL, " +
	"u64 BIGINT UNSIGNED NULL, " +
	"vb VARBINARY(20) NULL, " +
	"`select` INT NULL, " +
	"n INT NULL)"

const attackSideDDL = "CREATE TABLE t_side (" +
	"id BIGINT NOT NULL PRIMARY KEY, " +
	"k INT NULL, " +
	"gci VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL, " +
	"dc DECIMAL(12,3) NULL, " +
	"u64 BIGINT UNSIGNED NULL, " +
	"np VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_nopad_ci NULL)"

// attackTextDDL is sharded by a text key under a case- and
// accent-insensitive PAD SPACE collation (or the binary one, t_tbin),
// with a bound twin t_titem: rows whose keys are equal under the
// collation must live on one node.
const attackTextDDL = "CREATE TABLE %s (" +
	"id BIGINT NOT NULL PRIMARY KEY, " +
	"k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE %s NOT NULL, " +
	"v INT NULL)"

const attackRows = 1200

var attackTexts = []string{"a", "A", "a ", "á", "ä", "b", "B  ", "ss", "ß", "", " ", "z", "Z", "é", "e"}

// attackEnv is the attack suite's oracle and sharded database, on the
// shared MariaDB servers (each test a database pair of its own).
type attackEnv struct {
	*diffEnv
	topo *shard.Topology
}

func newAttackEnv(t *testing.T, name string) *attackEnv {
	dsns := sharedDSNs(t, name)
	oracle, err := sql.Open("mysql", sharedDSNs(t, name+"_oracle")[0])
	require.NoError(t, err)
	t.Cleanup(func() { _ = oracle.Close() })
	topo := shard.NewTopology()
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_kind", Column: "user_id",
		Nodes: "ds${0..1}.t_kind_${0..1}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_side", Column: "id",
		Nodes: "ds${0..1}.t_side_${0..1}", Algorithm: shard.Hash()}))
	for _, tb := range []string{"t_text", "t_titem", "t_tuca", "t_tbin"} {
		require.NoError(t, topo.AddTable(shard.Table{Name: tb, Column: "k",
			Nodes: "ds${0..1}." + tb + "_${0..1}", Algorithm: shard.Hash()}))
	}
	require.NoError(t, topo.Bind("t_text", "t_titem"))
	sharded := openDB(t, topo)
	for _, db := range []*sql.DB{oracle, sharded} {
		for _, ddl := range []string{"DROP TABLE IF EXISTS t_kind", "DROP TABLE IF EXISTS t_side", attackKindDDL, attackSideDDL,
			fmt.Sprintf(attackTextDDL, "t_text", "utf8mb4_general_ci"), fmt.Sprintf(attackTextDDL, "t_titem", "utf8mb4_general_ci"),
			fmt.Sprintf(attackTextDDL, "t_tuca", "utf8mb4_unicode_ci"), fmt.Sprintf(attackTextDDL, "t_tbin", "utf8mb4_bin")} {
			_, err := db.Exec(ddl)
			require.NoError(t, err, ddl)
		}
	}
	r := rand.New(rand.NewSource(11))
	base := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	maybe := func(v any) any {
		if r.Intn(6) == 0 {
			return nil
		}
		return v
	}
	text := func() any { return maybe(attackTexts[r.Intn(len(attackTexts))]) }
	var kind [][]any
	for id := 1; id <= attackRows; id++ {
		kind = append(kind, []any{
			id, r.Intn(40) + 1,
			maybe([]string{"a", "b", "c"}[r.Intn(3)]),
			maybe([]string{"", "x", "y", "x,y", "z,x", "x,y,z"}[r.Intn(6)]),
			maybe(r.Intn(256)),
			maybe(base.Add(time.Duration(r.Intn(40)) * 37 * time.Hour).Add(time.Duration(r.Intn(3)) * 1500 * time.Microsecond)),
			maybe(fmt.Sprintf("%d:%02d:%02d", r.Intn(50)-10, r.Intn(60), r.Intn(60))),
			maybe(1990 + r.Intn(8)),
			maybe(fmt.Sprintf("%d.%03d", r.Intn(200)-100, r.Intn(1000))),
			maybe(float64(r.Intn(4000)-2000) / 16),
			maybe(float32(r.Intn(400)) / 4),
			maybe(fmt.Sprintf(`{"k": %d, "s": "%c"}`, r.Intn(5), 'a'+rune(r.Intn(3)))),
			text(), text(), text(),
			maybe([]uint64{0, 1, 1 << 63, 1<<64 - 1, 42, 1<<63 - 1}[r.Intn(6)]),
			maybe([]byte{byte('a' + r.Intn(3)), byte(r.Intn(2) * 'A')}),
			maybe(r.Intn(5)),
			maybe(r.Intn(10)),
		})
	}
	var side [][]any
	for id := 1; id <= 60; id++ {
		side = append(side, []any{id, maybe(r.Intn(12)), text(), maybe(fmt.Sprintf("%d.%03d", r.Intn(200)-100, r.Intn(1000))),
			maybe([]uint64{0, 1, 1 << 63, 1<<64 - 1, 42}[r.Intn(5)]), text()})
	}
	var texts [][]any
	for id := 1; id <= 300; id++ {
		texts = append(texts, []any{id, attackTexts[r.Intn(len(attackTexts))], maybe(r.Intn(10))})
	}
	for _, db := range []*sql.DB{oracle, sharded} {
		attackInsert(t, db, "INSERT INTO t_kind (id, user_id, e, st, bt, dt, tm, yr, dc, db, fl, js, gci, bn, uca, u64, vb, `select`, n) VALUES ", kind)
		attackInsert(t, db, "INSERT INTO t_side (id, k, gci, dc, u64, np) VALUES ", side)
		for _, tb := range []string{"t_text", "t_titem", "t_tuca", "t_tbin"} {
			attackInsert(t, db, "INSERT INTO "+tb+" (id, k, v) VALUES ", texts)
		}
	}
	return &attackEnv{diffEnv: &diffEnv{oracle: oracle, sharded: sharded, mariadb: true}, topo: topo}
}

func attackInsert(t *testing.T, db *sql.DB, head string, rows [][]any) {
	t.Helper()
	for start := 0; start < len(rows); start += 100 {
		end := min(start+100, len(rows))
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
		require.NoError(t, err)
	}
}

// exactOrRefused checks q: the oracle's rows (in order when ordered), the
// oracle's error class when the oracle fails, or a refusal.
func (e *attackEnv) exactOrRefused(t *testing.T, q diffQuery, label string) {
	t.Helper()
	want, oerr := runDiffQuery(e.oracle, q.sql, q.args...)
	got, err := runDiffQuery(e.sharded, q.sql, q.args...)
	switch {
	case err != nil && errors.Is(err, driver.ErrUnsupported):
		require.True(t, strings.HasPrefix(err.Error(), "shardsql: unsupported: "), "%s: %v", label, err)
	case oerr != nil:
		if err == nil {
			t.Errorf("%s: %s %v: oracle fails (%v), shardsql answers %v", label, q.sql, q.args, oerr, got.rows)
		}
	case err != nil:
		t.Errorf("%s: shardsql failed on %s %v: %v", label, q.sql, q.args, err)
	default:
		if diff := e.compare(q, want, got); diff != "" {
			t.Errorf("%s: %s %v\n  %s", label, q.sql, q.args, diff)
		}
		if fmt.Sprint(want.types) != fmt.Sprint(got.types) {
			t.Errorf("%s: %s %v\n  types: want %v, got %v", label, q.sql, q.args, want.types, got.types)
		}
	}
}

// exact checks q: the oracle's rows, names and types, not refused.
func (e *attackEnv) exact(t *testing.T, q diffQuery, label string) {
	t.Helper()
	want, err := runDiffQuery(e.oracle, q.sql, q.args...)
	require.NoError(t, err, "%s: oracle: %s", label, q.sql)
	got, err := runDiffQuery(e.sharded, q.sql, q.args...)
	if err != nil {
		t.Errorf("%s: shardsql failed on %s %v: %v", label, q.sql, q.args, err)
		return
	}
	if diff := e.compare(q, want, got); diff != "" {
		t.Errorf("%s: %s %v\n  %s", label, q.sql, q.args, diff)
		return
	}
	if fmt.Sprint(want.types) != fmt.Sprint(got.types) {
		t.Errorf("%s: %s %v\n  types: want %v, got %v", label, q.sql, q.args, want.types, got.types)
	}
	if fmt.Sprint(want.cols) != fmt.Sprint(got.cols) {
		// compareResults folds case; the names must be the server's
		t.Errorf("%s: %s %v\n  names: want %q, got %q", label, q.sql, q.args, want.cols, got.cols)
	}
}

// refused checks that shardsql refuses q naming want, and that the oracle
// answers it or fails (then shardsql must not answer either).
func (e *attackEnv) refused(t *testing.T, q diffQuery, want string) {
	t.Helper()
	_, err := runDiffQuery(e.sharded, q.sql, q.args...)
	require.Error(t, err, q.sql)
	require.True(t, errors.Is(err, driver.ErrUnsupported), "%s: %v", q.sql, err)
	require.True(t, strings.HasPrefix(err.Error(), "shardsql: unsupported: "), "%s: %v", q.sql, err)
	require.ErrorContains(t, err, want, q.sql)
}

// bothFail checks that the oracle and shardsql both fail on q, shardsql's
// error containing want (MySQL's error text or a refusal).
func (e *attackEnv) bothFail(t *testing.T, q diffQuery, want string) {
	t.Helper()
	_, oerr := runDiffQuery(e.oracle, q.sql, q.args...)
	require.Error(t, oerr, "oracle: %s", q.sql)
	res, err := runDiffQuery(e.sharded, q.sql, q.args...)
	require.Error(t, err, "%s answered %v where the oracle fails with %v", q.sql, res, oerr)
	require.ErrorContains(t, err, want, q.sql)
}

// compare is compareResults with text that MySQL holds equal folded
// further: trailing spaces (PAD SPACE) and ß = ss (utf8mb4_unicode_ci),
// so either spelling of a group or of tied rows matches.
func (e *attackEnv) compare(q diffQuery, want, got *diffResult) string {
	fold := func(r *diffResult) *diffResult {
		out := &diffResult{cols: r.cols, types: r.types}
		for _, row := range r.rows {
			nr := make([]string, len(row))
			for j, v := range row {
				if j < len(want.types) && isTextType(want.types[j]) && v != "NULL" {
					v = strings.TrimRight(strings.ReplaceAll(foldText(v), "ß", "ss"), " ")
				}
				nr[j] = v
			}
			out.rows = append(out.rows, nr)
		}
		return out
	}
	return e.compareResults(q, fold(want), fold(got))
}

// knownBugs reports whether the known-bug cases of class run
// (SHARDSQL_ATTACK_KNOWN_BUGS=1 or a comma-separated list of classes).
func knownBugs(class string) bool {
	v := os.Getenv("SHARDSQL_ATTACK_KNOWN_BUGS")
	if v == "1" {
		return true
	}
	for _, c := range strings.Split(v, ",") {
		if c == class {
			return true
		}
	}
	return false
}

// sameContents compares t_kind in the oracle and through shardsql, and
// reads each sharding value's rows by that value (a row on another node
// than its value's is not found): "" when they agree.
func (e *attackEnv) sameContents() string {
	const all = "SELECT id, user_id, n, gci, dc FROM t_kind ORDER BY id"
	want, err := runDiffQuery(e.oracle, all)
	if err != nil {
		return err.Error()
	}
	got, err := runDiffQuery(e.sharded, all)
	if err != nil {
		return err.Error()
	}
	if d := e.compareResults(ordered(all), want, got); d != "" {
		return "contents: " + d
	}
	users, err := runDiffQuery(e.oracle, "SELECT user_id, COUNT(*) FROM t_kind GROUP BY user_id")
	if err != nil {
		return err.Error()
	}
	for _, u := range users.rows {
		var n string
		if err := e.sharded.QueryRow("SELECT COUNT(*) FROM t_kind WHERE user_id = ?", u[0]).Scan(&n); err != nil {
			return err.Error()
		}
		if n != u[1] {
			return fmt.Sprintf("user_id %s: %s rows found by their key, want %s (rows on another node)", u[0], n, u[1])
		}
	}
	return ""
}

// attackRun is an attack generator's seed and statement count: a fresh
// seed and n, unless SHARDSQL_ATTACK_SEED replays a run or
// SHARDSQL_ATTACK_N sets the count. It logs the seed.
func attackRun(t *testing.T, n int) (int64, int) {
	t.Helper()
	seed := time.Now().UnixNano()
	if v, err := strconv.ParseInt(os.Getenv("SHARDSQL_ATTACK_SEED"), 10, 64); err == nil {
		seed = v
	}
	if v, err := strconv.Atoi(os.Getenv("SHARDSQL_ATTACK_N")); err == nil {
		n = v
	}
	t.Logf("seed %d (SHARDSQL_ATTACK_SEED replays it)", seed)
	return seed, n
}
