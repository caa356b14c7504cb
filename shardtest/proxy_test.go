package shardtest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProxyFaults(t *testing.T) {
	s := MariaDB(t, 1)[0]
	p, err := StartProxy(s.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	db, err := sql.Open("mysql", p.DSN(s)+"&interpolateParams=true")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	direct := open(t, s)
	_, err = db.Exec("CREATE TABLE pf (id INT PRIMARY KEY)")
	require.NoError(t, err)
	count := func() int {
		var n int
		require.NoError(t, direct.QueryRow("SELECT COUNT(*) FROM pf").Scan(&n))
		return n
	}
	ctx := context.Background()

	t.Run("cut", func(t *testing.T) {
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		p.Inject(Fault{Match: "insert into pf", Action: Cut})
		_, err = conn.ExecContext(ctx, "INSERT INTO pf VALUES (?)", 1)
		require.Error(t, err)
		assert.Equal(t, []string{"insert into pf"}, p.Disarm())
		assert.Zero(t, count(), "the server never saw the INSERT")
	})

	t.Run("lose reply", func(t *testing.T) {
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		p.Inject(Fault{Match: "INSERT", Action: LoseReply})
		_, err = conn.ExecContext(ctx, "INSERT INTO pf VALUES (?)", 2)
		require.Error(t, err)
		assert.Len(t, p.Disarm(), 1)
		assert.Equal(t, 1, count(), "the server applied the INSERT")
	})

	t.Run("hang", func(t *testing.T) {
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		p.Inject(Fault{Match: "INSERT", Action: Hang})
		hctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		_, err = conn.ExecContext(hctx, "INSERT INTO pf VALUES (3)")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Len(t, p.Disarm(), 1)
		assert.Equal(t, 1, count(), "the held INSERT never reached the server")
	})

	t.Run("cut after columns", func(t *testing.T) {
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		p.Inject(Fault{Match: "SELECT id", Action: CutAfterColumns})
		rows, err := conn.QueryContext(ctx, "SELECT id, id + 1 AS next FROM pf")
		require.NoError(t, err, "the columns arrive")
		cols, err := rows.Columns()
		require.NoError(t, err)
		assert.Equal(t, []string{"id", "next"}, cols)
		assert.False(t, rows.Next(), "no row arrives")
		require.Error(t, rows.Err())
		assert.Len(t, p.Disarm(), 1)
	})

	t.Run("cut all", func(t *testing.T) {
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		require.NoError(t, conn.PingContext(ctx))
		p.CutAll()
		_, err = conn.ExecContext(ctx, "INSERT INTO pf VALUES (4)")
		require.Error(t, err)
		_, err = db.Exec("INSERT INTO pf VALUES (5)")
		require.NoError(t, err, "new connections work")
	})

	t.Run("kill after the reply", func(t *testing.T) {
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		p.Inject(Fault{Match: "INSERT", Action: LoseReply, Then: func() { require.NoError(t, s.Kill()) }})
		_, err = conn.ExecContext(ctx, "INSERT INTO pf VALUES (6)")
		require.Error(t, err)
		require.NoError(t, s.Start())
		require.Eventually(t, func() bool { return direct.Ping() == nil }, 10*time.Second, 50*time.Millisecond)
		var n int
		require.NoError(t, direct.QueryRow("SELECT COUNT(*) FROM pf WHERE id = 6").Scan(&n))
		assert.Equal(t, 1, n, "a statement the server answered survives SIGKILL")
	})
}
