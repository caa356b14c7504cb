package driver

import (
	"context"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"
)

// TestConnWatchKept: a Conn's statements under one context share one
// AfterFunc registration (cut_keep.go) — no allocation, no registration
// per statement once the context repeats — which still cuts the socket of
// the statement in flight when the context ends, cuts nothing between
// statements or on another context's statement, and is stopped at once
// for a context seen once.
func TestConnWatchKept(t *testing.T) {
	bg := context.Background()
	statement := func(t *testing.T, cw *connWatch, ctx context.Context, nc *nodeConn) {
		t.Helper()
		qctx, w := cw.watch(ctx, nc)
		require.Nil(t, qctx.Done(), "go-sql-driver gets a context without Done")
		require.NoError(t, w.end(nil))
	}

	t.Run("one registration for a context's statements", func(t *testing.T) {
		nc, sock := newPipeNode(t)
		var cw connWatch
		ctx, cancel := context.WithCancel(bg)
		defer cancel()
		statement(t, &cw, ctx, nc)
		require.Nil(t, cw.ctx, "a context seen once is not kept")
		statement(t, &cw, ctx, nc)
		require.Equal(t, ctx, cw.ctx, "kept once the context repeats")
		allocs := testing.AllocsPerRun(200, func() {
			_, w := cw.watch(ctx, nc)
			_ = w.end(nil)
		})
		require.Zero(t, allocs, "no registration per statement")
		require.False(t, sock.isCut())
		require.True(t, nc.IsValid())
	})

	t.Run("context ends mid-statement under a kept registration", func(t *testing.T) {
		nc, sock := newPipeNode(t)
		var cw connWatch
		ctx, cancel := context.WithCancel(bg)
		statement(t, &cw, ctx, nc)
		statement(t, &cw, ctx, nc)
		_, w := cw.watch(ctx, nc)
		cancel()
		require.Eventually(t, sock.isCut, time.Second, time.Millisecond)
		require.ErrorIs(t, w.end(mysql.ErrInvalidConn), context.Canceled)
		require.False(t, nc.IsValid(), "a cut connection is not reused")
		require.Nil(t, cw.ctx, "an ended context's registration is dropped")
	})

	t.Run("context ends between statements", func(t *testing.T) {
		nc, sock := newPipeNode(t)
		var cw connWatch
		ctx, cancel := context.WithCancel(bg)
		statement(t, &cw, ctx, nc)
		statement(t, &cw, ctx, nc)
		cancel()
		time.Sleep(20 * time.Millisecond)
		require.False(t, sock.isCut(), "no statement in flight: nothing cut")
		require.True(t, nc.IsValid())
		qctx, w := cw.watch(ctx, nc)
		require.Equal(t, ctx, qctx, "an ended context goes to go-sql-driver, which sends nothing")
		require.ErrorIs(t, w.end(mysql.ErrInvalidConn), mysql.ErrInvalidConn)
		// The Conn's next context registers anew.
		ctx2, cancel2 := context.WithCancel(bg)
		statement(t, &cw, ctx2, nc)
		statement(t, &cw, ctx2, nc)
		require.Equal(t, ctx2, cw.ctx)
		_, w = cw.watch(ctx2, nc)
		cancel2()
		require.Eventually(t, sock.isCut, time.Second, time.Millisecond)
		require.ErrorIs(t, w.end(mysql.ErrInvalidConn), context.Canceled)
	})

	t.Run("another context's statement is not cut", func(t *testing.T) {
		nc, sock := newPipeNode(t)
		nc2, sock2 := newPipeNode(t)
		var cw connWatch
		ctxA, cancelA := context.WithCancel(bg)
		statement(t, &cw, ctxA, nc)
		statement(t, &cw, ctxA, nc)
		require.Equal(t, ctxA, cw.ctx)
		ctxB, cancelB := context.WithCancel(bg)
		defer cancelB()
		_, w := cw.watch(ctxB, nc2)
		cancelA()
		time.Sleep(20 * time.Millisecond)
		require.False(t, sock2.isCut(), "the ended context was not the statement's")
		require.False(t, sock.isCut())
		require.NoError(t, w.end(nil))
		require.True(t, nc2.IsValid())
	})

	t.Run("the cut's goroutine runs late", func(t *testing.T) {
		nc, sock := newPipeNode(t)
		late := make(chan struct{})
		ran := make(chan struct{})
		sock.cutFn = func() { <-late; sock.close(); close(ran) }
		var cw connWatch
		ctx, cancel := context.WithCancel(bg)
		statement(t, &cw, ctx, nc)
		statement(t, &cw, ctx, nc)
		_, w := cw.watch(ctx, nc)
		cancel()
		require.Eventually(t, func() bool { return cw.slot.cur.Load() == nil }, time.Second, time.Millisecond, "the callback took the socket")
		require.NoError(t, w.end(nil), "the answer stands")
		require.True(t, sock.isCut(), "end cut the socket itself")
		require.False(t, nc.IsValid())
		close(late)
		<-ran
	})

	t.Run("the context ends before the slot is filled", func(t *testing.T) {
		// begin with a context that ended after the caller checked it:
		// either go-sql-driver gets the ended context (nothing sent), or
		// the callback took the socket and the statement fails with the
		// context's error — never a statement run uncut.
		sawCtx, sawCut := 0, 0
		for range 200 {
			nc, sock := newPipeNode(t)
			var cw connWatch
			ctx, cancel := context.WithCancel(bg)
			cancel()
			qctx, w := cw.begin(ctx, nc.sock)
			if qctx.Done() != nil {
				sawCtx++
				require.ErrorIs(t, w.end(context.Canceled), context.Canceled)
				time.Sleep(time.Millisecond)
				require.False(t, sock.isCut())
				continue
			}
			sawCut++
			require.ErrorIs(t, w.end(mysql.ErrInvalidConn), context.Canceled)
			require.True(t, sock.isCut())
		}
		t.Logf("ended context handed on %d times, socket cut %d times", sawCtx, sawCut)
	})

	t.Run("close stops the registration", func(t *testing.T) {
		nc, sock := newPipeNode(t)
		var cw connWatch
		ctx, cancel := context.WithCancel(bg)
		statement(t, &cw, ctx, nc)
		statement(t, &cw, ctx, nc)
		cw.close()
		require.Nil(t, cw.ctx)
		require.Nil(t, cw.last)
		cancel()
		time.Sleep(10 * time.Millisecond)
		require.False(t, sock.isCut())
	})
}
