package driver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"
)

// newPipeNode is a nodeConn whose socket is one end of a pipe.
func newPipeNode(t *testing.T) (*nodeConn, *cutConn) {
	a, b := net.Pipe()
	t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
	sock := &cutConn{Conn: a}
	sock.cutFn = sock.close
	return &nodeConn{sock: sock}, sock
}

// TestCutWatchEnd: the watch of a statement's context (cut_conn.go) gives
// go-sql-driver a context it does not watch, cuts the socket when the
// context ends before the statement's answer is read and reports the
// context's error then, keeps an answer read whole or the server's own
// error, and leaves the socket alone once ended.
func TestCutWatchEnd(t *testing.T) {
	bg := context.Background()

	t.Run("ended before the context", func(t *testing.T) {
		nc, sock := newPipeNode(t)
		ctx, cancel := context.WithCancel(bg)
		qctx, w := watchCut(ctx, nc)
		require.Nil(t, qctx.Done(), "go-sql-driver gets a context without Done: no watcher")
		require.NoError(t, w.end(nil))
		cancel()
		time.Sleep(20 * time.Millisecond)
		require.False(t, sock.isCut(), "a context ending after the statement leaves the connection")
		require.True(t, nc.IsValid())
	})

	t.Run("context ends mid-statement", func(t *testing.T) {
		nc, sock := newPipeNode(t)
		ctx, cancel := context.WithCancel(bg)
		_, w := watchCut(ctx, nc)
		cancel()
		require.Eventually(t, sock.isCut, time.Second, time.Millisecond)
		_, err := sock.Read(make([]byte, 1))
		require.ErrorIs(t, err, errSocketCut)
		require.ErrorIs(t, w.end(mysql.ErrInvalidConn), context.Canceled)
		require.False(t, nc.IsValid(), "a cut connection is not reused")
		require.Error(t, nc.ResetSession(bg))
	})

	t.Run("deadline", func(t *testing.T) {
		nc, sock := newPipeNode(t)
		ctx, cancel := context.WithTimeout(bg, 10*time.Millisecond)
		defer cancel()
		_, w := watchCut(ctx, nc)
		require.Eventually(t, sock.isCut, time.Second, time.Millisecond)
		require.ErrorIs(t, w.end(fmt.Errorf("write: %w", errSocketCut)), context.DeadlineExceeded)
	})

	t.Run("answer read before the cut", func(t *testing.T) {
		nc, sock := newPipeNode(t)
		ctx, cancel := context.WithCancel(bg)
		_, w := watchCut(ctx, nc)
		cancel()
		require.Eventually(t, sock.isCut, time.Second, time.Millisecond)
		require.NoError(t, w.end(nil), "the answer stands")
		require.False(t, nc.IsValid())
	})

	t.Run("the cut's goroutine runs late", func(t *testing.T) {
		// AfterFunc runs the cut in a goroutine of its own; under load it
		// may run after the statement returned. The connection must be
		// dead before end returns, or the pool hands it to a statement
		// whose context never ended and the late cut kills that one.
		nc, sock := newPipeNode(t)
		late := make(chan struct{})
		ran := make(chan struct{})
		sock.cutFn = func() { <-late; sock.close(); close(ran) }
		ctx, cancel := context.WithCancel(bg)
		_, w := watchCut(ctx, nc)
		cancel()
		require.NoError(t, w.end(nil), "the answer stands")
		require.True(t, sock.isCut(), "end cut the socket itself")
		require.False(t, nc.IsValid(), "a connection its context ended on is not reused")
		require.Error(t, nc.ResetSession(bg))
		close(late)
		<-ran
	})

	t.Run("server error kept", func(t *testing.T) {
		nc, sock := newPipeNode(t)
		ctx, cancel := context.WithCancel(bg)
		_, w := watchCut(ctx, nc)
		cancel()
		require.Eventually(t, sock.isCut, time.Second, time.Millisecond)
		se := &mysql.MySQLError{Number: 1062, Message: "Duplicate entry"}
		var got *mysql.MySQLError
		require.True(t, errors.As(w.end(se), &got))
		require.Equal(t, uint16(1062), got.Number)
	})

	t.Run("not watched", func(t *testing.T) {
		nc, _ := newPipeNode(t)
		done, cancel := context.WithCancel(bg)
		cancel()
		for name, c := range map[string]struct {
			ctx context.Context
			dc  any
		}{
			"background":     {bg, nc},
			"already done":   {done, nc},
			"not dialed":     {done, &nodeConn{}},
			"other wrappers": {bg, struct{}{}},
		} {
			qctx, w := watchCut(c.ctx, c.dc)
			require.Equal(t, c.ctx, qctx, name)
			require.Nil(t, w.stop, name)
			require.ErrorIs(t, w.end(mysql.ErrInvalidConn), mysql.ErrInvalidConn, name)
		}
	})
}

// captured is a go-sql-driver logger that keeps its lines.
type captured struct{ lines []string }

func (c *captured) Print(v ...any) { c.lines = append(c.lines, fmt.Sprint(v...)) }

// TestQuietCut: a cut socket's failed read or write is not logged (go-sql-
// driver's own cancel logs nothing); other lines pass.
func TestQuietCut(t *testing.T) {
	var c captured
	q := quietCut{next: &c}
	q.Print("packets.go:58 ", fmt.Errorf("read: %w", errSocketCut))
	q.Print("packets.go:58 ", errors.New("read tcp: connection reset by peer"))
	require.Equal(t, []string{"packets.go:58 read tcp: connection reset by peer"}, c.lines)
}
