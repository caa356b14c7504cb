package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/shardsql/shardsql/route"
)

// Tx is a transaction on one data source. It begins on the data source of
// its first statement; a statement that needs another data source returns
// an error and leaves the transaction as it was.
type Tx struct {
	conn *Conn
	ctx  context.Context
	opts driver.TxOptions
	ds   string  // the data source the transaction is bound to, once bound
	tx   *sql.Tx // the shard transaction, once bound
}

var _ driver.Tx = (*Tx)(nil)

// Commit commits the shard transaction, if a statement started one.
func (t *Tx) Commit() error {
	t.conn.tx = nil
	if t.tx == nil {
		return nil
	}
	if err := t.tx.Commit(); err != nil {
		return fmt.Errorf("shardsql: commit on data source %s: %w", t.ds, err)
	}
	return nil
}

// Rollback rolls the shard transaction back, if a statement started one.
func (t *Tx) Rollback() error {
	t.conn.tx = nil
	if t.tx == nil {
		return nil
	}
	if err := t.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("shardsql: rollback on data source %s: %w", t.ds, err)
	}
	return nil
}

// bind returns the shard transaction for a plan, beginning it on the plan's
// data source at the transaction's first statement.
func (t *Tx) bind(p *route.Plan) (*sql.Tx, error) {
	sources := p.DataSources()
	if len(sources) > 1 || (t.ds != "" && sources[0] != t.ds) {
		bound := t.ds
		if bound == "" {
			bound = "none yet"
		}
		return nil, fmt.Errorf("shardsql: transaction would span data sources %s (bound to: %s) for %q; a transaction must stay on one data source: add a sharding-key condition or split the work into one transaction per data source",
			strings.Join(sources, ", "), bound, p.SQL)
	}
	if t.tx != nil {
		return t.tx, nil
	}
	db, err := t.conn.c.db(sources[0])
	if err != nil {
		return nil, err
	}
	tx, err := db.BeginTx(t.ctx, &sql.TxOptions{Isolation: sql.IsolationLevel(t.opts.Isolation), ReadOnly: t.opts.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("shardsql: begin on data source %s: %w", sources[0], err)
	}
	t.ds, t.tx = sources[0], tx
	return tx, nil
}
