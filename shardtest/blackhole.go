package shardtest

import (
	"net"
	"sync"
	"testing"
)

// BlackHole starts a TCP listener on 127.0.0.1 that accepts connections and
// never writes to them (nor reads from them), and returns its address,
// "127.0.0.1:PORT". A MySQL client pointed at it hangs waiting for the
// server's handshake, as it would on a server that is stuck or behind a
// network that drops packets: only the client's timeouts (a context
// deadline, or timeout= in the DSN) end the wait. A DSN for it is, for
// example, "root@tcp("+addr+")/app".
//
// The listener and every accepted connection are closed when the test and
// its subtests finish. BlackHole runs one goroutine, the accept loop, which
// ends then too.
func BlackHole(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("shardtest: BlackHole: %v", err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return // the listener is closed
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
		conns = nil
	})
	return ln.Addr().String()
}
