package driver

import (
	"context"
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCutFirstRead drives cutConn over a loopback TCP socket whose far end
// plays each way a server connection ends, and checks what the first read
// of the reply records: the end of the connection found at once after
// the command (closed while idle) and an error packet with sequence id 0
// (a goodbye sent unasked) prove the connection died before the command;
// a reply (sequence id 1, an error packet included: a kill's reply to the
// statement itself) or an end found only after waiting (a kill while the
// statement ran) do not, nor does an end found at once that the kernel
// shows came after the server took the command (killed just after it).
// A command that is not one plain packet (TLS, compression) reads no
// header. On a unix socket a server gone before the command fails its
// write.
func TestCutFirstRead(t *testing.T) {
	cmd := []byte{9, 0, 0, 0, 3, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1'}
	goodbye := []byte{5, 0, 0, 0, 0xff, 0x87, 0x07, '#', 'x'}
	reply := []byte{5, 0, 0, 1, 0xff, 0x87, 0x07, '#', 'x'}
	cases := []struct {
		name string
		// before runs on the server's end before the command is written;
		// after once the server has read it.
		before, after func(c net.Conn)
		write         []byte
		want          earlyKind
		eof           bool
		// late: the server reads the command and closes before the
		// client's first read attempt (a kill in that window)
		late bool
	}{
		{"closed while idle", func(c net.Conn) { _ = c.Close() }, nil, cmd, earlyClosed, true, false},
		{"goodbye while idle", func(c net.Conn) { _, _ = c.Write(goodbye) }, nil, cmd, earlyGoodbye, false, false},
		{"goodbye, not a plain command", func(c net.Conn) { _, _ = c.Write(goodbye) }, nil, append([]byte{0x17, 3, 3, 0, 9}, cmd...), earlyNone, false, false},
		{"killed while running", nil, func(c net.Conn) { _ = c.Close() }, cmd, earlyNone, true, false},
		{"error reply", nil, func(c net.Conn) { _, _ = c.Write(reply) }, cmd, earlyNone, false, false},
		{"killed just after the command", nil, nil, cmd, earlyNone, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			defer ln.Close()
			accepted := make(chan net.Conn, 1)
			go func() {
				s, err := ln.Accept()
				if err == nil {
					accepted <- s
				}
			}()
			nc, err := dialCut(context.Background(), "tcp", ln.Addr().String())
			require.NoError(t, err)
			cc := nc.(*cutConn)
			defer cc.Close()
			srv := <-accepted
			defer srv.Close()
			if c.before != nil {
				c.before(srv)
				// the client's socket has seen it before the command
				// goes: wait for it as a parked connection would have
				require.NoError(t, waitReadable(cc))
			}
			if c.after != nil {
				// the server reads the command and answers once the
				// client waits for the reply
				cc.onWait = func() {
					go func() {
						buf := make([]byte, len(c.write))
						if _, err := io.ReadFull(srv, buf); err == nil {
							c.after(srv)
						}
					}()
				}
			}
			_, _ = cc.Write(c.write)
			if c.late {
				buf := make([]byte, len(c.write))
				_, err := io.ReadFull(srv, buf)
				require.NoError(t, err)
				require.NoError(t, srv.Close())
				require.NoError(t, waitReadable(cc))
			}
			buf := make([]byte, 64)
			n, err := cc.Read(buf)
			if c.eof {
				assert.Equal(t, 0, n)
				assert.Error(t, err)
			} else {
				assert.NoError(t, err)
				assert.Positive(t, n)
			}
			assert.Equal(t, c.want, cc.early)
			assert.Equal(t, c.want != earlyNone, cc.diedIdle())
		})
	}
}

// waitReadable waits until c's socket has something to read (data or its
// end) without reading it.
func waitReadable(c *cutConn) error {
	return c.raw.Read(func(fd uintptr) bool { return pollReadable(fd) })
}

// TestCutFirstReadUnix: on a unix socket whose server closed while idle
// the command's write fails (go-sql-driver's ErrBadConn, nothing sent),
// and an end found at once after a write that went through is no proof.
func TestCutFirstReadUnix(t *testing.T) {
	path := t.TempDir() + "/s.sock"
	ln, err := net.Listen("unix", path)
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		s, err := ln.Accept()
		if err == nil {
			accepted <- s
		}
	}()
	nc, err := dialCut(context.Background(), "unix", path)
	require.NoError(t, err)
	cc := nc.(*cutConn)
	defer cc.Close()
	srv := <-accepted
	require.NoError(t, srv.Close())
	require.NoError(t, waitReadable(cc))
	_, err = cc.Write([]byte{9, 0, 0, 0, 3, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1'})
	if err == nil {
		n, rerr := cc.Read(make([]byte, 64))
		assert.Equal(t, 0, n)
		assert.Error(t, rerr)
		assert.False(t, cc.diedIdle(), "an end after a write that went through proves nothing on a unix socket")
	}
}
