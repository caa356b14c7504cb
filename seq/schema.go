package seq

import (
	"context"
	"database/sql"
	"fmt"
)

// Table names. They are fixed so that every process finds the same rows.
const (
	workerTable   = "shardsql_worker"
	sequenceTable = "shardsql_sequence"
)

// maxNameLen is the longest application or sequence name, in characters.
const maxNameLen = 128

const createWorkerTable = `CREATE TABLE IF NOT EXISTS shardsql_worker (
	app        VARCHAR(128) NOT NULL,
	worker_id  SMALLINT     NOT NULL,
	holder     CHAR(32)     NOT NULL,
	owner      VARCHAR(255) NOT NULL,
	leased_at  DATETIME(6)  NOT NULL,
	expires_at DATETIME(6)  NOT NULL,
	PRIMARY KEY (app, worker_id)
) ENGINE=InnoDB`

const createSequenceTable = `CREATE TABLE IF NOT EXISTS shardsql_sequence (
	name    VARCHAR(128) NOT NULL PRIMARY KEY,
	next_id BIGINT       NOT NULL,
	step    INT          NOT NULL
) ENGINE=InnoDB`

// CreateWorkerTable creates the table LeaseWorkerID keeps worker id leases
// in, if it does not exist yet:
//
//	CREATE TABLE IF NOT EXISTS shardsql_worker (
//		app        VARCHAR(128) NOT NULL,  -- LeaseWorkerID's app
//		worker_id  SMALLINT     NOT NULL,  -- 0..1023
//		holder     CHAR(32)     NOT NULL,  -- random token of the lease
//		owner      VARCHAR(255) NOT NULL,  -- host:pid, for people
//		leased_at  DATETIME(6)  NOT NULL,  -- UTC (released: its ids' last ms)
//		expires_at DATETIME(6)  NOT NULL,  -- UTC, by the server's clock
//		PRIMARY KEY (app, worker_id)
//	) ENGINE=InnoDB
//
// All processes that lease worker ids for the same tables must use the same
// database.
func CreateWorkerTable(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, createWorkerTable); err != nil {
		return fmt.Errorf("shardsql: seq: create table %s: %w", workerTable, err)
	}
	return nil
}

// CreateSequenceTable creates the table Segment reserves blocks of ids
// from, if it does not exist yet:
//
//	CREATE TABLE IF NOT EXISTS shardsql_sequence (
//		name    VARCHAR(128) NOT NULL PRIMARY KEY,  -- NewSegment's name
//		next_id BIGINT       NOT NULL,              -- first id not yet reserved
//		step    INT          NOT NULL               -- block size for clients without WithStep
//	) ENGINE=InnoDB
//
// All processes that share a sequence must use the same database.
func CreateSequenceTable(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, createSequenceTable); err != nil {
		return fmt.Errorf("shardsql: seq: create table %s: %w", sequenceTable, err)
	}
	return nil
}

// missingTable reports whether table is known not to exist in db's current
// database. It is asked after a statement on the table failed, to tell a
// missing table from other failures without depending on a driver's error
// codes; if the question itself fails it reports false.
func missingTable(ctx context.Context, db *sql.DB, table string) bool {
	var n int
	err := db.QueryRowContext(ctx,
		"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
		table).Scan(&n)
	return err == nil && n == 0
}
