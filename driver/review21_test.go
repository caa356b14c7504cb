package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// r21Env is one table r21 sharded by id with Mod over ds0.r21_0,
// ds0.r21_1, ds1.r21_0, ds1.r21_1, and an unsharded oracle with the same
// DDL and rows; every DSN (oracle's included) sets params.
type r21Env struct {
	sharded, oracle *sql.DB
}

func newR21Env(t *testing.T, name, params, ddl, cols string, rows []string) *r21Env {
	t.Helper()
	ctx := context.Background()
	withParams := func(dsn string) string {
		cfg, err := mysql.ParseDSN(dsn)
		require.NoError(t, err)
		for _, kv := range strings.Split(params, "&") {
			if k, v, ok := strings.Cut(kv, "="); ok {
				if k == "interpolateParams" {
					cfg.InterpolateParams = v == "true"
					continue
				}
				if cfg.Params == nil {
					cfg.Params = map[string]string{}
				}
				cfg.Params[k] = v
			}
		}
		return cfg.FormatDSN()
	}
	topo := shard.NewTopology()
	for i, dsn := range sharedDSNs(t, name) {
		dsn = withParams(dsn)
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
		p := openPlain(t, dsn)
		for _, tb := range []string{"r21_0", "r21_1"} {
			for _, q := range []string{"DROP TABLE IF EXISTS " + tb, fmt.Sprintf(ddl, tb)} {
				_, err := p.ExecContext(ctx, q)
				require.NoError(t, err, q)
			}
		}
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "r21", Column: "id", Nodes: "ds${0..1}.r21_${0..1}", Algorithm: shard.Mod()}))
	e := &r21Env{sharded: openDB(t, topo), oracle: openPlain(t, withParams(sharedDSNs(t, name+"_oracle")[0]))}
	for _, q := range []string{"DROP TABLE IF EXISTS r21", fmt.Sprintf(ddl, "r21")} {
		_, err := e.oracle.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	for _, db := range []*sql.DB{e.sharded, e.oracle} {
		_, err := db.ExecContext(ctx, "INSERT INTO r21 ("+cols+") VALUES "+strings.Join(rows, ", "))
		require.NoError(t, err)
	}
	return e
}

// content is the table's rows as text, in the order given.
func (e *r21Env) content(t *testing.T, db *sql.DB, cols, order string) []string {
	t.Helper()
	rows, err := db.Query("SELECT CONCAT_WS('|', " + cols + ") FROM r21 ORDER BY " + order)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

// same runs q on both sides and requires equal RowsAffected and content.
func (e *r21Env) same(t *testing.T, cols, order, q string, args ...any) {
	t.Helper()
	var ns [2]int64
	for i, db := range []*sql.DB{e.oracle, e.sharded} {
		r, err := db.Exec(q, args...)
		require.NoError(t, err, "%s (side %d)", q, i)
		ns[i], err = r.RowsAffected()
		require.NoError(t, err)
	}
	require.Equal(t, ns[0], ns[1], "RowsAffected of %s", q)
	require.Equal(t, e.content(t, e.oracle, cols, order), e.content(t, e.sharded, cols, order), q)
}

const r21Latin1 = "CREATE TABLE %s (id INT NOT NULL, name VARCHAR(10) CHARACTER SET latin1 NOT NULL, v INT NOT NULL DEFAULT 0, PRIMARY KEY (id, name)) DEFAULT CHARSET=latin1"

var r21Latin1Rows = []string{"(1, 'é', 0)", "(2, 'è', 0)", "(3, 'ñ', 0)", "(4, 'ü', 0)", "(5, 'a', 0)", "(6, 'ß', 0)", "(7, 'ø', 0)", "(8, 'Å', 0)"}

func TestReview21OrderedLatin1Interpolated(t *testing.T) {
	e := newR21Env(t, "r21_ol_i", "interpolateParams=true", r21Latin1, "id, name, v", r21Latin1Rows)
	// Under interpolateParams a string LIMIT argument is written quoted,
	// a syntax error on one server: it stays refused.
	_, err := e.oracle.Exec("UPDATE r21 SET v = v + 1 ORDER BY id LIMIT ?", "2")
	require.Error(t, err)
	_, err = e.sharded.Exec("UPDATE r21 SET v = v + 1 ORDER BY id LIMIT ?", "2")
	require.ErrorContains(t, err, "shardsql: unsupported: UPDATE … LIMIT ? given a string")
	e.same(t, "id, name, v", "id", "UPDATE r21 SET v = v + 1 ORDER BY id DESC LIMIT 5")
	e.same(t, "id, name, v", "id", "DELETE FROM r21 ORDER BY id LIMIT 3")
}

func TestReview21MoveLatin1Interpolated(t *testing.T) {
	e := newR21Env(t, "r21_ml_i", "interpolateParams=true", r21Latin1, "id, name, v", r21Latin1Rows)
	e.same(t, "id, name, v, HEX(name)", "id, name", "UPDATE r21 SET id = 20, v = v + 1 WHERE id IN (1, 3)")
}

func TestReview21OrderedLatin1(t *testing.T) {
	e := newR21Env(t, "r21_ol", "", r21Latin1, "id, name, v", r21Latin1Rows)
	e.same(t, "id, name, v", "id", "UPDATE r21 SET v = v + 1 ORDER BY id DESC LIMIT 5")
	e.same(t, "id, name, v", "id", "UPDATE r21 SET v = v + 10 ORDER BY name DESC, id LIMIT 3")
	e.same(t, "id, name, v", "id", "UPDATE r21 SET name = CONCAT(name, 'x') WHERE name <> 'a' ORDER BY name, id DESC LIMIT 3")
	e.same(t, "id, name, v", "id", "DELETE FROM r21 ORDER BY name, id LIMIT 3")
	e.same(t, "id, name, v", "id", "DELETE FROM r21 ORDER BY id LIMIT 3")
}

func TestReview21MoveLatin1(t *testing.T) {
	e := newR21Env(t, "r21_ml", "", r21Latin1, "id, name, v", r21Latin1Rows)
	e.same(t, "id, name, v, HEX(name)", "id, name", "UPDATE r21 SET id = 20, v = v + 1 WHERE id IN (1, 3)")
}

const r21Char = "CREATE TABLE %s (id INT NOT NULL, name CHAR(5) COLLATE utf8mb4_nopad_bin NOT NULL, v INT NOT NULL DEFAULT 0, PRIMARY KEY (id, name)) DEFAULT CHARSET=utf8mb4"

var r21CharRows = []string{"(1, 'a', 0)", "(2, 'b', 0)", "(3, 'c ', 0)", "(4, 'd', 0)", "(5, 'e', 0)", "(6, 'f', 0)", "(7, 'g', 0)", "(8, 'h', 0)"}

func TestReview21OrderedPadChar(t *testing.T) {
	e := newR21Env(t, "r21_pc", "sql_mode='PAD_CHAR_TO_FULL_LENGTH,STRICT_TRANS_TABLES'", r21Char, "id, name, v", r21CharRows)
	e.same(t, "id, name, v", "id", "UPDATE r21 SET v = v + 1 ORDER BY id DESC LIMIT 5")
	e.same(t, "id, name, v", "id", "DELETE FROM r21 ORDER BY id LIMIT 3")
	e.same(t, "id, name, v", "id, HEX(name)", "UPDATE r21 SET id = 20, v = v + 1 WHERE id IN (4, 5)")
}

const r21Types = "CREATE TABLE %s (id INT NOT NULL, bk VARBINARY(4) NOT NULL, b BIT(8) NULL, e ENUM('x','y','é') CHARACTER SET latin1 NULL, st SET('p','q') NULL, j JSON NULL, dt DATETIME(6) NULL, dc DECIMAL(10,3) NULL, f FLOAT NULL, tx TEXT CHARACTER SET cp1251 NULL, bl BLOB NULL, PRIMARY KEY (id, bk)) DEFAULT CHARSET=utf8mb4"

var r21TypesRows = []string{
	"(1, x'00ff', b'10000001', 'é', 'p,q', '{\"a\": \"é\"}', '2026-01-02 03:04:05.123456', 1.5, 1234567.875, 'Жж', x'00c3a9')",
	"(2, x'c3a9', b'00000000', 'x', '', '[]', NULL, -0.001, NULL, 'я', x'ff')",
	"(3, '', NULL, NULL, NULL, NULL, '1000-01-01 00:00:00', NULL, 16777216, NULL, NULL)",
	"(4, x'20', b'11111111', 'y', 'q', 'null', '2026-12-31 23:59:59.999999', 999.999, -1.25, 'ёЁ ', '')",
	"(5, 'a ', b'1', 'é', 'p', '1', '2026-06-01', 0, 0, 'abc', x'20')",
}

const r21TypesCols = "id, HEX(bk), HEX(b), e, st, j, dt, dc, f, HEX(tx), HEX(bl)"

func TestReview21MoveTypesInterpolated(t *testing.T) {
	e := newR21Env(t, "r21_mt_i", "interpolateParams=true", r21Types, "id, bk, b, e, st, j, dt, dc, f, tx, bl", r21TypesRows)
	e.same(t, r21TypesCols, "id, HEX(bk)", "UPDATE r21 SET id = 20 WHERE id IN (1, 2, 3, 4, 5)")
}

func TestReview21OrderedTypesInterpolated(t *testing.T) {
	e := newR21Env(t, "r21_ot_i", "interpolateParams=true", r21Types, "id, bk, b, e, st, j, dt, dc, f, tx, bl", r21TypesRows)
	e.same(t, r21TypesCols, "id, HEX(bk)", "UPDATE r21 SET dc = dc + 1 ORDER BY bk DESC, id LIMIT 3")
	e.same(t, r21TypesCols, "id, HEX(bk)", "DELETE FROM r21 ORDER BY f, id LIMIT 2")
}

// TestReview21LimitStringArg: a DELETE/UPDATE … LIMIT ? across nodes
// given the string "2" (or its []byte) deletes or updates 2 rows, as one
// server's prepared statement does; it was refused as "a string".
func TestReview21LimitStringArg(t *testing.T) {
	e := newR21Env(t, "r21_lsa", "", r21Latin1, "id, name, v", r21Latin1Rows)
	e.same(t, "id, name, v", "id", "UPDATE r21 SET v = v + 1 ORDER BY id LIMIT ?", "2")
	e.same(t, "id, name, v", "id", "UPDATE r21 SET v = v + 1 ORDER BY id DESC LIMIT ?", []byte("3"))
	e.same(t, "id, name, v", "id", "DELETE FROM r21 ORDER BY id LIMIT ?", "0")
	// without ORDER BY which rows is open: the counts must agree
	e.same(t, "COUNT(*)", "1", "DELETE FROM r21 WHERE v = 1 LIMIT ?", "2")
	e.same(t, "SUM(v = 7)", "1", "UPDATE r21 SET v = 7 WHERE v = 0 LIMIT ?", []byte("2"))
}
