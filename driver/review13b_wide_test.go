package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestReview13bWideConcurrent: bounded reads of 9–40 columns (NULLs,
// empty strings, BLOBs, DECIMALs) and of up to three rows, from many
// goroutines on pooled oneUnits whose wide buffers go from width to
// width; every value kept (*any, sql.RawBytes past Close) stays the row's
// after all later reads, and narrow reads in between are exact.
func TestReview13bWideConcurrent(t *testing.T) {
	ctx := context.Background()
	db, _ := pooledEnv(t)
	db.SetMaxOpenConns(4)
	cols := []string{"id", "bl", "vc", "dc", "NULL", "''", "user_id"}
	want := func(id int64, c string) any {
		switch c {
		case "id":
			return []byte(fmt.Sprint(id))
		case "bl":
			return pooledBL(id)
		case "vc":
			return []byte(pooledVC(id))
		case "dc":
			return []byte(pooledDC(id))
		case "NULL":
			return nil
		case "''":
			return []byte{}
		}
		return []byte(fmt.Sprint(id / 1000))
	}
	type kept struct {
		ids  []int64
		sel  []string
		vals [][]any
		raws []sql.RawBytes
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(g) + 1300))
			var all []kept
			for i := 0; i < 40; i++ {
				w := 1 + r.Intn(40)
				sel := make([]string, w)
				for j := range sel {
					sel[j] = cols[r.Intn(len(cols))]
				}
				user := int64(1 + r.Intn(pooledUsers))
				n := 1 + r.Intn(3)
				var ids []int64
				args := []any{user}
				for len(ids) < n {
					id := user*1000 + int64(1+r.Intn(pooledPerUser))
					if !contains(ids, id) {
						ids = append(ids, id)
						args = append(args, id)
					}
				}
				sortInt64(ids)
				q := fmt.Sprintf("SELECT %s, id AS ord FROM t_pool WHERE user_id = ? AND id IN (%s) ORDER BY id",
					strings.Join(sel, ", "), strings.TrimSuffix(strings.Repeat("?, ", n), ", "))
				rows, err := db.QueryContext(ctx, q, args...)
				if !assert.NoError(t, err, q) {
					return
				}
				k := kept{ids: ids, sel: sel}
				for rows.Next() {
					vals := make([]any, w+1)
					ptrs := make([]any, w+1)
					for j := range ptrs {
						ptrs[j] = &vals[j]
					}
					assert.NoError(t, rows.Scan(ptrs...))
					k.vals = append(k.vals, vals)
					var raw sql.RawBytes
					rp := make([]any, w+1)
					for j := range rp {
						rp[j] = new(any)
					}
					rp[0] = &raw
					assert.NoError(t, rows.Scan(rp...))
					k.raws = append(k.raws, raw)
				}
				assert.NoError(t, rows.Err())
				assert.NoError(t, rows.Close())
				all = append(all, k)
				// a narrow point read in between
				h, err := pooledRead(ctx, db, false, ids[0])
				if assert.NoError(t, err) {
					h.check(t)
				}
			}
			for _, k := range all {
				if !assert.Len(t, k.vals, len(k.ids), "%v", k.sel) {
					continue
				}
				for ri, id := range k.ids {
					for j, c := range k.sel {
						got := k.vals[ri][j]
						if n, ok := got.(int64); ok { // the text protocol's integers may arrive parsed
							got = []byte(fmt.Sprint(n))
						}
						assert.Equal(t, want(id, c), got, "row %d column %d (%s) of %v", id, j, c, k.sel)
					}
					if w, ok := want(id, k.sel[0]).([]byte); ok && k.sel[0] != "id" && k.sel[0] != "user_id" {
						assert.Equal(t, string(w), string(k.raws[ri]), "RawBytes of row %d (%s)", id, k.sel[0])
					}
				}
			}
		}()
	}
	wg.Wait()
}

func contains(s []int64, v int64) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func sortInt64(s []int64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
