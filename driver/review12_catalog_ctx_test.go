package driver_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shardtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReview12CatalogLoadContext: the first statement of a Connector needs
// the tables' columns and keys, read under the statement's context. When
// that context ends during the read (ds0's answer delayed past the
// deadline), the statement fails with the context's error — not "unsupported:
// … whose column user_id the servers did not describe (is the table
// created?)" — and the next statement loads the facts and runs.
func TestReview12CatalogLoadContext(t *testing.T) {
	name := strings.ToLower(t.Name())
	_, plains := review12Env(t, name, func(_ int, b string) string { return b })
	var proxies []*shardtest.Proxy
	for _, dsn := range sharedDSNs(t, name) {
		cfg, err := mysql.ParseDSN(dsn)
		require.NoError(t, err)
		p, err := shardtest.StartProxy(cfg.Addr)
		require.NoError(t, err)
		t.Cleanup(func() { _ = p.Close() })
		proxies = append(proxies, p)
	}
	db := review12Open(t, sharedDSNs(t, name), func(i int, b string) string {
		cfg, err := mysql.ParseDSN(b)
		require.NoError(t, err)
		cfg.Addr = proxies[i].Addr()
		cfg.InterpolateParams = true
		return cfg.FormatDSN()
	})
	proxies[0].Inject(shardtest.Fault{Match: "SELECT TABLE_NAME, COLUMN_NAME", Action: shardtest.Delay, Delay: 600 * time.Millisecond})

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	_, err := db.ExecContext(ctx, "INSERT INTO t_pk (id, user_id, v) VALUES (?, ?, ?)", 5000, 1, "c")
	cancel()
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "the context's error: %v", err)
	assert.False(t, errors.Is(err, driver.ErrUnsupported), "not a refusal: %v", err)

	_, err = db.ExecContext(context.Background(), "INSERT INTO t_pk (id, user_id, v) VALUES (?, ?, ?)", 5000, 1, "c")
	require.NoError(t, err)
	_, err = plains[1].ExecContext(context.Background(), "DELETE FROM t_pk WHERE id = 5000")
	require.NoError(t, err)
}
