package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
)

// TestDeepPageKeyTypes: deep pages ordered by keys of the types whose
// values phase 2 binds back (DATE, DATETIME(6), negative DECIMAL, YEAR,
// CHAR, VARCHAR under utf8mb4_unicode_ci with ß/ss, accents and trailing
// spaces, BIGINT UNSIGNED above 2^63), NULLs in every key, equal one
// unsharded table's rows with its ORDER BY ended by the primary key.
func TestDeepPageKeyTypes(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "deep_types")
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_dt", Column: "user_id", Nodes: "ds${0..1}.t_dt_${0..1}", Algorithm: shard.Mod()}))
	db := openDB(t, topo)
	oracle := openPlain(t, sharedDSNs(t, "deep_types_oracle")[0])
	ddl := `CREATE TABLE t_dt (
		id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
		user_id INT NOT NULL,
		d DATE NULL,
		dt DATETIME(6) NULL,
		dc DECIMAL(8,3) NULL,
		y YEAR NULL,
		c CHAR(5) NULL,
		v VARCHAR(10) COLLATE utf8mb4_unicode_ci NULL,
		code VARCHAR(10) COLLATE utf8mb4_general_ci NOT NULL,
		UNIQUE KEY (code)
	)`
	r := rand.New(rand.NewSource(3))
	vs := []any{nil, "a", "A", "á", "a ", "b", "ß", "ss", "Å", "z", "", " "}
	for _, d := range []*sql.DB{db, oracle} {
		_, err := d.ExecContext(ctx, "DROP TABLE IF EXISTS t_dt")
		require.NoError(t, err)
		_, err = d.ExecContext(ctx, ddl)
		require.NoError(t, err)
	}
	var sb strings.Builder
	var args []any
	for i := 1; i <= 1500; i++ {
		pick := func(x any) any {
			if r.Intn(6) == 0 {
				return nil
			}
			return x
		}
		id := uint64(i)
		if i%7 == 0 {
			id = 1<<63 + uint64(i)
		}
		args = append(args, id, r.Intn(50),
			pick(fmt.Sprintf("2024-0%d-1%d", 1+r.Intn(9), r.Intn(10))),
			pick(fmt.Sprintf("2024-01-01 10:00:0%d.%06d", r.Intn(3), r.Intn(4))),
			pick(fmt.Sprintf("%d.%03d", r.Intn(20)-10, r.Intn(3))),
			pick(2000+r.Intn(5)),
			pick([]string{"x", "x ", "X", "y"}[r.Intn(4)]),
			vs[r.Intn(len(vs))],
			fmt.Sprintf("k%05d", i))
		sb.WriteString("(?,?,?,?,?,?,?,?,?),")
	}
	q := "INSERT INTO t_dt (id, user_id, d, dt, dc, y, c, v, code) VALUES " + strings.TrimSuffix(sb.String(), ",")
	for _, d := range []*sql.DB{db, oracle} {
		_, err := d.ExecContext(ctx, q, args...)
		require.NoError(t, err)
	}
	keys := openDB(t, topo, driver.WithDeepPageKeys(route.DeepPageKeysOnly))
	full := openDB(t, topo, driver.WithDeepPageKeys(route.DeepPageKeysFull))
	orders := []string{"d", "d DESC", "dt", "dt DESC", "dc", "dc DESC", "y", "y DESC", "c", "c DESC", "v", "v DESC", "id DESC", "id", "v, dt DESC", "code DESC", "dc, v DESC"}
	deep := 0
	for _, o := range orders {
		for _, off := range []int{300, 700, 1100, 1480} {
			sharded := fmt.Sprintf("SELECT id, d, dt, dc, y, c, v, code FROM t_dt ORDER BY %s LIMIT %d, 7", o, off)
			plain := fmt.Sprintf("SELECT id, d, dt, dc, y, c, v, code FROM t_dt ORDER BY %s, id LIMIT %d, 7", o, off)
			p, err := driver.Explain(ctx, db, sharded)
			require.NoError(t, err)
			if p.DeepPage != nil {
				deep++
			}
			want, err := runDiffQuery(oracle, plain)
			require.NoError(t, err)
			for _, db := range []*sql.DB{db, keys, full} {
				got, err := runDiffQuery(db, sharded)
				if err != nil {
					t.Errorf("%s: %v", sharded, err)
					continue
				}
				if fmt.Sprint(want.rows) != fmt.Sprint(got.rows) {
					t.Errorf("%s (deep %v):\n got %v\nwant %v\n%s", sharded, p.DeepPage != nil, got.rows, want.rows, p)
				}
			}
		}
	}
	require.Equal(t, len(orders)*4, deep, "every page planned as a deep page")
}
