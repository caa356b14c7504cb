package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/route"
)

// Deep pages write the last rows' key values into the next phase's
// bounds (route/deep_page.go, literal: text as a string argument) and
// remember positions per statement (hints): text keys of latin1 and
// cp1251 columns holding non-ASCII text, ties under their _ci
// collations, with interpolateParams on and off, each page read twice
// (the second through the hint).
func TestCharset21DeepPages(t *testing.T) {
	ls := []string{"é", "e", "è", "ü", "y", "Å", "a", "ß", "ss", "ø", "ö", "ñ"}
	ws := []string{"Ж", "ж", "я", "Ё", "е", "b", "Я", "ё"}
	var rows []string
	for id := 30; id < 430; id++ {
		rows = append(rows, fmt.Sprintf("(%d, '%s', '%s', '%s', %d)", id, ls[id*7%len(ls)], ws[id*5%len(ws)], ls[id%len(ls)], id%9))
	}
	for _, keys := range []route.DeepPageKeys{route.DeepPageKeysOnly, route.DeepPageKeysFull} {
		for _, ip := range []bool{false, true} {
			e := newCS21Env(t, "cs21_deep", ip, driver.WithDeepPageKeys(keys))
			for _, db := range []*sql.DB{e.oracle, e.sharded} {
				_, err := db.Exec("INSERT INTO ca21 (id, l, w, u, n) VALUES " + strings.Join(rows, ", "))
				require.NoError(t, err)
			}
			for _, order := range []string{"l, id", "l DESC, id", "w, id DESC", "w DESC, l, id", "l, w, n, id"} {
				for _, off := range []int{40, 130, 131, 220, 390} {
					q := fmt.Sprintf("SELECT id, l, w, n FROM ca21 ORDER BY %s LIMIT %d, 7", order, off)
					want := e.rows(e.oracle, q)
					if off >= 130 {
						plan, err := driver.Explain(context.Background(), e.sharded, q)
						require.NoError(t, err)
						require.NotNil(t, plan.DeepPage, q)
					}
					for range 2 {
						require.Equal(t, want, e.rows(e.sharded, q), "%s keys=%v interpolate=%v", q, keys, ip)
					}
					qa := fmt.Sprintf("SELECT id, l, w, n FROM ca21 WHERE l <> ? ORDER BY %s LIMIT ?, 7", order)
					want = e.rows(e.oracle, qa, "ø", off)
					for range 2 {
						require.Equal(t, want, e.rows(e.sharded, qa, "ø", off), "%s keys=%v interpolate=%v", qa, keys, ip)
					}
				}
			}
		}
	}
}
