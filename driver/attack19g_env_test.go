package driver_test

import (
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// r19gCols is review19g's join and deep-page table: a non-unique sort key
// k with ties spread over the nodes, NULLs, PAD SPACE and NO PAD text with
// trailing spaces, a DECIMAL. x19 is sharded by id, y19 by g (a join of
// the two crosses nodes), z19 is broadcast, u19 unsharded (ds0).
const r19gCols = `id INT NOT NULL PRIMARY KEY, g INT NOT NULL, k INT NULL, n INT NULL,
	s VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL,
	np VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL,
	c CHAR(6) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL,
	d DECIMAL(10,2) NULL`

// r19gRows is 40 rows: k in 0..4 (ties), n NULL every fifth row, text
// with case and trailing-space variants.
func r19gRows(table string) string {
	var vals []string
	texts := []string{"'a'", "'A'", "'a '", "'b'", "NULL", "'B '", "''", "'ß'", "'ss'", "'c'"}
	for i := 1; i <= 40; i++ {
		n := fmt.Sprint(i % 7)
		if i%5 == 0 {
			n = "NULL"
		}
		k := fmt.Sprint(i % 5)
		if i%11 == 0 {
			k = "NULL"
		}
		t := texts[i%len(texts)]
		vals = append(vals, fmt.Sprintf("(%d, %d, %s, %s, %s, %s, %s, %d.%02d)", i, i%6, k, n, t, t, t, i%4, (i*7)%100))
	}
	return "INSERT INTO " + table + " (id, g, k, n, s, np, c, d) VALUES " + strings.Join(vals, ", ")
}

type r19gEnv struct{ *r16Env }

func newR19gEnv(t *testing.T, name string, opts ...driver.Option) *r19gEnv {
	dsns := sharedDSNs(t, name)
	oracle := openPlain(t, sharedDSNs(t, name+"_oracle")[0])
	topo := shard.NewTopology()
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "x19", Column: "id", Nodes: "ds${0..1}.x19_${0..1}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "y19", Column: "g", Nodes: "ds${0..1}.y19_${0..1}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "p19", Column: "id", Nodes: "ds${0..1}.p19_${0..1}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.AddBroadcastTable("z19"))
	e := &r19gEnv{&r16Env{oracle: oracle, sharded: openDB(t, topo, opts...)}}
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		for _, tb := range []string{"x19", "y19", "z19", "u19"} {
			_, err := db.Exec("DROP TABLE IF EXISTS " + tb)
			require.NoError(t, err)
			_, err = db.Exec("CREATE TABLE " + tb + " (" + r19gCols + ")")
			require.NoError(t, err, tb)
			_, err = db.Exec(r19gRows(tb))
			require.NoError(t, err, tb)
		}
	}
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		_, err := db.Exec("DROP TABLE IF EXISTS p19")
		require.NoError(t, err)
		_, err = db.Exec("CREATE TABLE p19 (" + r19gPageCols + ")")
		require.NoError(t, err)
		_, err = db.Exec(r19gPageRows())
		require.NoError(t, err)
	}
	return e
}

// r19gPageCols is the deep-page table p19 (sharded by id): ties in k,
// NULLs in n, text keys of several collations with case, accent and
// trailing-space variants, temporal and DECIMAL keys.
const r19gPageCols = `id INT NOT NULL PRIMARY KEY, k INT NOT NULL, n INT NULL,
	s VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL,
	sb VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
	l1 VARCHAR(10) CHARACTER SET latin1 COLLATE latin1_swedish_ci NULL,
	uc VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL,
	dt DATETIME(6) NULL, dd DATE NULL, d DECIMAL(10,3) NULL, tm TIME NULL, u BIGINT UNSIGNED NULL,
	KEY (k), KEY (s)`

// r19gPageRows is 600 rows of p19.
func r19gPageRows() string {
	texts := []string{"a", "A", "a ", "b", "B ", "", "ß", "ss", "SS", "å", "ä", "z", "Z ", "o", "ö"}
	var vals []string
	for i := 1; i <= 600; i++ {
		n := fmt.Sprint(i % 13)
		if i%7 == 0 {
			n = "NULL"
		}
		t := "'" + texts[i%len(texts)] + "'"
		if i%17 == 0 {
			t = "NULL"
		}
		vals = append(vals, fmt.Sprintf("(%d, %d, %s, %s, %s, %s, %s, '2025-01-%02d 00:00:%02d.%06d', '2025-02-%02d', %d.%03d, '%d:00:00', %d)",
			i, i%10, n, t, t, t, t, 1+i%28, i%60, (i*37)%1000000, 1+i%28, i%9-4, (i*13)%1000, i%50-25, uint64(i%3)*9223372036854775807))
	}
	return "INSERT INTO p19 (id, k, n, s, sb, l1, uc, dt, dd, d, tm, u) VALUES " + strings.Join(vals, ", ")
}

// TestAttack19gProbe runs SHARDSQL_A19G_PROBE's lines ("O "/"U " ordered
// or unordered reads, "D " the oracle alone) over x19/y19/z19/u19 with
// join batches of SHARDSQL_A19G_BATCH (default the driver's).
func TestAttack19gProbe(t *testing.T) {
	lines := probeFileFrom(t, "SHARDSQL_A19G_PROBE")
	var opts []driver.Option
	if b := os.Getenv("SHARDSQL_A19G_BATCH"); b != "" {
		var n int
		fmt.Sscan(b, &n)
		opts = append(opts, driver.WithJoinBatch(n))
	}
	e := newR19gEnv(t, "attack19g_probe", opts...)
	probeFile{oracle: e.oracle, sharded: e.sharded, outcome: e.outcome}.run(t, lines)
}
