package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/seq"
	"github.com/shardsql/shardsql/shard"
)

// TestIDs22GeneratedIDsConcurrent: two "processes" (two connectors, each
// with its own seq.Segment on one sequence row; one with a pool of one
// connection) insert with 16 goroutines at once, by single-row, multi-row
// (one row giving NULL), prepared and transactional INSERTs. Every id is
// unique across nodes, every statement's rows hold LastInsertId,
// LastInsertId+1, … in row order (what an ORM assigns to its structs),
// and one goroutine's ids increase. Run it with -race.
func TestIDs22GeneratedIDsConcurrent(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "ids22_conc")
	plain := openPlain(t, dsns[0])
	require.NoError(t, seq.CreateSequenceTable(ctx, plain))
	_, err := plain.ExecContext(ctx, "DELETE FROM shardsql_sequence WHERE name = 'c22_id'")
	require.NoError(t, err)
	var dbs []*sql.DB
	for p := range 2 {
		gen, err := seq.NewSegment(ctx, plain, "c22_id", seq.WithStep(7))
		require.NoError(t, err)
		t.Cleanup(func() { _ = gen.Close() })
		topo := dsTopology(t, dsns)
		require.NoError(t, topo.AddTable(shard.Table{Name: "c22", Column: "user_id", Nodes: "ds${0..1}.c22_${0..1}",
			KeyColumn: "id", KeyGenerator: gen}))
		db := openDB(t, topo)
		if p == 1 {
			db.SetMaxOpenConns(1)
		}
		dbs = append(dbs, db)
	}
	for _, q := range []string{"DROP TABLE IF EXISTS c22",
		"CREATE TABLE c22 (id BIGINT NOT NULL PRIMARY KEY, user_id INT NOT NULL, tag VARCHAR(20) NOT NULL, KEY (user_id))"} {
		_, err := dbs[0].ExecContext(ctx, q)
		require.NoError(t, err, q)
	}

	var mu sync.Mutex
	want := map[string]int64{} // tag → the id an ORM assigns it
	var wg sync.WaitGroup
	for g := range 16 {
		db := dbs[g%2]
		wg.Go(func() {
			ins, err := db.PrepareContext(ctx, "INSERT INTO c22 (user_id, tag) VALUES (?, ?), (?, ?)")
			if !assert.NoError(t, err) {
				return
			}
			defer ins.Close()
			last := int64(0)
			for i := range 12 {
				tag := func(r int) string { return fmt.Sprintf("g%d-%d-%d", g, i, r) }
				var res sql.Result
				var n int
				switch i % 4 {
				case 0:
					res, err = db.ExecContext(ctx, "INSERT INTO c22 (user_id, tag) VALUES (?, ?)", g*100+i, tag(0))
					n = 1
				case 1:
					res, err = db.ExecContext(ctx, "INSERT INTO c22 (id, user_id, tag) VALUES (NULL, ?, ?), (NULL, ?, ?), (DEFAULT, ?, ?)",
						g*100+i, tag(0), g*100+i+1, tag(1), g*100+i+2, tag(2))
					n = 3
				case 2:
					res, err = ins.ExecContext(ctx, g*100+i, tag(0), g*100+i+1, tag(1))
					n = 2
				case 3:
					var tx *sql.Tx
					if tx, err = db.BeginTx(ctx, nil); err == nil {
						if res, err = tx.ExecContext(ctx, "INSERT INTO c22 (user_id, tag) VALUES (?, ?), (?, ?)", g*100+i, tag(0), g*100+i+7, tag(1)); err == nil {
							err = tx.Commit()
						} else {
							_ = tx.Rollback()
						}
					}
					n = 2
				}
				if !assert.NoError(t, err, "goroutine %d statement %d", g, i) {
					return
				}
				first, err := res.LastInsertId()
				if !assert.NoError(t, err) {
					return
				}
				assert.Greater(t, first, last, "goroutine %d: ids increase", g)
				last = first + int64(n) - 1
				mu.Lock()
				for r := range n {
					want[tag(r)] = first + int64(r)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	got := map[string]int64{}
	ids := map[int64]string{}
	for _, dsn := range dsns {
		p := openPlain(t, dsn)
		for _, tb := range []string{"c22_0", "c22_1"} {
			rows, err := p.QueryContext(ctx, "SELECT id, tag FROM "+tb)
			require.NoError(t, err)
			for rows.Next() {
				var id int64
				var tag string
				require.NoError(t, rows.Scan(&id, &tag))
				if other, dup := ids[id]; dup {
					t.Errorf("id %d held by %s and %s", id, other, tag)
				}
				ids[id] = tag
				got[tag] = id
			}
			require.NoError(t, rows.Err())
			rows.Close()
		}
	}
	assert.Equal(t, want, got, "each row holds the id LastInsertId numbers it by")
}
