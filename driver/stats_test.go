package driver_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// lockedBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestStatsAndLogging checks driver.Stats (through a wrapping driver) and
// what WithLogger logs: statements, node statements, refusals, failures
// and slow statements.
func TestStatsAndLogging(t *testing.T) {
	dsns := sharedDSNs(t, strings.ToLower(t.Name()))
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_st", Column: "user_id", Nodes: "ds${0..1}.t_st_${0..1}", Algorithm: shard.Mod()}))
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := driver.NewConnector(topo, driver.WithLogger(logger), driver.WithSlowThreshold(150*time.Millisecond))
	require.NoError(t, err)
	db := sql.OpenDB(&wrapConnector{inner: c})
	t.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()

	for _, dsn := range dsns { // -count=2 reuses the shared servers' database; not counted below
		_, err = openPlain(t, dsn).ExecContext(ctx, "DROP TABLE IF EXISTS t_st_0, t_st_1")
		require.NoError(t, err)
	}
	_, err = db.ExecContext(ctx, "CREATE TABLE t_st (id BIGINT NOT NULL, user_id BIGINT NOT NULL, PRIMARY KEY (id, user_id))")
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "INSERT INTO t_st (id, user_id) VALUES (1, 0), (2, 1), (3, 2), (4, 3)")
	require.NoError(t, err)
	var n int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_st").Scan(&n))
	assert.Equal(t, 4, n)
	_, err = db.ExecContext(ctx, "LOCK TABLES t_st WRITE")
	require.ErrorIs(t, err, driver.ErrUnsupported)
	_, err = db.QueryContext(ctx, "SELECT * FROM t_missing")
	require.Error(t, err)
	require.NoError(t, db.QueryRowContext(ctx, "SELECT SLEEP(0.2)").Scan(&n))

	st, err := driver.Stats(ctx, db)
	require.NoError(t, err)
	assert.EqualValues(t, 1, st.Statements["ddl"])
	assert.EqualValues(t, 1, st.Statements["insert"])
	assert.EqualValues(t, 3, st.Statements["select"], "the count, the failing one and the sleep")
	assert.Equal(t, 4, st.MaxFanOut)
	assert.GreaterOrEqual(t, st.MultiNode, uint64(3))
	assert.EqualValues(t, 1, st.Refused)
	assert.EqualValues(t, 1, st.Errors)
	assert.GreaterOrEqual(t, st.Slow, uint64(1), "the sleep (a statement slowed by a loaded machine may count too)")
	require.Contains(t, st.DataSources, "ds0")
	require.Contains(t, st.DataSources, "ds1")
	assert.Equal(t, driver.DefaultMaxOpenConns, st.DataSources["ds1"].MaxOpenConnections)
	assert.Positive(t, st.PlanCache.Misses)

	out := logs.String()
	for _, want := range []string{
		`"msg":"shardsql: statement"`,
		`"msg":"shardsql: node statement","data_source":"ds1"`,
		`"msg":"shardsql: statement refused"`,
		`"msg":"shardsql: statement failed"`,
		`"msg":"shardsql: slow statement","sql":"SELECT SLEEP(0.2)`,
	} {
		assert.Contains(t, out, want)
	}
}

// TestStatsWithoutLogger checks that a connector without a logger (the
// default: shardsql never logs to slog's default logger) still counts.
func TestStatsWithoutLogger(t *testing.T) {
	dsns := sharedDSNs(t, strings.ToLower(t.Name()))
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", dsns[0]))
	db := openDB(t, topo)
	var n int
	require.NoError(t, db.QueryRow("SELECT 1").Scan(&n))
	st, err := driver.Stats(context.Background(), db)
	require.NoError(t, err)
	assert.EqualValues(t, 1, st.Statements["select"])
	assert.EqualValues(t, 1, st.Units)
}

// TestStatsPerConnStripes: each Conn adds its statements to the stripe it
// drew when it was opened (stats.go, stripeAt); the counts of several
// Conns running at once sum exactly, whichever stripes they share.
func TestStatsPerConnStripes(t *testing.T) {
	dsns := sharedDSNs(t, strings.ToLower(t.Name()))
	topo := shard.NewTopology()
	require.NoError(t, topo.AddDataSource("ds0", dsns[0]))
	db := openDB(t, topo)
	ctx := context.Background()
	const conns, each = 12, 25
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := db.Conn(ctx)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			for j := 0; j < each; j++ {
				var n int
				if err := conn.QueryRowContext(ctx, "SELECT ?", j).Scan(&n); err != nil || n != j {
					errs <- fmt.Errorf("select %d: %d, %v", j, n, err)
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
	st, err := driver.Stats(ctx, db)
	require.NoError(t, err)
	assert.EqualValues(t, conns*each, st.Statements["select"])
	assert.EqualValues(t, conns*each, st.Units)
}
