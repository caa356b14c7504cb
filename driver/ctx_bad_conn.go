package driver

import (
	"context"
	"database/sql/driver"
	"errors"
)

// ctxBadConn returns the context's error for a statement whose context
// ended and whose connection failed with nothing sent (driver.ErrBadConn),
// else err.
//
// The hazard (found by TestReview12CancelStress): go-sql-driver dials a
// connection under the context of the statement that needed it and
// watches that context through the handshake; when the context ends just
// as the handshake finishes, its watcher wins finish()'s race and closes
// the connection, and Connect still returns it, without error. A statement
// through database/sql's own pool retries driver.ErrBadConn and then sees
// the context's end; a pin (a *sql.Conn held by the session) does not
// retry, so its first statement answered "driver: bad connection" where
// one server's driver answers "context deadline exceeded" (a caller
// telling timeouts from broken servers by errors.Is got it wrong).
// go-sql-driver's connection closed by its watcher stays marked as watched,
// so its next statement answers driver.ErrBadConn without looking at the
// context. ErrBadConn promises nothing was sent, so the context's error is
// exact.
func ctxBadConn(ctx context.Context, err error) error {
	if err != nil && errors.Is(err, driver.ErrBadConn) {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
	}
	return err
}
