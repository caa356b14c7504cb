package driver_test

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// wrapConnector wraps a driver.Connector as otelsql and sqlcommenter do:
// its connections are its own type, contexts are derived (a span), and each
// statement gets a trailing comment with a new trace id.
type wrapConnector struct {
	inner sqldriver.Connector
	trace atomic.Int64
}

type spanKey struct{}

func (w *wrapConnector) Connect(ctx context.Context) (sqldriver.Conn, error) {
	c, err := w.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &wrapConn{inner: c, w: w}, nil
}

func (w *wrapConnector) Driver() sqldriver.Driver { return w.inner.Driver() }

// Close closes the wrapped connector (database/sql closes a connector that
// is an io.Closer when the *sql.DB closes), so its pools do not outlive the
// test.
func (w *wrapConnector) Close() error {
	if c, ok := w.inner.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

type wrapConn struct {
	inner sqldriver.Conn
	w     *wrapConnector
}

func (c *wrapConn) span(ctx context.Context, q string) (context.Context, string) {
	return context.WithValue(ctx, spanKey{}, q), fmt.Sprintf("%s /*traceparent='00-%032x-01'*/", q, c.w.trace.Add(1))
}
func (c *wrapConn) Prepare(q string) (sqldriver.Stmt, error) { return c.inner.Prepare(q) }
func (c *wrapConn) Close() error                             { return c.inner.Close() }
func (c *wrapConn) Begin() (sqldriver.Tx, error) {
	return c.inner.(sqldriver.ConnBeginTx).BeginTx(context.Background(), sqldriver.TxOptions{})
}
func (c *wrapConn) BeginTx(ctx context.Context, o sqldriver.TxOptions) (sqldriver.Tx, error) {
	return c.inner.(sqldriver.ConnBeginTx).BeginTx(ctx, o)
}
func (c *wrapConn) ExecContext(ctx context.Context, q string, a []sqldriver.NamedValue) (sqldriver.Result, error) {
	ctx, q = c.span(ctx, q)
	return c.inner.(sqldriver.ExecerContext).ExecContext(ctx, q, a)
}
func (c *wrapConn) QueryContext(ctx context.Context, q string, a []sqldriver.NamedValue) (sqldriver.Rows, error) {
	ctx, q = c.span(ctx, q)
	return c.inner.(sqldriver.QueryerContext).QueryContext(ctx, q, a)
}
func (c *wrapConn) Ping(ctx context.Context) error {
	ctx, _ = c.span(ctx, "ping")
	return c.inner.(sqldriver.Pinger).Ping(ctx)
}

// TestWrappedDB checks that Explain, PlanCacheStats and AddNodes find the
// shardsql connector behind a wrapping driver, and that the wrapper's
// per-statement trace comments do not make every statement a plan-cache
// miss.
func TestWrappedDB(t *testing.T) {
	dsns := sharedDSNs(t, strings.ToLower(t.Name()))
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_wrap", Column: "user_id", Nodes: "ds${0..1}.t_wrap_${0..1}", Algorithm: shard.Mod()}))
	c, err := driver.NewConnector(topo)
	require.NoError(t, err)
	db := sql.OpenDB(&wrapConnector{inner: c})
	t.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	_, err = db.ExecContext(ctx, "CREATE TABLE t_wrap (id BIGINT NOT NULL, user_id BIGINT NOT NULL, PRIMARY KEY (id, user_id))")
	require.NoError(t, err)

	p, err := driver.Explain(ctx, db, "SELECT * FROM t_wrap WHERE user_id = ?", 3)
	require.NoError(t, err)
	require.Len(t, p.Units, 1)
	assert.Equal(t, "ds1.t_wrap_1", p.Units[0].Node.String())

	before, err := driver.PlanCacheStats(ctx, db)
	require.NoError(t, err)
	for i := 0; i < 20; i++ {
		var n int
		require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_wrap WHERE user_id = ?", i).Scan(&n))
	}
	after, err := driver.PlanCacheStats(ctx, db)
	require.NoError(t, err)
	assert.LessOrEqual(t, after.Misses-before.Misses, uint64(1), "one miss for 20 statements that differ only in their trace comment")
	assert.GreaterOrEqual(t, after.Hits-before.Hits, uint64(19))

	require.NoError(t, db.PingContext(ctx), "an ordinary Ping still pings")
}
