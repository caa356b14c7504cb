package shardtest

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestMariaDBStopStart(t *testing.T) {
	s := MariaDB(t, 1)[0]
	db := open(t, s)
	_, err := db.Exec("CREATE TABLE kept (id INT PRIMARY KEY)")
	require.NoError(t, err)
	_, err = db.Exec("INSERT INTO kept VALUES (1), (2)")
	require.NoError(t, err)

	start := time.Now()
	require.NoError(t, s.Stop())
	t.Logf("stopped in %v", time.Since(start))
	require.NoError(t, s.Stop(), "stopping a stopped server does nothing")
	conn, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	if err == nil {
		_ = conn.Close()
	}
	require.Error(t, err, "nothing listens on %s while stopped", s.Addr())
	_, err = os.Stat(s.dir)
	require.NoError(t, err, "Stop keeps the data directory")

	start = time.Now()
	require.NoError(t, s.Start())
	t.Logf("started again in %v", time.Since(start))
	require.NoError(t, s.Start(), "starting a running server does nothing")
	var n int
	require.Eventually(t, func() bool { return db.QueryRow("SELECT COUNT(*) FROM kept").Scan(&n) == nil }, 10*time.Second, 50*time.Millisecond,
		"the same pool works again")
	require.Equal(t, 2, n, "the data survives a restart")

	// A second cycle, then Close removes everything.
	require.NoError(t, s.Stop())
	require.NoError(t, s.Start())
	require.NoError(t, open(t, s).QueryRow("SELECT COUNT(*) FROM kept").Scan(&n))
	require.Equal(t, 2, n)
	requireClosed(t, s)
	_, err = os.Stat(s.dir)
	require.True(t, errors.Is(err, os.ErrNotExist), "Close removes the data directory: %v", err)
	require.ErrorContains(t, s.Start(), "closed")
	require.ErrorContains(t, s.Stop(), "closed")
}

func TestMariaDBCloseWhileStopped(t *testing.T) {
	s := MariaDB(t, 1)[0]
	require.NoError(t, s.Stop())
	requireClosed(t, s)
	_, err := os.Stat(s.dir)
	require.True(t, errors.Is(err, os.ErrNotExist), "Close removes the data directory: %v", err)
}

func TestEmbeddedCannotRestart(t *testing.T) {
	s := Embedded(t, 1)[0]
	require.ErrorContains(t, s.Stop(), "only MariaDB servers")
	require.ErrorContains(t, s.Start(), "only MariaDB servers")
}

func TestBlackHole(t *testing.T) {
	var addr string
	t.Run("hangs", func(t *testing.T) {
		addr = BlackHole(t)
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		require.NoError(t, err, "the black hole accepts connections")
		defer conn.Close()
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(200*time.Millisecond)))
		_, err = conn.Read(make([]byte, 1))
		var ne net.Error
		require.True(t, errors.As(err, &ne) && ne.Timeout(), "nothing is ever written: %v", err)

		// A MySQL client waits for the handshake until its context ends.
		db, err := sql.Open("mysql", "root@tcp("+addr+")/app")
		require.NoError(t, err)
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		err = db.PingContext(ctx)
		require.Error(t, err)
		require.GreaterOrEqual(t, time.Since(start), 250*time.Millisecond)
		require.Less(t, time.Since(start), 2*time.Second)
	})
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		_ = conn.Close()
	}
	require.Error(t, err, "the black hole is closed when its test ends")
}
