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

// diff21Tables are the tables of round 21's random writes and values
// (diff21): h21 hashed by an INT id over four nodes on two data sources,
// with a column of each kind a value may be converted to (ENUM, SET,
// BIT, DATETIME(6), DECIMAL, DOUBLE, VARBINARY, BLOB — the last two
// often empty) and a NOT NULL column with a default; g21 hashed by a
// utf8mb4_general_ci VARCHAR key and c21 by a utf8mb4_unicode_ci one
// (keys written with trailing spaces and in other cases); tm21 sharded
// by month of a DATETIME(6) over four nodes (January–February on ds0,
// March–April on ds1).
var diff21Tables = []string{
	"h21 (id INT NOT NULL PRIMARY KEY, n INT NOT NULL DEFAULT 0, e ENUM('a','b','c') NULL, st SET('x','y','z') NULL, bt BIT(8) NULL, dt DATETIME(6) NULL, d DECIMAL(8,3) NULL, f DOUBLE NULL, vb VARBINARY(16) NULL, bl BLOB NULL)",
	"g21 (k VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL PRIMARY KEY, n INT NOT NULL DEFAULT 0, vb VARBINARY(8) NULL) DEFAULT CHARSET=utf8mb4",
	"c21 (k VARCHAR(20) COLLATE utf8mb4_unicode_ci NOT NULL PRIMARY KEY, n INT NOT NULL DEFAULT 0, bl BLOB NULL) DEFAULT CHARSET=utf8mb4",
	"tm21 (id INT NOT NULL, created DATETIME(6) NOT NULL, k INT NOT NULL DEFAULT 0, vb VARBINARY(8) NULL, PRIMARY KEY (id, created))",
}

// diff21Keys is each table's primary key as one expression, to order the
// contents by. The VARCHAR keys are ordered by their bytes: a
// case-insensitive order ties 'a' with 'A ' and leaves their order to
// the plan.
var diff21Keys = map[string]string{"h21": "id", "g21": "BINARY k", "c21": "BINARY k", "tm21": "id, created"}

// diff21Config is one way of opening shardsql and the oracle: a pool of
// one connection per data source, and go-sql-driver's interpolateParams.
type diff21Config struct {
	pool1, interpolate bool
}

func (c diff21Config) String() string {
	return fmt.Sprintf("pool1=%v interpolate=%v", c.pool1, c.interpolate)
}

// newDiff21Env is an r18aEnv (held connections, transactions) over
// diff21Tables, opened as c says.
func newDiff21Env(t *testing.T, name string, c diff21Config) *r18aEnv {
	suffix := ""
	if c.interpolate {
		suffix = "&interpolateParams=true"
	}
	dsns := sharedDSNs(t, name)
	oracle, err := sql.Open("mysql", sharedDSNs(t, name+"_oracle")[0]+suffix)
	require.NoError(t, err)
	t.Cleanup(func() { _ = oracle.Close() })
	topo := shard.NewTopology()
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d+suffix))
	}
	for _, tb := range []shard.Table{
		{Name: "h21", Column: "id", Nodes: "ds${0..1}.h21_${0..1}", Algorithm: shard.Hash()},
		{Name: "g21", Column: "k", Nodes: "ds${0..1}.g21_${0..1}", Algorithm: shard.Hash()},
		{Name: "c21", Column: "k", Nodes: "ds${0..1}.c21_${0..1}", Algorithm: shard.Hash()},
		{Name: "tm21", Column: "created", Nodes: "ds0.tm21_${2025-01..2025-02|month|200601}, ds1.tm21_${2025-03..2025-04|month|200601}", Algorithm: shard.Interval(shard.Month, "200601")},
	} {
		require.NoError(t, topo.AddTable(tb))
	}
	var opts []driver.Option
	if c.pool1 {
		// The wait bound ends a deadlock as an error the test reports
		// instead of a hung test.
		opts = append(opts, driver.WithMaxOpenConns(1), driver.WithConnWaitTimeout(20*time.Second))
	}
	e := &r18aEnv{t: t, oracle: oracle, sharded: openDB(t, topo, opts...)}
	diff21Reset(e)
	return e
}

// diff21Reset recreates the tables with the same rows on both sides and
// opens fresh held connections in the server's default sql_mode.
func diff21Reset(e *r18aEnv) {
	t := e.t
	e.closeConns()
	e.oc, e.sc = nil, nil
	var hv, gv, cv, tv []string
	enums := []string{"'a'", "'b'", "'c'", "NULL"}
	sets := []string{"'x'", "'y,z'", "''", "'x,z'", "NULL", "'x,y,z'"}
	bins := []string{"''", "x'00'", "'ab'", "NULL", "'AB'", "x'ff10'"}
	for id := 1; id <= 12; id++ {
		dt := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 5*id).Add(time.Duration(id*1234567) * time.Microsecond).Format("'2006-01-02 15:04:05.000000'")
		hv = append(hv, fmt.Sprintf("(%d, %d, %s, %s, %d, %s, %d.%03d, %d.5e-1, %s, %s)", id, id*3%7, enums[id%4], sets[id%6], id*37%256, dt, id, id*125%1000, id, bins[id%6], bins[(id+2)%6]))
	}
	for i, k := range []string{"a", "B", "c ", "d", "e1", "2", "10", "x y"} {
		gv = append(gv, fmt.Sprintf("('%s', %d, %s)", k, i, bins[i%6]))
		cv = append(cv, fmt.Sprintf("('%s', %d, %s)", k, i, bins[(i+1)%6]))
	}
	for id := 1; id <= 24; id++ {
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 5*(id-1)).Add(time.Duration(id%5)*time.Hour + time.Duration(id)*time.Microsecond)
		tv = append(tv, fmt.Sprintf("(%d, '%s', %d, %s)", id, at.Format("2006-01-02 15:04:05.000000"), id%5, bins[id%6]))
	}
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		for _, tb := range diff21Tables {
			name, _, _ := strings.Cut(tb, " ")
			_, err := db.Exec("DROP TABLE IF EXISTS " + name)
			require.NoError(t, err)
			_, err = db.Exec("CREATE TABLE " + tb)
			require.NoError(t, err, tb)
		}
		for _, q := range []string{
			"INSERT INTO h21 (id, n, e, st, bt, dt, d, f, vb, bl) VALUES " + strings.Join(hv, ", "),
			"INSERT INTO g21 (k, n, vb) VALUES " + strings.Join(gv, ", "),
			"INSERT INTO c21 (k, n, bl) VALUES " + strings.Join(cv, ", "),
			"INSERT INTO tm21 (id, created, k, vb) VALUES " + strings.Join(tv, ", "),
		} {
			_, err := db.Exec(q)
			require.NoError(t, err, q)
		}
	}
	var err error
	e.oc, err = e.oracle.Conn(context.Background())
	require.NoError(t, err)
	e.sc, err = e.sharded.Conn(context.Background())
	require.NoError(t, err)
	// A go-sql-driver connection back in its pool keeps its session: start
	// both from the server's defaults.
	for _, c := range []*sql.Conn{e.oc, e.sc} {
		_, err := c.ExecContext(context.Background(), "SET sql_mode = DEFAULT, time_zone = DEFAULT")
		require.NoError(t, err)
	}
}

// diff21Dump compares every table's contents with the oracle's, read on
// the held connections (or their transactions): with a pool of one
// connection per data source, the held connection has the only one.
// "" when alike.
func diff21Dump(e *r18aEnv) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o, s := e.runners()
	var out []string
	for _, tb := range diff21Tables {
		name, _, _ := strings.Cut(tb, " ")
		q := "SELECT * FROM " + name + " ORDER BY " + diff21Keys[name]
		want, werr := diff21Query(ctx, o, q)
		got, gerr := diff21Query(ctx, s, q)
		if d := diffOutcome(want, werr, got, gerr, true); d != "exact" {
			out = append(out, name+": "+d)
		}
	}
	return strings.Join(out, "; ")
}

// diff21Query is r18Query through scanDiff21Rows.
func diff21Query(ctx context.Context, r r18Runner, q string, args ...any) (*diffResult, error) {
	rows, err := r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanDiff21Rows(rows)
}

// scanDiff21Rows is scanDiffRows telling an empty byte value from a nil
// one: a driver value []byte(nil) reads as NULL to a caller scanning into
// []byte or sql.RawBytes (and is sent as NULL as an argument), where a
// sql.NullString reads it as the empty string. It shows as "NIL[]BYTE".
func scanDiff21Rows(rows *sql.Rows) (*diffResult, error) {
	defer rows.Close()
	res := &diffResult{}
	var err error
	if res.cols, err = rows.Columns(); err != nil {
		return nil, err
	}
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	for _, ct := range cts {
		res.types = append(res.types, ct.DatabaseTypeName())
	}
	vals := make([]any, len(res.cols))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			switch b, isBytes := v.([]byte); {
			case v == nil:
				row[i] = "NULL"
			case isBytes && b == nil:
				row[i] = "NIL[]BYTE"
			default:
				var ns sql.NullString
				if err := ns.Scan(v); err != nil {
					return nil, err
				}
				row[i] = ns.String
			}
		}
		res.rows = append(res.rows, row)
	}
	return res, rows.Err()
}
