package driver

import (
	"errors"
	"fmt"
)

// A protocol statement whose context had already ended is not sent.
//
// The hazard (found by TestXA13DeadlineCommit): a best-effort Commit whose
// deadline (or commit timeout) passed after the first data source's
// COMMIT sent the next one under the ended context; go-sql-driver answers
// with the context's error before writing anything, and the Commit
// reported "outcome unknown on ds1: the COMMIT was sent and its reply
// lost", then closed a healthy connection. Nothing was sent: ds1's work
// was certainly not committed, and its ROLLBACK (on the cleanup deadline)
// can still be sent on the same connection. So participant.send checks
// the context first and returns errNotSent, which the protocols read as
// an answer (answered): the fate is RolledBack and the connection stays
// usable. A context that ends between this check and the driver's own is
// still reported as unknown, which is never wrong.

// errNotSent marks a statement the transaction did not send because its
// context had ended.
var errNotSent = errors.New("not sent: the context had ended")

// notSent returns the error of a statement not sent because its context
// ended with err: it is errNotSent and err (errors.Is finds both).
func notSent(err error) error {
	return fmt.Errorf("%w (%w)", err, errNotSent)
}
