package driver_test

import (
	"database/sql"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// The round-11 join suite: two tables sharded on id and never bound, so
// every join of their other columns runs above the nodes, with join keys
// of every kind the brief names on each side: INT, text under
// utf8mb4_general_ci, utf8mb4_bin and latin1, DECIMAL, DOUBLE, DATETIME,
// DATE, CHAR (padding), ENUM, and NULLs.

const joins11DDL = `CREATE TABLE %s (
	id BIGINT NOT NULL PRIMARY KEY,
	ik INT NULL,
	sk VARCHAR(8) COLLATE utf8mb4_general_ci NULL,
	bk VARCHAR(8) COLLATE utf8mb4_bin NULL,
	lk VARCHAR(8) CHARACTER SET latin1 NULL,
	dk DECIMAL(6,2) NULL,
	fk DOUBLE NULL,
	dt DATETIME NULL,
	d DATE NULL,
	ck CHAR(6) COLLATE utf8mb4_general_ci NULL,
	ek ENUM('x','y','z') NULL,
	g INT NOT NULL,
	uk BIGINT UNSIGNED NULL,
	nk BIGINT NULL,
	d3 DECIMAL(8,3) NULL,
	yk YEAR NULL,
	tk TIME NULL,
	vb VARBINARY(8) NULL,
	tx TEXT NULL
)`

var joins11Texts = []string{"7", "007", "7.0", " 7", "7 ", "a", "A", "á", "b", "ss", "ß", "abc", "ABC ", "x", "y"}

// newJoins11Env is the oracle and the sharded pool with j_a and j_b
// (sharded by id, not bound) and j_c (broadcast), on the shared servers.
func newJoins11Env(t *testing.T, name string, opts ...driver.Option) (*diffEnv, *shard.Topology) {
	t.Helper()
	dsns := sharedDSNs(t, name)
	oracle, err := sql.Open("mysql", sharedDSNs(t, name+"_oracle")[0])
	require.NoError(t, err)
	t.Cleanup(func() { _ = oracle.Close() })
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "j_a", Column: "id", Nodes: "ds${0..1}.j_a_${0..1}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "j_b", Column: "id", Nodes: "ds${0..1}.j_b_${0..2}", Algorithm: shard.Mod()}))
	require.NoError(t, topo.AddBroadcastTable("j_c"))
	sharded := openDB(t, topo, opts...)
	r := rand.New(rand.NewSource(11))
	maybe := func(v any) any {
		if r.Intn(7) == 0 {
			return nil
		}
		return v
	}
	rows := func(n int) [][]any {
		var out [][]any
		for id := 1; id <= n; id++ {
			ik := r.Intn(10)
			out = append(out, []any{id, maybe(ik),
				maybe(joins11Texts[r.Intn(len(joins11Texts))]),
				maybe(joins11Texts[r.Intn(len(joins11Texts))]),
				maybe([]string{"a", "A", "é", "e", "x", "7"}[r.Intn(6)]),
				maybe(fmt.Sprintf("%d.%d0", r.Intn(8), []int{0, 5}[r.Intn(2)])),
				maybe([]float64{0.1, 0.5, 1, 2.5, 7, 3.000000001}[r.Intn(6)]),
				maybe(fmt.Sprintf("2025-01-0%d %s", r.Intn(3)+1, []string{"00:00:00", "12:30:00"}[r.Intn(2)])),
				maybe(fmt.Sprintf("2025-01-0%d", r.Intn(3)+1)),
				maybe(joins11Texts[r.Intn(len(joins11Texts))]),
				maybe([]string{"x", "y", "z"}[r.Intn(3)]),
				r.Intn(4),
				maybe([]uint64{0, 1, 7, 1 << 63, 1<<64 - 1}[r.Intn(5)]),
				maybe([]int64{-1, 0, 7, 1<<63 - 1, -1 << 63}[r.Intn(5)]),
				maybe([]string{"1.500", "1.000", "7.000", "0.000", "2.250"}[r.Intn(5)]),
				maybe(2020 + r.Intn(3)),
				maybe([]string{"00:00:07", "12:00:00", "-01:00:00", "24:00:00"}[r.Intn(4)]),
				maybe([]byte(joins11Texts[r.Intn(len(joins11Texts))])),
				maybe(joins11Texts[r.Intn(len(joins11Texts))])})
		}
		return out
	}
	a, b, c := rows(40), rows(30), rows(12)
	cols := "(id, ik, sk, bk, lk, dk, fk, dt, d, ck, ek, g, uk, nk, d3, yk, tk, vb, tx)"
	for _, db := range []*sql.DB{oracle, sharded} {
		for _, tb := range []string{"j_a", "j_b", "j_c"} {
			_, err := db.Exec("DROP TABLE IF EXISTS " + tb)
			require.NoError(t, err)
			_, err = db.Exec(fmt.Sprintf(joins11DDL, tb))
			require.NoError(t, err, tb)
		}
		crossInsert(t, db, "j_a "+cols, a)
		crossInsert(t, db, "j_b "+cols, b)
		crossInsert(t, db, "j_c "+cols, c)
	}
	return &diffEnv{oracle: oracle, sharded: sharded, mariadb: true}, topo
}

// joins11Outcome runs q on both and says what happened: "exact",
// "refused: …", "both failed", or a description of what is wrong
// (prefixed "WRONG").
func joins11Outcome(e *diffEnv, q diffQuery) string {
	want, werr := runDiffQuery(e.oracle, q.sql, q.args...)
	got, gerr := runDiffQuery(e.sharded, q.sql, q.args...)
	if gerr != nil && errors.Is(gerr, driver.ErrTooLarge) && !errors.Is(gerr, driver.ErrUnsupported) {
		return "too large: " + gerr.Error()
	}
	if out, failed := errorOutcome(werr, got, gerr); failed {
		return out
	}
	if diff := e.compareResults(q, want, got); diff != "" {
		// Of values a PAD SPACE collation holds equal ('7' and '7 ',
		// 'abc' and 'ABC '), a group, DISTINCT or UNION may return
		// any spelling (the suites' policy for GROUP BY keys): equal
		// once trailing spaces are dropped is exact up to spelling.
		if e.compareResults(q, padFolded(want), padFolded(got)) == "" {
			return "exact up to the spelling of equal text"
		}
		return "WRONG: " + diff
	}
	return "exact"
}

// padFolded is res with trailing spaces dropped from text values.
func padFolded(res *diffResult) *diffResult {
	out := *res
	out.rows = make([][]string, len(res.rows))
	for i, row := range res.rows {
		out.rows[i] = make([]string, len(row))
		for j, v := range row {
			if isTextType(res.types[j]) && v != "NULL" {
				v = strings.TrimRight(v, " ")
			}
			out.rows[i][j] = v
		}
	}
	return &out
}
