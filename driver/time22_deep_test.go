package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
)

// TestTime22DeepPages pages deep into time-sharded tables (2,000 rows,
// a tenth within milliseconds of the node edge, many equal keys), with
// the deep page strategy's key-only and full-row phases and streaming,
// ascending and descending, by the key and by DATE(k), and walks them by
// keyset with the last row's values as arguments, under plain DSNs and
// under parseTime with loc=Asia/Tokyo and interpolateParams. Every page
// must equal the oracle's.
func TestTime22DeepPages(t *testing.T) {
	variants := map[string]func(*mysql.Config){
		"plain": nil,
		"tokyo": func(c *mysql.Config) {
			c.InterpolateParams = true
			c.ParseTime = true
			c.Loc, _ = time.LoadLocation("Asia/Tokyo")
		},
	}
	for vn, dsn := range variants {
		t.Run(vn, func(t *testing.T) {
			e := newDMLEnvOf(t, "t22d_"+vn, dsn, time22Tables)
			r := rand.New(rand.NewSource(22))
			base := time.Date(2026, 1, 30, 0, 0, 0, 0, time.UTC)
			tables := []string{"t22_dt3", "t22_date", "t22_ts"}
			for _, tb := range tables {
				var vals []string
				for i := 0; i < 2000; i++ {
					d := time.Duration(r.Int63n(int64(72 * time.Hour))).Truncate(time.Second)
					switch i % 10 {
					case 0:
						d = 48*time.Hour - time.Duration(r.Intn(3))*time.Millisecond
					case 1:
						d = 48 * time.Hour
					}
					vals = append(vals, fmt.Sprintf("('%s', %d, %d)", base.Add(d).Format("2006-01-02 15:04:05.000"), i, r.Intn(5)))
				}
				q := fmt.Sprintf("INSERT INTO %s (k, id, n) VALUES %s", tb, strings.Join(vals, ", "))
				_, err := e.oracle.Exec(q)
				require.NoError(t, err)
				_, err = e.sharded.Exec(q)
				require.NoError(t, err)
			}
			dbs := map[string]*sql.DB{
				"auto": e.sharded,
				"keys": openDB(t, e.topo, driver.WithDeepPageKeys(route.DeepPageKeysOnly)),
				"full": openDB(t, e.topo, driver.WithDeepPageKeys(route.DeepPageKeysFull)),
			}
			for _, tb := range tables {
				// the strategy is planned (a TIMESTAMP order streams,
				// route/deep_page.go): this test pages through it
				if tb == "t22_ts" {
					continue
				}
				p, err := driver.Explain(context.Background(), dbs["keys"], fmt.Sprintf("SELECT k, id, n FROM %s ORDER BY k, id LIMIT 1200, 7", tb))
				require.NoError(t, err)
				require.Contains(t, p.String(), "DeepPage", tb)
			}
			for dn, db := range dbs {
				for _, tb := range tables {
					for _, q := range []string{
						"SELECT k, id, n FROM %s ORDER BY k, id LIMIT %d, 7",
						"SELECT k, id FROM %s ORDER BY k DESC, id DESC LIMIT %d, 9",
						"SELECT k, id FROM %s ORDER BY DATE(k), id LIMIT %d, 5",
						"SELECT id, k FROM %s WHERE k >= '2026-01-31 12:00' ORDER BY k, id LIMIT %d, 6",
						"SELECT k, id FROM %s ORDER BY k LIMIT %d, 3",
					} {
						for _, off := range []int{40, 600, 1200, 1993} {
							sql := fmt.Sprintf(q, tb, off)
							if strings.HasSuffix(q, "ORDER BY k LIMIT %d, 3") {
								sql = fmt.Sprintf("SELECT COUNT(*) FROM (%s) x", sql) // the order is not total: compare the count
							}
							want, werr := runDiffQuery(e.oracle, sql)
							got, gerr := runDiffQuery(db, sql)
							if werr != nil || gerr != nil {
								if !strings.Contains(fmt.Sprint(gerr), "shardsql: unsupported: ") {
									t.Errorf("%s %s: oracle %v, shardsql %v", dn, sql, werr, gerr)
								}
								continue
							}
							if fmt.Sprint(want.rows) != fmt.Sprint(got.rows) {
								t.Errorf("%s %s:\n  oracle   %v\n  shardsql %v", dn, sql, want.rows, got.rows)
							}
						}
					}
					// keyset: walk by (k, id) > (?, ?) with the last row's values
					var lastK any = "2026-01-31 23:59:59.997"
					var lastID any = int64(0)
					for page := 0; page < 6; page++ {
						sql := fmt.Sprintf("SELECT k, id FROM %s WHERE (k, id) > (?, ?) ORDER BY k, id LIMIT 10", tb)
						want, werr := runDiffQuery(e.oracle, sql, lastK, lastID)
						got, gerr := runDiffQuery(db, sql, lastK, lastID)
						require.NoError(t, werr)
						if gerr != nil {
							t.Errorf("%s %s %v: %v", dn, sql, []any{lastK, lastID}, gerr)
							break
						}
						if fmt.Sprint(want.rows) != fmt.Sprint(got.rows) {
							t.Errorf("%s %s %v:\n  oracle   %v\n  shardsql %v", dn, sql, []any{lastK, lastID}, want.rows, got.rows)
							break
						}
						if len(got.rows) == 0 {
							break
						}
						last := got.rows[len(got.rows)-1]
						lastK, lastID = keysetValue(last[0]), last[1]
					}
				}
			}
		})
	}
}

// keysetValue is a key as read back (text, or under parseTime a
// time.Time that database/sql printed in RFC 3339) as the argument of the
// next keyset page.
func keysetValue(s string) any {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	return s
}
