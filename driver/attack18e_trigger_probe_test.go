package driver_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAttack18eTriggerProbe: an AFTER DELETE trigger on every w table
// logs OLD.id into its data source's dlog: the log holds exactly the
// deleted rows, as on one server.
func TestAttack18eTriggerProbe(t *testing.T) {
	if os.Getenv("SHARDSQL_A18E_PROBE") == "" {
		t.Skip("SHARDSQL_A18E_PROBE not set")
	}
	e := newR18eEnv(t, "attack18e_tprobe")
	for _, q := range []string{"DROP TABLE IF EXISTS dlog", "CREATE TABLE dlog (id INT NOT NULL)", "CREATE TRIGGER w_ad AFTER DELETE ON w FOR EACH ROW INSERT INTO dlog VALUES (OLD.id)"} {
		_, err := e.oracle.Exec(q)
		require.NoError(t, err, q)
	}
	for _, d := range e.dsns {
		n := openPlain(t, d)
		for _, q := range []string{"DROP TABLE IF EXISTS dlog", "CREATE TABLE dlog (id INT NOT NULL)",
			"CREATE TRIGGER w0_ad AFTER DELETE ON w_0 FOR EACH ROW INSERT INTO dlog VALUES (OLD.id)",
			"CREATE TRIGGER w1_ad AFTER DELETE ON w_1 FOR EACH ROW INSERT INTO dlog VALUES (OLD.id)"} {
			_, err := n.Exec(q)
			require.NoError(t, err, q)
		}
	}
	logged := func(i int) (n, missing int) {
		if i == 0 {
			require.NoError(t, e.oracle.QueryRow("SELECT COUNT(*), (SELECT 40 - COUNT(*) FROM w WHERE id IN (SELECT id FROM dlog) OR id NOT IN (SELECT id FROM dlog)) FROM dlog").Scan(&n, &missing))
			return
		}
		for _, d := range e.dsns {
			var c int
			require.NoError(t, openPlain(t, d).QueryRow("SELECT COUNT(*) FROM dlog").Scan(&c))
			n += c
		}
		return n, 0
	}
	for _, q := range []string{"DELETE FROM w WHERE k < 2 LIMIT 7", "DELETE FROM w WHERE k < 2 LIMIT 100", "DELETE FROM w WHERE k < 2 LIMIT 0"} {
		e.reset(t)
		for _, d := range append([]string{}, e.dsns...) {
			_, err := openPlain(t, d).Exec("DELETE FROM dlog")
			require.NoError(t, err)
		}
		_, err := e.oracle.Exec("DELETE FROM dlog")
		require.NoError(t, err)
		var out [2]string
		for i, db := range e.dbs() {
			n, err := r18eExec(db, q)
			l, _ := logged(i)
			var left int
			require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM w").Scan(&left))
			out[i] = fmt.Sprintf("ra %d err %v logged %d left %d", n, err, l, left)
		}
		t.Logf("%s\n  oracle %s\n  shardsql %s", q, out[0], out[1])
		require.Equal(t, out[0], out[1], q)
	}
}
