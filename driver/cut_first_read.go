package driver

import (
	"io"
	"os"
	"syscall"
)

// What the first read of a reply tells about when its connection died
// (stale_read.go).
//
// A bounded read sent on a parked connection without the liveness check
// may run again when its connection turns out dead — but only when the
// connection died before the statement reached the server. A connection
// killed (KILL CONNECTION, server shutdown) while the statement runs ends
// the same way to go-sql-driver: MariaDB 10.11 sends nothing on KILL
// CONNECTION or SHUTDOWN, idle or mid-statement — the socket just
// reaches its end (EOF) where the reply was due — and go-sql-driver
// answers ErrInvalidConn either way. Sent again, the statement an
// operator killed would silently run a second time.
//
// cutConn tells the two apart from the socket's side, at no cost on the
// ordinary path: the first read after a command was written is made on
// the descriptor itself (RawConn.Read, a non-blocking read that waits in
// the poller only if nothing is there, as net.Conn's Read does — the same
// one syscall), and records
//   - earlyClosed: that very first attempt, without waiting, found the
//     end of the connection or a reset, and on TCP the kernel says the
//     command met a closed socket (endedBeforeSent: a reset answered it,
//     cut_first_read_linux.go). The server closed the connection while
//     it sat parked (an idle KILL, wait_timeout — MariaDB resets the
//     connection then, the read says ECONNRESET — a shutdown). A
//     connection killed while the statement runs is found waiting first,
//     or, killed just after the command arrived, acknowledged it: never
//     earlyClosed. A unix socket is never earlyClosed: its write fails
//     when the server is gone (ErrBadConn, nothing sent).
//   - earlyGoodbye: the first packet is an error packet with sequence id
//     0. A reply to a command starts at sequence id 1; a packet numbered
//     0 is one the server sent unasked, while the connection sat idle
//     (MySQL 8's ER_CLIENT_INTERACTION_TIMEOUT at wait_timeout).
//     go-sql-driver accepts an error packet with a wrong sequence id, so
//     only the socket can tell. The bytes are read as a packet header only
//     when the command written was one plain packet with sequence id 0
//     (cmd): under TLS or compression they are not (a TLS record or a
//     compressed header never has that shape), and nothing is recorded.
//
// Hazard left: off Linux the kernel's TCP state is not read, and a kill
// landing between the write of the command and the first read attempt
// would be taken for a death before it.
//
// Only the goroutine running a statement reads and writes the socket, so
// the fields need no lock.

// earlyKind is what the first read of a reply found (firstRead).
type earlyKind uint8

const (
	earlyNone    earlyKind = iota // an answer, or a wait first: the statement may have run
	earlyClosed                   // the end of the connection at once: closed before the reply was awaited
	earlyGoodbye                  // an error packet with sequence id 0: sent unasked while idle
)

// noteWrite records a write: the next read is a reply's first. cmd is
// whether the first write of the exchange is one plain protocol packet
// with sequence id 0 (a command).
func (c *cutConn) noteWrite(p []byte) {
	if c.wrote {
		return
	}
	c.wrote = true
	c.cmd = len(p) >= 5 && p[3] == 0 && int(p[0])|int(p[1])<<8|int(p[2])<<16 == len(p)-4
}

// firstReadState is what one firstRead's attempts leave for it: the
// buffer, what the last read returned, how many attempts were made, and
// whether the kernel proved an early end.
type firstReadState struct {
	p      []byte
	n      int
	err    error
	tries  int
	proven bool
}

// firstRead is the first read of a reply (see above).
func (c *cutConn) firstRead(p []byte) (int, error) {
	c.wrote = false
	c.early = earlyNone
	if c.raw == nil || len(p) == 0 {
		return c.Conn.Read(p)
	}
	c.fr = firstReadState{p: p}
	err := c.raw.Read(c.frFn)
	n, rerr, proven := c.fr.n, c.fr.err, c.fr.proven
	c.fr = firstReadState{} // keep no reference to the caller's buffer
	if n < 0 {
		n = 0
	}
	switch {
	case err != nil: // a deadline, or the socket closed under the read (a cut)
		if c.cut.Load() {
			return 0, errSocketCut
		}
		return 0, err
	case rerr != nil:
		if proven {
			c.early = earlyClosed
		}
		return 0, os.NewSyscallError("read", rerr)
	case n == 0:
		if proven {
			c.early = earlyClosed
		}
		return 0, io.EOF
	}
	if c.cmd && n >= 5 && p[3] == 0 && p[4] == 0xff {
		c.early = earlyGoodbye
	}
	if !c.hsDone {
		c.sniff(p[:n])
	}
	return n, nil
}

// firstReadAttempt is one attempt of firstRead on the descriptor, as
// RawConn.Read calls it: false (nothing there yet) makes it wait in the
// poller and call again.
func (c *cutConn) firstReadAttempt(fd uintptr) bool {
	f := &c.fr
	f.tries++
	for {
		f.n, f.err = syscall.Read(int(fd), f.p)
		if f.err != syscall.EINTR {
			break
		}
	}
	if f.err == syscall.EAGAIN {
		if f.tries == 1 && c.onWait != nil {
			c.onWait()
		}
		return false
	}
	if f.tries == 1 && (f.err != nil || f.n == 0) {
		// the end at once: proven only on TCP, by the kernel
		// (a unix socket's write fails when its peer is gone)
		f.proven = c.tcp && endedBeforeSent(fd)
	}
	return true
}

// tells reports whether the first read of c's replies can tell a
// connection that died idle (c is not nil — shardsql dialed it — its
// descriptor is known, and its last command was one plain packet, not
// TLS or compressed). A bounded read skips the liveness check only then:
// elsewhere no failure would prove it may run again, and a connection
// that died parked would fail the caller's statement.
func (c *cutConn) tells() bool { return c != nil && c.raw != nil && c.cmd }

// diedIdle reports whether the last reply's first read proved its
// connection dead before the command reached the server (earlyClosed,
// earlyGoodbye).
func (c *cutConn) diedIdle() bool { return c.early != earlyNone }
