package driver

import (
	"database/sql/driver"
	"errors"
	"io"
	"syscall"

	"github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/route"
)

// A parked connection (pin_park.go) is checked before its next statement
// as database/sql checks an idle one: go-sql-driver's ResetSession reads
// the socket once (a syscall), and a connection the server closed while
// it sat parked is dropped with nothing sent. A bounded read whose plan
// only reads (retryRead) skips that check and checks the answer instead:
// the statement is sent at once, and if the connection turns out to have
// been dead before it — the write fails, or the reply's first read finds
// the connection already ended or a goodbye packet (diedBeforeSent) —
// the statement runs again on a checked pin. Sending a read that never
// reached the server again changes nothing.
//
// Hazard: a statement that changes anything (a write, a named lock, a
// sequence's next value, a user variable, a file written by INTO OUTFILE,
// a stored function) may have run before its connection died: sent again
// it would run twice. Only a SELECT whose plan records no session use and
// nothing a primary alone may run (route.SessionUses zero: PrimaryOnly
// marks the writing functions, locks, INTO OUTFILE and user functions)
// skips the check; every other statement keeps it.
//
// Hazard: an answer that is an error of the statement's own (an unknown
// column, a lock wait timeout) means the connection was alive: it is
// returned as the statement's error, never retried. Only a failure that
// says the connection is gone (staleAnswer) is retried, once, and only when
// the statement's own context has not ended.
//
// Hazard: the connection can die while the statement runs — KILL
// CONNECTION from another session during a long read, a server shut
// down mid-read — and end exactly as a connection that died parked
// (MariaDB sends nothing either way: the socket just ends). Sent again,
// a statement an operator killed would silently run twice. So a dead
// connection is retried only when its failure proves it died before the
// statement reached the server (diedBeforeSent): the write failed
// (nothing was sent), or the reply's first read found the connection
// already closed or a goodbye packet the server sent unasked while it
// sat idle (cut_first_read.go). A kill or shutdown while the statement
// runs is its error.

// retryRead reports whether a bounded read of p may skip the liveness
// check of a parked connection and be sent again if the connection was
// dead.
func retryRead(p *route.Plan) bool {
	return p.Kind == route.KindSelect && p.Session == 0
}

// staleAnswer reports whether err, the failure of a statement sent on a
// connection that was not checked first, says the connection is dead (not
// when it died: diedBeforeSent): a write that failed (go-sql-driver's ErrBadConn:
// nothing was sent), the end of the connection where the reply was due
// (ErrInvalidConn, EOF, a reset), or the error packet a server sends as
// it closes a connection (shutdown, kill, idle timeout) read as the reply.
func staleAnswer(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1053, // ER_SERVER_SHUTDOWN
			1152, // ER_ABORTING_CONNECTION
			1927, // ER_CONNECTION_KILLED
			4031: // ER_CLIENT_INTERACTION_TIMEOUT
			return true
		}
	}
	return false
}

// diedBeforeSent reports whether err, a staleAnswer of a statement whose
// connection's socket is sock (nil: not dialed by shardsql), proves the
// connection died before the statement reached the server:
// go-sql-driver's ErrBadConn (it returns it only when nothing was
// written), or the reply's first read finding the connection already
// closed or a goodbye packet (cutConn.diedIdle). Without the socket
// nothing else proves it.
func diedBeforeSent(err error, sock *cutConn) bool {
	if errors.Is(err, driver.ErrBadConn) {
		return true
	}
	return sock != nil && sock.diedIdle()
}
