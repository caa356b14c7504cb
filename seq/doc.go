// Package seq hands out globally unique int64 ids for the keys of sharded
// tables, which cannot use AUTO_INCREMENT.
//
// Two generators are provided; both implement Generator and so can be used
// as a shard.Table's KeyGenerator:
//
//   - Snowflake builds ids from the time, a worker id and a sequence, with no
//     I/O at all. Ids are roughly time-ordered across processes and strictly
//     increasing within one generator. Every process generating ids for the
//     same tables needs its own worker id; LeaseWorkerID hands them out from a
//     table on a MySQL or MariaDB server so that two live processes never
//     share one.
//   - Segment reserves blocks of consecutive ids from a row in a table on a
//     MySQL or MariaDB server (like Vitess sequences and Meituan Leaf
//     segments) and hands them out from memory. Ids are small and dense, and
//     increasing within a process.
//
// # Snowflake layout
//
// An id is a positive int64:
//
//	 1 bit   0 (sign)
//	41 bits  milliseconds since the epoch (default 2024-01-01 UTC; ~69 years)
//	10 bits  worker id, 0..1023
//	12 bits  sequence, 0..4095
//
// A generator hands out at most 4,096 ids per millisecond (about 4.1 million
// a second); when a millisecond's ids are used up, NextID waits for the next
// millisecond. The sequence does not restart at 0 every millisecond: a new
// millisecond continues from the previous id's sequence, plus a skip of 0
// to 7 derived from the millisecond, so that ids generated at low rates
// still spread evenly over id % n. (A restart at 0 would make every such id
// even and put all rows on half the nodes of a Mod-sharded table; the skip
// keeps a steady rate from cycling through a few residues of moduli such as
// 5 or 10.)
//
// When the clock steps back, NextID waits for it to catch up if the step is
// within WithMaxBackward (default 10 ms) and fails with ErrClockBackward
// otherwise; it never returns an id twice.
//
// # Consecutive ranges
//
// Both generators implement RangeGenerator: NextIDs(n) reserves n
// consecutive ids for one multi-row INSERT, so that the rows' ids are
// LastInsertId, LastInsertId+1, …, as ORMs assume of AUTO_INCREMENT
// (gorm's CreateInBatches and ent's CreateBulk number the rows from it).
// A Snowflake range lies within one millisecond (n at most 4,096; NextIDs
// waits for the next millisecond when the rest of this one is too short);
// a Segment range lies within one block (n at most the step; the rest of a
// block too short for it is skipped). A larger n fails with
// ErrRangeTooLarge.
//
// # Tables
//
// CreateWorkerTable and CreateSequenceTable create the tables the leases and
// segments use (shardsql_worker and shardsql_sequence). Run them once, for
// example at deployment; both are idempotent. Expiry of leases is measured
// with the database server's UTC clock, so the clocks of the processes do not
// matter for who holds a worker id.
//
// Errors returned by this package start with "shardsql: seq: " and wrap the
// sentinel errors ErrClockBackward, ErrLeaseLost, ErrNoWorkerID,
// ErrNoWorkerTable and ErrNoSequenceTable where they apply; test for them
// with errors.Is.
package seq
