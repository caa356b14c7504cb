package shardtest

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadOnly(t *testing.T) {
	for q, want := range map[string]bool{
		"SELECT 1":                         true,
		"  select * from t":                true,
		"(SELECT 1) UNION (SELECT 2)":      true,
		"/* hint */ SELECT 1":              true,
		"-- c\nSHOW TABLES":                true,
		"# c\nDESCRIBE t":                  true,
		"desc t":                           true,
		"EXPLAIN SELECT 1":                 true,
		"INSERT INTO t VALUES (1)":         false,
		"UPDATE t SET a = 1":               false,
		"WITH x AS (SELECT 1) SELECT 1":    false,
		"SELECTED":                         false,
		"SET @a = 1":                       false,
		"BEGIN":                            false,
		"COMMIT":                           false,
		"/* unterminated SELECT":           false,
		"":                                 false,
		"CREATE TABLE t (id INT)":          false,
		"REPLACE INTO t VALUES (1)":        false,
		"DELETE FROM t WHERE id IN (1, 2)": false,
	} {
		require.Equal(t, want, readOnly(q), "%q", q)
	}
}

// TestEmbeddedConcurrentReadWrite runs readers and writers on one embedded
// server at once; under -race it checks that the statement serialisation
// keeps go-mysql-server's memory storage race-free and loses no rows.
func TestEmbeddedConcurrentReadWrite(t *testing.T) {
	s := Embedded(t, 1)[0]
	db := open(t, s)
	ctx := context.Background()
	_, err := db.ExecContext(ctx, "CREATE TABLE kv (k BIGINT PRIMARY KEY, v VARCHAR(20))")
	require.NoError(t, err)

	const writers, readers, perWriter = 4, 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers+readers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				if _, err := db.ExecContext(ctx, "INSERT INTO kv (k, v) VALUES (?, ?)", w*1000+i, "v"); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				var n int
				if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM kv WHERE v = ?", "v").Scan(&n); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	var n int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM kv").Scan(&n))
	require.Equal(t, writers*perWriter, n)
}
