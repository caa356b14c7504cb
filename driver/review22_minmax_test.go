package driver_test

import (
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
