package driver

import (
	"context"
	"errors"
	"fmt"
)

// A participant's connection that fails during the transaction (killed
// by another session, closed by the server's idle_transaction_timeout or
// wait_timeout, cut mid-statement) takes the data source's part of the
// transaction with it: the server rolls it back when it sees the
// connection end, and shardsql closes a broken connection at the end.
//
// The hazard (review19e, TestAttack19eIdleTransactionTimeout): the
// transaction's next statement on that data source failed with a plain
// "driver: bad connection", and statements on the other data sources ran
// on as if nothing had happened, taking writes and locks certain to be
// rolled back; only Commit said so. One MariaDB through go-sql-driver
// fails every statement of a transaction whose connection died. So once
// a participant is broken, every statement of the transaction is refused
// with an error saying the transaction can only be rolled back, and the
// failing statement's own error says it too. The outcome was already
// exact (Commit rolls every data source back); this makes it clear.

// lost is the error of a statement of a transaction whose participant p
// is broken; err, when not nil, is the failure that broke it. Never
// driver.ErrBadConn: database/sql would run the statement again.
func (t *Tx) lost(p *participant, err error) error {
	msg := fmt.Sprintf("shardsql: the transaction's part on data source %s is lost (its connection failed, or a statement ran there out of step with the other data sources; its server rolls it back): the transaction can only be rolled back; roll it back and run it again", p.ds)
	if err == nil {
		return errors.New(msg)
	}
	return noRetry(fmt.Errorf("%s: %w", msg, err))
}

// brokenPart returns a participant whose connection failed, or nil.
func (t *Tx) brokenPart() *participant {
	for _, p := range t.parts {
		if p.broken {
			return p
		}
	}
	return nil
}

// statementFailed returns the error of a caller's statement that failed
// on p with err: a failure that broke p's connection says what that
// means for the transaction, unless the statement's own context ended
// (its error is then the context's, as one server's driver reports it).
func (p *participant) statementFailed(ctx context.Context, err error) error {
	if !p.broken || p.tx == nil || ctx.Err() != nil {
		return err
	}
	return p.tx.lost(p, err)
}
