package seq

import "errors"

// Sentinel errors. The errors returned by this package wrap them with
// details on what happened and what to change; test for them with
// errors.Is.
var (
	// ErrClockBackward is returned by Snowflake.NextID when the clock is
	// further behind the last id's timestamp than WithMaxBackward allows.
	ErrClockBackward = errors.New("shardsql: seq: clock moved backward")

	// ErrLeaseLost is returned by Lease.Err, and by Snowflake.NextID for a
	// generator created WithLease, once the worker id lease was not renewed
	// in time, was taken over by another holder, or was closed.
	ErrLeaseLost = errors.New("shardsql: seq: worker id lease lost")

	// ErrNoWorkerID is returned by LeaseWorkerID when all 1024 worker ids of
	// the application are held by live leases.
	ErrNoWorkerID = errors.New("shardsql: seq: no free worker id")

	// ErrNoWorkerTable is returned by LeaseWorkerID when the table
	// shardsql_worker does not exist; create it with CreateWorkerTable.
	ErrNoWorkerTable = errors.New("shardsql: seq: worker table shardsql_worker does not exist")

	// ErrNoSequenceTable is returned by NewSegment and Segment.NextID when
	// the table shardsql_sequence does not exist; create it with
	// CreateSequenceTable.
	ErrNoSequenceTable = errors.New("shardsql: seq: sequence table shardsql_sequence does not exist")

	// ErrRangeTooLarge is returned by NextIDs when the consecutive ids
	// asked for cannot be handed out at once: more than one millisecond's
	// 4,096 for a Snowflake, more than a block for a Segment.
	ErrRangeTooLarge = errors.New("shardsql: seq: too many consecutive ids requested")
)
