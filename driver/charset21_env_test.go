package driver_test

import (
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// cs21Env holds two tables sharded by id (Mod over two nodes on each of
// two data sources), ca21 and cb21, each with a latin1 column l and a
// cp1251 column w holding non-ASCII text, and an unsharded oracle with
// the same DDL and rows; interpolate sets go-sql-driver's
// interpolateParams on every DSN (the oracle's too).
type cs21Env struct {
	sharded, oracle *sql.DB
}

const cs21DDL = "CREATE TABLE %s (id INT NOT NULL PRIMARY KEY, l VARCHAR(10) CHARACTER SET latin1 NOT NULL, w VARCHAR(10) CHARACTER SET cp1251 NOT NULL, u VARCHAR(10) CHARACTER SET utf8mb4 NOT NULL, n INT NOT NULL DEFAULT 0) DEFAULT CHARSET=latin1"

// cs21Rows are both tables' rows: the second table holds the same texts
// under other ids, so that joins and subqueries cross nodes.
var cs21Rows = map[string][]string{
	"ca21": {"(1, 'é', 'Ж', 'é', 1)", "(2, 'ü', 'я', 'ü', 2)", "(3, 'Å', 'Ё', 'Å', 3)", "(4, 'a', 'b', 'a', 4)", "(5, 'ß', 'Ж', 'ß', 5)", "(6, 'è', 'ж', 'è', 6)"},
	"cb21": {"(11, 'é', 'Ж', 'é', 1)", "(12, 'Å', 'я', 'Å', 2)", "(14, 'ü', 'Ё', 'ü', 3)", "(17, 'a', 'b', 'a', 4)", "(18, 'ß', 'ж', 'ß', 5)", "(20, 'x', 'y', 'x', 6)"},
}

func newCS21Env(t *testing.T, name string, interpolate bool, opts ...driver.Option) *cs21Env {
	t.Helper()
	suffix := ""
	if interpolate {
		suffix = "&interpolateParams=true"
	}
	topo := shard.NewTopology()
	for i, dsn := range sharedDSNs(t, name) {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn+suffix))
	}
	for _, tb := range []string{"ca21", "cb21"} {
		require.NoError(t, topo.AddTable(shard.Table{Name: tb, Column: "id", Nodes: "ds${0..1}." + tb + "_${0..1}", Algorithm: shard.Mod()}))
	}
	e := &cs21Env{sharded: openDB(t, topo, opts...), oracle: openPlain(t, sharedDSNs(t, name+"_oracle")[0]+suffix)}
	for _, db := range []*sql.DB{e.sharded, e.oracle} {
		for _, tb := range []string{"ca21", "cb21"} {
			for _, q := range []string{"DROP TABLE IF EXISTS " + tb, fmt.Sprintf(cs21DDL, tb), "INSERT INTO " + tb + " (id, l, w, u, n) VALUES " + strings.Join(cs21Rows[tb], ", ")} {
				_, err := db.Exec(q)
				require.NoError(t, err, q)
			}
		}
	}
	return e
}

// rows reads q's rows as sorted text, or the error's text.
func (e *cs21Env) rows(db *sql.DB, q string, args ...any) string {
	rs, err := db.Query(q, args...)
	if err != nil {
		return "ERROR " + err.Error()
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return "ERROR " + err.Error()
	}
	var out []string
	for rs.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return "ERROR " + err.Error()
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = "NULL"
			if v.Valid {
				row[i] = v.String
			}
		}
		out = append(out, strings.Join(row, "|"))
	}
	if err := rs.Err(); err != nil {
		return "ERROR " + err.Error()
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// same requires q to answer the same rows on both sides.
func (e *cs21Env) same(t *testing.T, q string, args ...any) {
	t.Helper()
	want := e.rows(e.oracle, q, args...)
	require.NotContains(t, want, "ERROR", q)
	require.Equal(t, want, e.rows(e.sharded, q, args...), q)
}

// refused requires the oracle to answer q and shardsql to refuse it with
// a message containing msg.
func (e *cs21Env) refused(t *testing.T, msg, q string, args ...any) {
	t.Helper()
	require.NotContains(t, e.rows(e.oracle, q, args...), "ERROR", q)
	_, err := e.sharded.Query(q, args...)
	require.ErrorContains(t, err, msg, q)
}
