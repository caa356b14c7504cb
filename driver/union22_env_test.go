package driver_test

import (
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// u22Env holds two tables sharded by id (Mod over two node tables on each
// of two data sources), ua22 and ub22, a broadcast table bc22 and an
// unsharded table pu22 (the default data source's), each with columns of
// many types and character sets holding overlapping values, NULLs and
// duplicates; and one unsharded MariaDB (the oracle) with the same DDL and
// rows.
type u22Env struct {
	sharded, oracle *sql.DB
}

const u22DDL = "CREATE TABLE %s (id INT NOT NULL PRIMARY KEY, i INT, v VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci, " +
	"vb VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, l VARCHAR(10) CHARACTER SET latin1, w VARCHAR(10) CHARACTER SET cp1251, " +
	"d52 DECIMAL(5,2), d104 DECIMAL(10,4), dbl DOUBLE, dt DATE, dtm DATETIME, e ENUM('z','y','x'), b BIT(8), " +
	"ub BIGINT UNSIGNED, sb BIGINT, c CHAR(4), n INT) DEFAULT CHARSET=utf8mb4"

var u22Tables = []string{"ua22", "ub22", "bc22", "pu22"}

// u22Rows: every table holds the same few values under its own ids, so
// that a UNION's duplicates cross nodes and tables.
func u22Rows(table string, base int) string {
	rows := []string{
		"(%d, 1, 'a', 'a', 'é', 'Ж', 1.50, 1.5000, 1.5, '2024-01-01', '2024-01-01 10:00:00', 'x', b'1', 18446744073709551615, -1, 'a', NULL)",
		"(%d, 2, 'A', 'A', 'e', 'ж', 2.25, 2.2500, 2.25, '2024-01-02', '2024-01-02 00:00:00', 'y', b'10', 9223372036854775808, 9223372036854775807, 'a  ', NULL)",
		"(%d, 3, 'a  ', 'a  ', 'ü', 'я', 3.00, 3.1234, 0.1, '2024-01-03', '2024-01-03 12:30:00', 'z', b'11', 1, 1, 'b', NULL)",
		"(%d, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
		"(%d, 10, 'b', 'B', 'y', 'Ё', -1.00, 0.0001, 1e20, '2023-12-31', '2023-12-31 23:59:59', 'x', b'11111111', 0, -9223372036854775808, 'A', NULL)",
		"(%d, 1, 'a', 'a', 'é', 'Ж', 1.50, 1.5000, 1.5, '2024-01-01', '2024-01-01 10:00:00', 'x', b'1', 18446744073709551615, -1, 'a', NULL)",
	}
	var out []string
	for k, r := range rows {
		out = append(out, fmt.Sprintf(r, base+k))
	}
	return "INSERT INTO " + table + " (id, i, v, vb, l, w, d52, d104, dbl, dt, dtm, e, b, ub, sb, c, n) VALUES " + strings.Join(out, ", ")
}

func newU22Env(t *testing.T, name string) *u22Env {
	t.Helper()
	topo := dsTopology(t, sharedDSNs(t, name))
	for _, tb := range []string{"ua22", "ub22"} {
		require.NoError(t, topo.AddTable(shard.Table{Name: tb, Column: "id", Nodes: "ds${0..1}." + tb + "_${0..1}", Algorithm: shard.Mod()}))
	}
	require.NoError(t, topo.AddBroadcastTable("bc22"))
	e := &u22Env{sharded: openDB(t, topo), oracle: openPlain(t, sharedDSNs(t, name+"_oracle")[0])}
	for _, db := range []*sql.DB{e.sharded, e.oracle} {
		for k, tb := range u22Tables {
			for _, q := range []string{"DROP TABLE IF EXISTS " + tb, fmt.Sprintf(u22DDL, tb), u22Rows(tb, 1+10*k)} {
				_, err := db.Exec(q)
				require.NoError(t, err, q)
			}
		}
	}
	return e
}

// u22Result is a query's answer as text: column types, then rows (sorted
// unless ordered), or the error.
func (e *u22Env) result(db *sql.DB, q string, ordered bool, args ...any) string {
	rs, err := db.Query(q, args...)
	if err != nil {
		return "ERROR " + err.Error()
	}
	defer rs.Close()
	cts, err := rs.ColumnTypes()
	if err != nil {
		return "ERROR " + err.Error()
	}
	var types []string
	for _, ct := range cts {
		s := ct.DatabaseTypeName()
		if p, sc, ok := ct.DecimalSize(); ok {
			s += fmt.Sprintf("(%d,%d)", p, sc)
		}
		if null, ok := ct.Nullable(); ok && !null {
			s += " NOT NULL"
		}
		s += " " + ct.ScanType().String()
		types = append(types, s)
	}
	var out []string
	for rs.Next() {
		vals := make([]sql.NullString, len(cts))
		ptrs := make([]any, len(cts))
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
				row[i] = fmt.Sprintf("%q", v.String)
			}
		}
		out = append(out, strings.Join(row, "|"))
	}
	if err := rs.Err(); err != nil {
		return "ERROR " + err.Error()
	}
	if !ordered {
		sort.Strings(out)
	}
	return strings.Join(types, ",") + " :: " + strings.Join(out, "; ")
}

// same requires q to answer the same column types and rows on both sides
// (in order when ordered).
func (e *u22Env) same(t *testing.T, q string, ordered bool, args ...any) {
	t.Helper()
	want := e.result(e.oracle, q, ordered, args...)
	require.NotContains(t, want, "ERROR", q)
	require.Equal(t, want, e.result(e.sharded, q, ordered, args...), q)
}

// refused requires shardsql to refuse q with a message containing msg
// (the callers check what the oracle says).
func (e *u22Env) refused(t *testing.T, msg, q string, args ...any) {
	t.Helper()
	_, err := e.sharded.Query(q, args...)
	require.ErrorContains(t, err, "shardsql: unsupported", q)
	require.ErrorContains(t, err, msg, q)
}

// oracleFails requires the oracle to fail q with an error containing msg.
func (e *u22Env) oracleFails(t *testing.T, msg, q string, args ...any) {
	t.Helper()
	require.Contains(t, e.result(e.oracle, q, false, args...), msg, q)
}
