package driver_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/shard"
)

// review22MinMaxTables: a Range-sharded table with an indexed DECIMAL
// price and an indexed DATETIME created_at, as an ORM declares them.
var review22MinMaxTables = []dmlTable{
	{name: "r22m", key: "id", intKey: true, cols: "id BIGINT NOT NULL, price DECIMAL(10,2) NOT NULL, created_at DATETIME NOT NULL, PRIMARY KEY (id), KEY (price), KEY (created_at)", order: "id",
		alg: shard.Range(100), nodes: "ds0.r22m_0, ds1.r22m_1"},
}

// TestReview22MinMaxFloatArgs: a float64 argument compared with a DECIMAL
// column is, to the server, the decimal its shortest text spells (the
// text go-sql-driver interpolates; the number the binary protocol's
// DOUBLE converts to), so MAX(price) … price <= ? with 19.99 on a
// DECIMAL(10,2) is exact on one table, and was refused: the check read
// the float64's binary fraction (19.989999…), which no DECIMAL holds.
// A float64 whose shortest text has more digits than the scale (19.995)
// stays refused. Runs with interpolateParams off and on.
func TestReview22MinMaxFloatArgs(t *testing.T) {
	for _, interp := range []bool{false, true} {
		name := "r22_minmax_f"
		if interp {
			name += "_i"
		}
		e := newDMLEnvOf(t, name, func(c *mysql.Config) { c.InterpolateParams = interp; c.ParseTime = true }, review22MinMaxTables)
		sts := []dmlStmt{
			{sql: "INSERT INTO r22m (id, price, created_at) VALUES (1, 0.10, '2026-01-01 10:00:00'), (2, 19.98, '2026-01-02 10:00:00'), (150, 19.99, '2026-01-03 10:00:00'), (160, 20.00, '2026-01-04 10:00:00'), (3, 1.10, '2026-01-05 10:00:00')", mustRun: true},
		}
		runs := func(q string, args ...any) {
			sts = append(sts, dmlStmt{sql: q, args: args, query: true, mustRun: true})
			sts = append(sts, dmlStmt{sql: q, args: args, query: true, mustRun: true, prepared: true})
		}
		refused := func(q string, args ...any) {
			sts = append(sts, dmlStmt{sql: q, args: args, query: true, refuse: "which the column does not hold exactly"})
		}
		for _, a := range []any{19.99, 0.1, 1.1, 20.0, 19.98, float32(0.5), 1e5} {
			runs("SELECT MAX(price), COUNT(*) FROM r22m WHERE price <= ?", a)
			runs("SELECT MIN(price) FROM r22m WHERE price >= ?", a)
			runs("SELECT MAX(price) FROM r22m WHERE price BETWEEN ? AND 100", a)
		}
		refused("SELECT MAX(price), COUNT(*) FROM r22m WHERE price <= ?", 19.995)
		refused("SELECT MAX(price), COUNT(*) FROM r22m WHERE price <= ?", 1e-3)
		at := time.Date(2026, 1, 3, 10, 0, 0, 0, time.UTC)
		runs("SELECT MAX(id) FROM r22m WHERE created_at < ?", at)
		runs("SELECT MAX(created_at), COUNT(*) FROM r22m WHERE created_at < ?", at)
		runs("SELECT MAX(id) FROM r22m WHERE created_at < ?", at.Add(500*time.Millisecond))
		e.run(t, name, sts)
	}
}

// TestReview22MinMaxComputedBound: MariaDB folds a constant bound before
// its one index lookup, so MAX(k), COUNT(*) … k BETWEEN 0 AND 199/2 said
// NULL, 0 on one table and 99, 2 through shardsql (the check judged only
// literals and arguments): refused, naming the bound. Bounds that are
// plainly integers (10*10-1, CAST(… AS SIGNED), an integer argument
// plus 1) and computed time bounds run and agree.
func TestReview22MinMaxComputedBound(t *testing.T) {
	e := newDMLEnvOf(t, "r22_minmax_c", nil, time22MinMaxTables)
	sts := []dmlStmt{
		{sql: "INSERT INTO t22m_rng (k, id) VALUES (-5, 1), (50, 2), (99, 3), (100, 4), (150, 5), (199, 6), (200, 7), (250, 8)", mustRun: true},
		{sql: "INSERT INTO t22m_u (k, u) VALUES (1, 5), (2, 9), (150, 10), (160, 20)", mustRun: true},
		{sql: "INSERT INTO t22m_dt (k, id) VALUES ('2026-01-30 10:00:00', 1), ('2026-01-31 10:00:00', 2), ('2026-01-31 10:00:01', 3), ('2026-02-01 00:00:00', 4)", mustRun: true},
		{sql: "INSERT INTO t22m_i (k, d) VALUES (-2147483648, -5), (-3, 1.00), (5, 1.01), (2147483647, 2.50)", mustRun: true},
	}
	for _, b := range []string{"199/2", "99.5 + 0", "CAST(99.5 AS DECIMAL(4,1))", "-(-99.5)", "99.5 COLLATE utf8mb4_bin", "_utf8mb4'99.5'", "TRUE + 98.5", "(SELECT 99.5)"} {
		for _, q := range []string{"SELECT MAX(k), COUNT(*) FROM t22m_rng WHERE k BETWEEN 0 AND %s", "SELECT MAX(k) FROM t22m_rng WHERE k <= %s"} {
			sts = append(sts, dmlStmt{sql: fmt.Sprintf(q, b), query: true, refuse: "of column k of sharded table t22m_rng without GROUP BY, bounded by "})
		}
	}
	sts = append(sts,
		dmlStmt{sql: "SELECT MAX(u), COUNT(*) FROM t22m_u WHERE u BETWEEN 0 AND 19/2", query: true, refuse: "bounded by 19 / 2"},
		dmlStmt{sql: "SELECT MAX(d), COUNT(*) FROM t22m_i WHERE d <= 2.01 / 2", query: true, refuse: "bounded by 2.01 / 2"},
	)
	for _, q := range []string{
		"SELECT MAX(k), COUNT(*) FROM t22m_rng WHERE k BETWEEN 0 AND 10*10-1",
		"SELECT MAX(k), COUNT(*) FROM t22m_rng WHERE k BETWEEN 0 AND CAST(99.5 AS SIGNED)",
		"SELECT MAX(k), COUNT(*) FROM t22m_rng WHERE k BETWEEN -(5) AND 200 DIV 2",
		"SELECT MAX(u), COUNT(*) FROM t22m_u WHERE u < UNIX_TIMESTAMP()",
		"SELECT MAX(d), COUNT(*) FROM t22m_i WHERE d <= 1 + 1",
		"SELECT MAX(k), COUNT(*) FROM t22m_dt WHERE k BETWEEN '2026-01-30' AND '2026-01-31 10:00:00' + INTERVAL 500000 MICROSECOND",
		"SELECT MAX(k), COUNT(*) FROM t22m_dt WHERE k BETWEEN '2026-01-30' AND TIMESTAMP'2026-01-31 10:00:00.5'",
		"SELECT MAX(k), COUNT(*) FROM t22m_dt WHERE k < NOW() - INTERVAL 1 DAY",
	} {
		sts = append(sts, dmlStmt{sql: q, query: true, mustRun: true})
	}
	sts = append(sts, dmlStmt{sql: "SELECT MAX(k), COUNT(*) FROM t22m_rng WHERE k BETWEEN 0 AND ? + 1", args: []any{int64(98)}, query: true, mustRun: true, prepared: true})
	sts = append(sts, dmlStmt{sql: "SELECT MAX(k), COUNT(*) FROM t22m_rng WHERE k BETWEEN 0 AND ? + 1", args: []any{98.5}, query: true, refuse: "bounded by :v1 + 1"})
	e.run(t, "computed bounds", sts)
}

// TestReview22MinMaxDerived: MariaDB merges a plain derived table into
// the query around it, so MAX(m), COUNT(*) FROM (SELECT u AS m FROM t) d
// WHERE m BETWEEN 0 AND 9.5 is answered by one index lookup of u: NULL, 0
// on one table, 9, 2 through shardsql (the check saw no sharded table in
// the outer FROM): refused. With an exact bound, or over a derived table
// MariaDB does not merge, the answers agree.
func TestReview22MinMaxDerived(t *testing.T) {
	e := newDMLEnvOf(t, "r22_minmax_d", nil, time22MinMaxTables)
	sts := []dmlStmt{
		{sql: "INSERT INTO t22m_rng (k, id) VALUES (-5, 1), (50, 2), (99, 3), (100, 4), (150, 5), (199, 6), (200, 7), (250, 8)", mustRun: true},
		{sql: "INSERT INTO t22m_u (k, u) VALUES (1, 5), (2, 9), (150, 10), (160, 20)", mustRun: true},
	}
	for _, q := range []string{
		"SELECT MAX(m), COUNT(*) FROM (SELECT u AS m FROM t22m_u) d WHERE m BETWEEN 0 AND 9.5",
		"SELECT MAX(d.u), COUNT(*) FROM (SELECT u FROM t22m_u) d WHERE d.u BETWEEN 0 AND 9.5",
		"SELECT MAX(m) FROM (SELECT u AS m FROM t22m_u WHERE u BETWEEN 0 AND 9.5) d",
		"SELECT MAX(m), COUNT(*) FROM (SELECT m FROM (SELECT u AS m FROM t22m_u) a) b WHERE m <= 9.5",
		"SELECT MAX(k), COUNT(*) FROM (SELECT * FROM t22m_rng) d WHERE k BETWEEN 0 AND 99.5",
		"SELECT x FROM (SELECT MAX(m) AS x FROM (SELECT u AS m FROM t22m_u) a WHERE m <= 9.5) b",
	} {
		sts = append(sts, dmlStmt{sql: q, query: true, refuse: "without GROUP BY, bounded by 9.5"})
	}
	sts[len(sts)-2].refuse = "bounded by 99.5"
	for _, q := range []string{
		"SELECT MAX(m), COUNT(*) FROM (SELECT u AS m FROM t22m_u) d WHERE m BETWEEN 0 AND 9",
		"SELECT MAX(k), COUNT(*) FROM (SELECT * FROM t22m_rng) d WHERE k BETWEEN 0 AND 99",
	} {
		sts = append(sts, dmlStmt{sql: q, query: true, mustRun: true})
	}
	for _, q := range []string{
		"SELECT MAX(m), COUNT(*) FROM (SELECT u + 0 AS m FROM t22m_u) d WHERE m <= 9.5",
		"SELECT MAX(m), COUNT(*) FROM (SELECT DISTINCT u AS m FROM t22m_u) d WHERE m <= 9.5",
		"SELECT MAX(m), COUNT(*) FROM (SELECT u AS m FROM t22m_u LIMIT 10) d WHERE m <= 9.5",
	} {
		sts = append(sts, dmlStmt{sql: q, query: true})
	}
	e.run(t, "derived", sts)
}

// TestReview22MinMaxEqualityPrefix: MariaDB answers MIN or MAX of a key's
// column under an equality on the key's earlier column by one index
// lookup too, of the constant converted to that column's type: MAX(k),
// COUNT(*) … WHERE d = 1.005 on a DECIMAL(6,2) d with KEY (d) (InnoDB
// appends the primary key k) said 5, 1 on one table (the lookup for 1.01
// found one row and counted it) and 5, 2 through shardsql (each node's
// lookup counted its own): refused, naming the equality. An equality the
// column holds exactly, and one on the sharding column (which routes to
// one node table, whose lookup is the one table's), agree.
func TestReview22MinMaxEqualityPrefix(t *testing.T) {
	e := newDMLEnvOf(t, "r22_minmax_eq", nil, time22MinMaxTables)
	sts := []dmlStmt{
		{sql: "INSERT INTO t22m_i (k, d) VALUES (-3, 1.01), (5, 1.01), (7, 1.00), (-9, 2.50)", mustRun: true},
		{sql: "INSERT INTO t22m_rng (k, id) VALUES (-5, 1), (50, 2), (99, 3), (100, 4), (150, 5), (199, 6), (200, 7), (250, 8)", mustRun: true},
	}
	for _, w := range []string{"d = 1.005", "1.005 = d", "d IN (1.005)", "d = '1.005'", "d = 1.005 AND k < 100"} {
		for _, sel := range []string{"MAX(k), COUNT(*)", "MIN(k), COUNT(*)"} {
			sts = append(sts, dmlStmt{sql: fmt.Sprintf("SELECT %s FROM t22m_i WHERE %s", sel, w), query: true, refuse: "of column d of sharded table t22m_i without GROUP BY, bounded by"})
		}
	}
	sts = append(sts, dmlStmt{sql: "SELECT MAX(k), COUNT(*) FROM t22m_i WHERE d = ?", args: []any{1.005}, query: true, refuse: "bounded by :v1", prepared: true})
	for _, w := range []string{"d = 1.01", "d = 1.010", "d IN (1.005, 2.5)", "d = ?", "d = TRUE", "d = FALSE", "d = NULL", "d = k", "d = 2 + 1", "d = -1", "k = TRUE"} {
		sts = append(sts, dmlStmt{sql: fmt.Sprintf("SELECT MAX(k), COUNT(*) FROM t22m_i WHERE %s", w), args: []any{1.01}[:strings.Count(w, "?")], query: true, mustRun: true})
	}
	// the same text again with an inexact argument, after the exact one
	// (a cached route must not skip the check)
	sts = append(sts, dmlStmt{sql: "SELECT MAX(k), COUNT(*) FROM t22m_i WHERE d = ?", args: []any{1.005}, query: true, refuse: "bounded by :v1"})
	sts = append(sts, dmlStmt{sql: "SELECT MAX(k), COUNT(*) FROM t22m_i WHERE d = ?", args: []any{"1.005"}, query: true, refuse: "bounded by :v1", prepared: true})
	sts = append(sts, dmlStmt{sql: "SELECT COUNT(*), SUM(k) FROM t22m_i WHERE d = 1.005", query: true, mustRun: true})
	sts = append(sts, dmlStmt{sql: "SELECT MAX(k), MIN(k), COUNT(*) FROM t22m_rng WHERE k = 99.5", query: true, mustRun: true})
	e.run(t, "equality prefix", sts)
}

// TestReview22MinMaxJoin: MariaDB takes MIN or MAX by its one index
// lookup in a join too once the other tables are constant (one row by a
// unique key): MAX(a.k), COUNT(*) FROM t a JOIN u b ON b.u = 5 WHERE a.k
// BETWEEN 0 AND 99.5 said NULL, 0 on one server and 99, 2 through
// shardsql (the check ran only on SELECTs of one table): refused. The
// same join with an exact bound agrees.
func TestReview22MinMaxJoin(t *testing.T) {
	e := newDMLEnvOf(t, "r22_minmax_j", nil, time22MinMaxTables)
	sts := []dmlStmt{
		{sql: "INSERT INTO t22m_rng (k, id) VALUES (-5, 1), (50, 2), (99, 3), (100, 4), (150, 5), (199, 6), (200, 7), (250, 8)", mustRun: true},
		{sql: "INSERT INTO t22m_u (k, u) VALUES (1, 5), (2, 9), (150, 10), (160, 20)", mustRun: true},
	}
	for _, q := range []string{
		"SELECT MAX(a.k), COUNT(*) FROM t22m_rng a JOIN t22m_u b ON b.u = 5 WHERE a.k BETWEEN 0 AND 99.5",
		"SELECT MAX(a.k), COUNT(*) FROM t22m_rng a, t22m_u b WHERE b.u = 5 AND a.k BETWEEN 0 AND 99.5",
		"SELECT MAX(b.u), COUNT(*) FROM t22m_rng a JOIN t22m_u b ON a.k = -5 WHERE b.u BETWEEN 0 AND 9.5",
	} {
		sts = append(sts, dmlStmt{sql: q, query: true, refuse: "without GROUP BY, bounded by"})
	}
	for _, q := range []string{
		"SELECT MAX(a.k), COUNT(*) FROM t22m_rng a JOIN t22m_u b ON b.u = 5 WHERE a.k BETWEEN 0 AND 99",
		"SELECT MAX(a.k), COUNT(*) FROM t22m_rng a, t22m_u b WHERE b.u = 5 AND a.k BETWEEN 0 AND 100",
	} {
		sts = append(sts, dmlStmt{sql: q, query: true})
	}
	e.run(t, "join", sts)
}
