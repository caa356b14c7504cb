package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// a19fEnv is an oracle database and a sharded one (table f19 on two
// nodes of two data sources) with the same rows, for review19f.
type a19fEnv struct {
	t               *testing.T
	oracle, sharded *sql.DB
}

func newA19fEnv(t *testing.T, name, create string, opts ...driver.Option) *a19fEnv {
	dsns := sharedDSNs(t, name)
	oracle, err := sql.Open("mysql", sharedDSNs(t, name+"_oracle")[0])
	require.NoError(t, err)
	t.Cleanup(func() { _ = oracle.Close() })
	topo := shard.NewTopology()
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "f19", Column: "id", Nodes: "ds${0..1}.f19_${0..1}", Algorithm: shard.Hash()}))
	e := &a19fEnv{t: t, oracle: oracle, sharded: openDB(t, topo, opts...)}
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		_, err := db.Exec("DROP TABLE IF EXISTS f19")
		require.NoError(t, err)
		_, err = db.Exec("CREATE TABLE f19 " + create)
		require.NoError(t, err)
	}
	return e
}

// both runs a statement on each side and returns the outcome.
func (e *a19fEnv) both(q string, args ...any) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if s, ok := strings.CutPrefix(q, "Q "); ok {
		want, werr := runDiffQuery(e.oracle, s, args...)
		got, gerr := runDiffQuery(e.sharded, s, args...)
		return diffOutcome(want, werr, got, gerr, true)
	}
	_, werr := e.oracle.ExecContext(ctx, q, args...)
	_, gerr := e.sharded.ExecContext(ctx, q, args...)
	if out, failed := errorOutcome(werr, &diffResult{}, gerr); failed {
		return out
	}
	return "exact"
}

// TestAttack19fKeyMoveFloat: a key move copies a FLOAT read as text.
func TestAttack19fKeyMoveFloat(t *testing.T) {
	e := newA19fEnv(t, "a19f_float", "(id INT PRIMARY KEY, f FLOAT, d DOUBLE, n INT)")
	for _, q := range []string{
		"INSERT INTO f19 (id, f, d, n) VALUES (1, 1234567.875, 0.1, 0), (2, 0.1, 1e300, 0), (3, 16777217, 3.141592653589793, 0), (4, 1.17549e-38, 5e-324, 0)",
		"UPDATE f19 SET id = 11 WHERE id = 1",
		"UPDATE f19 SET id = 12 WHERE id = 2",
		"UPDATE f19 SET id = 13 WHERE id = 3",
		"UPDATE f19 SET id = 14 WHERE id = 4",
		"UPDATE f19 SET id = 21 WHERE id = 11",
		"UPDATE f19 SET id = 22 WHERE id = 12",
		"UPDATE f19 SET id = 23 WHERE id = 13",
		"UPDATE f19 SET id = 24 WHERE id = 14",
		"Q SELECT id, f + 0e0, d, f FROM f19 ORDER BY id",
	} {
		if out := e.both(q); out != "exact" {
			t.Errorf("%s => %s", q, out)
		}
	}
}

// TestAttack19fKeyMoveShapes: node tables of one logical table whose
// definitions differ (an ALTER TABLE run on some data sources only, a
// migration half applied). A key move copies the row with an INSERT
// without strict sql_mode (laxCopyMode): a value the target's narrower
// column cannot hold was cut with a warning, and the UPDATE answered —
// the moved row lost data no single server's UPDATE of the key loses.
func TestAttack19fKeyMoveShapes(t *testing.T) {
	e := newA19fEnv(t, "a19f_shapes", "(id INT PRIMARY KEY, s VARCHAR(20), d DECIMAL(10,2), n INT NULL)")
	plain := openPlain(t, sharedDSNs(t, "a19f_shapes")[1])
	for _, q := range []string{
		"ALTER TABLE f19_0 MODIFY s VARCHAR(3), MODIFY d DECIMAL(10,1)",
		"ALTER TABLE f19_1 MODIFY s VARCHAR(3), MODIFY d DECIMAL(10,1)",
	} {
		_, err := plain.Exec(q)
		require.NoError(t, err)
	}
	// Rows that fit only the wider definition, on ds0's nodes.
	var onDS0 []int
	for id := 1; id <= 12; id++ {
		if _, err := e.sharded.Exec("INSERT INTO f19 (id, s, d, n) VALUES (?, 'abcdefgh', 1.25, NULL)", id); err == nil {
			onDS0 = append(onDS0, id)
		}
	}
	require.NotEmpty(t, onDS0)
	for _, id := range onDS0 {
		for to := 100; to < 108; to++ {
			_, err := e.sharded.Exec(fmt.Sprintf("UPDATE f19 SET id = %d WHERE id = %d", to, id))
			if err != nil {
				if !strings.HasPrefix(err.Error(), "shardsql: unsupported: ") || !strings.Contains(err.Error(), "definitions differ") {
					t.Errorf("UPDATE to %d: %v", to, err)
				}
				continue // refused: the row stays
			}
			var s string
			var d string
			var n sql.NullInt64
			require.NoError(t, e.sharded.QueryRow("SELECT s, d, n FROM f19 WHERE id = ?", to).Scan(&s, &d, &n))
			if s != "abcdefgh" || d != "1.25" || n.Valid {
				t.Errorf("UPDATE f19 SET id = %d WHERE id = %d answered, and the row holds s=%q d=%s n=%v (was 'abcdefgh', 1.25, NULL)", to, id, s, d, n)
			}
			_, err = e.sharded.Exec(fmt.Sprintf("UPDATE f19 SET id = %d WHERE id = %d", id, to))
			require.NoError(t, err)
		}
	}
}

// TestAttack19fZeroFillProbe: common reads of a table with a ZEROFILL
// column (probe: logs the outcome of each).
func TestAttack19fZeroFillProbe(t *testing.T) {
	e := newA19fEnv(t, "a19f_zf", "(id INT PRIMARY KEY, zi INT(5) ZEROFILL, zd DECIMAL(8,2) ZEROFILL, n INT)")
	require.Equal(t, "exact", e.both("INSERT INTO f19 (id, zi, zd, n) VALUES (1, 7, 2.3, 1), (2, 12, 10.5, 1), (3, 7, 0.25, 2), (4, NULL, NULL, 2), (5, 123456, 1.5, 3), (6, 3, 4, 3)"))
	for _, q := range []string{
		"SELECT * FROM f19 ORDER BY zi, id LIMIT 3",
		"SELECT zi, COUNT(*) FROM f19 GROUP BY zi ORDER BY zi",
		"SELECT COUNT(*) FROM (SELECT * FROM f19 WHERE zi > 0) AS sub",
		"SELECT * FROM (SELECT * FROM f19 WHERE zi > 0) AS sub ORDER BY id",
		"SELECT sub.zi FROM (SELECT id, zi FROM f19) AS sub ORDER BY sub.id",
		"SELECT STDDEV(zi), VARIANCE(zi), BIT_OR(zi) FROM f19",
		"SELECT n, STDDEV_POP(zi), BIT_XOR(zi) FROM f19 GROUP BY n ORDER BY n",
		"SELECT id, ROW_NUMBER() OVER (PARTITION BY zi ORDER BY id) FROM f19 ORDER BY id",
		"SELECT id, SUM(n) OVER (PARTITION BY zi) FROM f19 ORDER BY id",
		"SELECT DISTINCT zi FROM f19 ORDER BY zi",
		"SELECT a.id, b.id FROM f19 a JOIN f19 b ON a.zi = b.n ORDER BY a.id, b.id",
		"SELECT a.id, a.zi, b.zi FROM f19 a JOIN f19 b ON a.zi = b.zi ORDER BY a.id, b.id",
		"SELECT a.* FROM f19 a JOIN f19 b ON a.id = b.n ORDER BY a.id, b.id",
		"SELECT SUM(zi), AVG(zi), MAX(zi), MIN(zd) FROM f19",
		"SELECT n, MAX(zi), MIN(zd) FROM f19 GROUP BY n ORDER BY n",
		"SELECT zi FROM f19 UNION SELECT zi FROM f19 ORDER BY zi",
		"SELECT * FROM f19 WHERE zi IN (7, 12) ORDER BY id",
		"SELECT id FROM f19 WHERE CAST(zi AS SIGNED) > 5 ORDER BY id",
		"SELECT id FROM f19 WHERE zi IN (SELECT n FROM f19) ORDER BY id",
		"SELECT COUNT(DISTINCT zi), COUNT(zi) FROM f19",
		"SELECT n, COUNT(DISTINCT zi) FROM f19 GROUP BY n ORDER BY n",
		"SELECT n FROM f19 GROUP BY n HAVING MAX(zi) > 5 ORDER BY n",
		"SELECT id, zi FROM f19 ORDER BY zi DESC, id LIMIT 2 OFFSET 1",
		"SELECT JSON_OBJECT('zi', zi) FROM f19 ORDER BY id",
		"SELECT id FROM f19 WHERE zi BETWEEN 1 AND 10 ORDER BY id",
		"SELECT BIT_OR(zi), BIT_AND(zi) FROM f19",
		"SELECT a.id, CAST(a.zi AS SIGNED) + b.n FROM f19 a JOIN f19 b ON a.id = b.n ORDER BY a.id, b.id",
		"SELECT a.id FROM f19 a JOIN f19 b ON a.id = b.n WHERE DATE_ADD('2020-01-01', INTERVAL a.zi DAY) > '2020-01-05' ORDER BY a.id, b.id",
		"SELECT a.id, FORMAT(a.zi, 0), HEX(a.zi) FROM f19 a JOIN f19 b ON a.id = b.n ORDER BY a.id, b.id",
		"SELECT x.n, x.m FROM (SELECT n, MAX(zi) AS m FROM f19 GROUP BY n) x WHERE x.m > 5 ORDER BY x.n",
		"SELECT id, SUM(zi) OVER (ORDER BY id), LAG(zi) OVER (ORDER BY id) FROM f19 ORDER BY id",
		"SELECT id, zi FROM f19 WHERE zi = '00007' ORDER BY id",
		"SELECT id, zi FROM f19 WHERE zi LIKE '0%' ORDER BY id",
		"SELECT id, CONCAT(zi) FROM f19 ORDER BY id",
		"SELECT a.id, a.zi FROM f19 a JOIN f19 b ON a.id = b.n WHERE a.zi IN (7, 12) ORDER BY a.id, b.id",
		"SELECT a.id FROM f19 a JOIN f19 b ON a.id = b.n WHERE a.zi + 0 > 5 ORDER BY a.id, b.id",
		"SELECT a.id, ELT(1, a.zi) FROM f19 a JOIN f19 b ON a.id = b.n ORDER BY a.id, b.id",
		"SELECT a.id FROM f19 a JOIN f19 b ON a.id = b.n ORDER BY CAST(a.zi AS CHAR), a.id",
	} {
		t.Logf("%s => %s", q, e.both("Q "+q))
	}
}

// TestAttack19fZeroFillNumericCast: a ZEROFILL column read through a
// numeric CAST above the nodes is its number on one server; it was
// refused as a text read.
func TestAttack19fZeroFillNumericCast(t *testing.T) {
	e := newA19fEnv(t, "a19f_zfc", "(id INT PRIMARY KEY, zi INT(5) ZEROFILL, zd DECIMAL(8,2) ZEROFILL, n INT)")
	require.Equal(t, "exact", e.both("INSERT INTO f19 (id, zi, zd, n) VALUES (1, 7, 2.3, 1), (2, 12, 10.5, 1), (3, 7, 0.25, 2), (4, NULL, NULL, 2), (5, 123456, 1.5, 3), (6, 3, 4, 3)"))
	for _, q := range []string{
		"SELECT a.id, CAST(a.zi AS SIGNED) + b.n FROM f19 a JOIN f19 b ON a.id = b.n ORDER BY a.id, b.id",
		"SELECT a.id, CAST(a.zi AS UNSIGNED), CAST(a.zd AS DECIMAL(10,3)), CONVERT(a.zd, DOUBLE) FROM f19 a JOIN f19 b ON a.id = b.n ORDER BY a.id, b.id",
		"SELECT a.id FROM f19 a JOIN f19 b ON a.id = b.n ORDER BY CAST(a.zi AS SIGNED) DESC, a.id, b.id",
		"SELECT x.n, CAST(x.m AS SIGNED) FROM (SELECT n, MAX(zi) AS m FROM f19 GROUP BY n) x ORDER BY x.n",
	} {
		if out := e.both("Q " + q); out != "exact" {
			t.Errorf("%s => %s", q, out)
		}
	}
	// Still refused: a CAST to text.
	for _, q := range []string{
		"SELECT a.id FROM f19 a JOIN f19 b ON a.id = b.n ORDER BY CAST(a.zi AS CHAR), a.id",
		"SELECT x.n, CONVERT(x.m, CHAR) FROM (SELECT n, MAX(zi) AS m FROM f19 GROUP BY n) x ORDER BY x.n",
	} {
		if out := e.both("Q " + q); !strings.Contains(out, "shardsql: unsupported: ") || !strings.Contains(out, "ZEROFILL") {
			t.Errorf("%s => %s", q, out)
		}
	}
}

// TestAttack19fTxEarlyClose: rows of a transaction closed early (many
// rows unread on a node) and the transaction going on.
func TestAttack19fTxEarlyClose(t *testing.T) {
	e := newA19fEnv(t, "a19f_txclose", "(id INT PRIMARY KEY, n INT)")
	var vals []string
	for i := 1; i <= 600; i++ {
		vals = append(vals, fmt.Sprintf("(%d, %d)", i, i))
	}
	require.Equal(t, "exact", e.both("INSERT INTO f19 (id, n) VALUES "+strings.Join(vals, ", ")))
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		tx, err := db.Begin()
		require.NoError(t, err)
		_, err = tx.Exec("UPDATE f19 SET n = n + 1000 WHERE id = 1")
		require.NoError(t, err)
		_, err = tx.Exec("UPDATE f19 SET n = n + 1000 WHERE id = 2")
		require.NoError(t, err)
		rows, err := tx.Query("SELECT id, n FROM f19")
		require.NoError(t, err)
		require.True(t, rows.Next())
		require.NoError(t, rows.Close())
		_, err = tx.Exec("UPDATE f19 SET n = n + 1000 WHERE id = 3")
		if err != nil {
			t.Errorf("after an early Close: %v", err)
		}
		err = tx.Commit()
		if err != nil {
			t.Errorf("commit: %v", err)
		}
	}
	if out := e.both("Q SELECT id, n FROM f19 WHERE n > 1000 ORDER BY id"); out != "exact" {
		t.Error(out)
	}
}
