package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
)

// TestDeepPageRawTypes: a deep page's phase-1 windows, bounded by their
// LIMIT, are read whole inside Raw on the scatter's pool connections
// (rows_raw_scatter.go), and the page — its values as database/sql scans
// them into *any, and every column type — equals the same page read with
// the windows streamed (inside a transaction), for keys and columns of the
// kinds whose values or types the driver reports differently: BIGINT,
// BIGINT UNSIGNED above 2^63, DECIMAL, DATETIME(6), VARCHAR under
// utf8mb4_unicode_ci and latin1, ENUM, NULLs; in the key-only, full-row
// and automatic modes, joined per data source (UNION ALL) or not, with an
// argument. Without interpolateParams the windows, which have an
// argument, stream (go-sql-driver wants a prepared statement: nothing was
// sent inside Raw) and the page still equals the one table's.
func TestDeepPageRawTypes(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "deep_raw")
	ddl := `CREATE TABLE t_dr (
		id BIGINT NOT NULL PRIMARY KEY, user_id INT NOT NULL, u BIGINT UNSIGNED NULL, dc DECIMAL(12,4) NULL,
		dt DATETIME(6) NULL, v VARCHAR(20) COLLATE utf8mb4_unicode_ci NULL,
		l VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci NULL, e ENUM('a','b','c') NULL)`
	oracle := openPlain(t, sharedDSNs(t, "deep_raw_oracle")[0])
	topo := func(params string, union bool) *shard.Topology {
		tp := shard.NewTopology()
		for i, dsn := range dsns {
			require.NoError(t, tp.AddDataSource(fmt.Sprintf("ds%d", i), dsn+params))
		}
		nodes := "ds${0..1}.t_dr_${0..1}"
		if !union {
			nodes = "ds${0..1}.t_dr"
		}
		require.NoError(t, tp.AddTable(shard.Table{Name: "t_dr", Column: "user_id", Nodes: nodes, Algorithm: shard.Mod()}))
		return tp
	}
	words := []string{"a", "A", "á", "b", "ß", "ss", "Å", "z", "é", "e"}
	var sb strings.Builder
	for i := 1; i <= 600; i++ {
		if i%5 == 0 {
			fmt.Fprintf(&sb, "(%d, %d, NULL, NULL, NULL, NULL, NULL, NULL),", i, i%17)
			continue
		}
		fmt.Fprintf(&sb, "(%d, %d, %d, %d.%04d, '2026-12-0%d 03:04:05.%06d', '%s', '%s', '%s'),", i, i%17,
			uint64(1)<<63+uint64(i%41), i%23-11, i%9, 1+i%3, i%7, words[i%len(words)], words[(i/3)%len(words)], []string{"a", "b", "c"}[i%3])
	}
	insert := "INSERT INTO t_dr (id, user_id, u, dc, dt, v, l, e) VALUES " + strings.TrimSuffix(sb.String(), ",")
	seed := func(db *sql.DB) {
		for _, q := range []string{"DROP TABLE IF EXISTS t_dr", ddl, insert} {
			_, err := db.ExecContext(ctx, q)
			require.NoError(t, err)
		}
	}
	seed(oracle)
	// check: q's windows (or top-N node statements) are read inside Raw
	// with interpolateParams, outside a transaction only, and the result
	// equals the streamed one's and the one table's
	check := func(t *testing.T, db, prepared *sql.DB, conn, pconn *sql.Conn, name, q string) {
		t.Helper()
		raw, units, err := driver.DeepPageRawUnits(ctx, conn, false, q, int64(3))
		require.NoError(t, err)
		assert.Equal(t, units, raw, "%s: every window read inside Raw", name)
		raw, _, err = driver.DeepPageRawUnits(ctx, conn, true, q, int64(3))
		require.NoError(t, err)
		assert.Zero(t, raw, "%s: in a transaction the windows stream", name)
		raw, _, err = driver.DeepPageRawUnits(ctx, pconn, false, q, int64(3))
		require.NoError(t, err)
		assert.Zero(t, raw, "%s: without interpolateParams the windows stream", name)

		gotTypes, got := rawResult(t)(db.QueryContext(ctx, q, 3))
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		wantTypes, want := rawResult(t)(tx.QueryContext(ctx, q, 3))
		require.NoError(t, tx.Rollback())
		require.Len(t, want, 6, name)
		assert.Equal(t, wantTypes, gotTypes, name)
		assert.Equal(t, want, got, name)

		plain := strings.Replace(q, " LIMIT", ", id LIMIT", 1)
		oracleRows, err := runDiffQuery(oracle, plain, 3)
		require.NoError(t, err)
		for _, d := range []*sql.DB{db, prepared} {
			res, err := runDiffQuery(d, q, 3)
			require.NoError(t, err, name)
			assert.Equal(t, oracleRows.rows, res.rows, name)
		}
	}
	orders := []string{"id", "u DESC", "dc", "dt DESC", "v", "l DESC", "l, v DESC", "user_id, dt"}
	for _, union := range []bool{true, false} {
		seed(openDB(t, topo("&interpolateParams=true", union)))
		for _, mode := range []route.DeepPageKeys{route.DeepPageKeysAuto, route.DeepPageKeysOnly, route.DeepPageKeysFull} {
			db := openDB(t, topo("&interpolateParams=true&parseTime=true", union), driver.WithDeepPageKeys(mode))
			prepared := openDB(t, topo("&parseTime=true", union), driver.WithDeepPageKeys(mode))
			conn, err := db.Conn(ctx)
			require.NoError(t, err)
			pconn, err := prepared.Conn(ctx)
			require.NoError(t, err)
			for i, o := range orders {
				cols := "id, user_id, u, dc, dt, v, l, e"
				if i%2 == 1 {
					cols = "id, user_id, u, dc, dt, v, l" // full rows joined too
				}
				q := fmt.Sprintf("SELECT %s FROM t_dr WHERE user_id <> ? ORDER BY %s LIMIT 380, 6", cols, o)
				name := fmt.Sprintf("union %v mode %d: %s", union, mode, q)
				p, err := driver.Explain(ctx, db, q, 3)
				require.NoError(t, err)
				require.NotNil(t, p.DeepPage, name)
				if p.DeepPage.KeyOnly() || i%2 == 1 {
					// full rows with an ENUM are not joined (route.unionStable)
					require.Equal(t, union, p.DeepPage.Phase1Union != nil, name)
				}
				for _, u := range p.Units {
					require.Positive(t, u.RowBound, name)
				}
				check(t, db, prepared, conn, pconn, name, q)
			}
			if mode == route.DeepPageKeysAuto {
				for _, o := range orders {
					// a top-N scatter: each node's LIMIT 11 read inside Raw
					q := fmt.Sprintf("SELECT id, user_id, u, dc, dt, v, l, e FROM t_dr WHERE user_id <> ? ORDER BY %s, id LIMIT 5, 6", o)
					p, err := driver.Explain(ctx, db, q, 3)
					require.NoError(t, err)
					require.Nil(t, p.DeepPage, q)
					require.Equal(t, 11, p.Units[0].RowBound, q)
					check(t, db, prepared, conn, pconn, q, q)
				}
			}
			require.NoError(t, conn.Close())
			require.NoError(t, pconn.Close())
		}
	}
}

// TestDeepPageRawFaults: a deep page whose windows are read inside Raw
// after every pooled server connection was killed behind the pool's back
// answers (go-sql-driver's driver.ErrBadConn, nothing sent: another
// connection), a cancelled context fails with its error, and a window
// that fails on its server fails the statement with the server's error
// (its siblings cancelled), after which the pool goes on.
func TestDeepPageRawFaults(t *testing.T) {
	ctx := context.Background()
	const dbName = "deep_raw_faults"
	dsns := sharedDSNs(t, dbName)
	tp := shard.NewTopology()
	for i, dsn := range dsns {
		require.NoError(t, tp.AddDataSource(fmt.Sprintf("ds%d", i), dsn+"&interpolateParams=true"))
	}
	require.NoError(t, tp.AddTable(shard.Table{Name: "t_drf", Column: "user_id", Nodes: "ds${0..1}.t_drf_${0..1}", Algorithm: shard.Mod()}))
	db := openDB(t, tp)
	var sb strings.Builder
	for i := 1; i <= 400; i++ {
		fmt.Fprintf(&sb, "(%d, %d, 'v%d'),", i, i%13, i)
	}
	for _, q := range []string{"DROP TABLE IF EXISTS t_drf", "CREATE TABLE t_drf (id BIGINT PRIMARY KEY, user_id INT NOT NULL, v VARCHAR(10))",
		"INSERT INTO t_drf (id, user_id, v) VALUES " + strings.TrimSuffix(sb.String(), ",")} {
		_, err := db.ExecContext(ctx, q)
		require.NoError(t, err)
	}
	const q = "SELECT id, v FROM t_drf ORDER BY id LIMIT 300, 5"
	want := [][]any{{int64(301), []byte("v301")}, {int64(302), []byte("v302")}, {int64(303), []byte("v303")}, {int64(304), []byte("v304")}, {int64(305), []byte("v305")}}
	page := func() ([][]any, error) {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		_, got := rawResult(t)(rows, nil)
		return got, nil
	}
	got, err := page()
	require.NoError(t, err)
	require.Equal(t, want, got)
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	raw, units, err := driver.DeepPageRawUnits(ctx, conn, false, q)
	require.NoError(t, err)
	require.Equal(t, units, raw)

	// every pooled connection of the test's database killed: the next
	// page runs on new ones
	for _, dsn := range dsns {
		killListed(t, ctx, openPlain(t, dsn), "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()", dbName)
	}
	for range 3 {
		got, err = page()
		require.NoError(t, err)
		require.Equal(t, want, got)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = db.QueryContext(cancelled, q)
	require.ErrorIs(t, err, context.Canceled)

	// one node's table gone: the server's error, not a partial page
	admin := openPlain(t, dsns[1])
	_, err = admin.ExecContext(ctx, "RENAME TABLE t_drf_1 TO t_drf_1_away")
	require.NoError(t, err)
	_, err = page()
	require.ErrorContains(t, err, "t_drf_1")
	_, err = admin.ExecContext(ctx, "RENAME TABLE t_drf_1_away TO t_drf_1")
	require.NoError(t, err)
	got, err = page()
	require.NoError(t, err)
	require.Equal(t, want, got, "the pool goes on")
}
