package driver

import (
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"
)

// Hazard (review18d): a write over several nodes in a transaction takes a
// statement savepoint on each data source it reaches (statement_savepoint.go,
// key_move.go). MariaDB refuses SAVEPOINT (error 1178, "The storage engine
// for the table doesn't support SAVEPOINT") once the transaction has used a
// table of an engine without savepoints there — a read of mysql.user or
// mysql.db (Aria), as an admin tool's grant check does. One server runs the
// UPDATE without a savepoint; shardsql failed it with the savepoint's bare
// error, which named no construct and no way out. It is a refusal now
// (nothing of the statement stays: the data sources marked before are
// rolled back to the savepoint), saying what to do instead.

// savepointError is the error of the statement savepoint on data source
// ds: err, or a refusal when the server's engine cannot take one.
func savepointError(ds string, err error) error {
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == 1178 {
		return fmt.Errorf("%w: a write over several nodes in a transaction that used a table whose storage engine has no savepoints on data source %s (such as the mysql schema's Aria tables): shardsql makes the write all-or-nothing with a savepoint on each data source; read such tables outside the transaction, or write one node per statement (by sharding key): %w", ErrUnsupported, ds, err)
	}
	return fmt.Errorf("shardsql: savepoint on data source %s: %w", ds, err)
}
