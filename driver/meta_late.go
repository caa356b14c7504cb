package driver

// Column types captured late (perf17).
//
// A bounded read inside Raw (rows_raw.go) used to capture every column's
// type while go-sql-driver's rows were open (captureMeta: five interface
// assertions and five calls per column, 0.15–0.8 µs of a point select in
// place), although database/sql asks a driver's rows for them only when
// the caller calls ColumnTypes — which most callers never do. A one-unit
// statement's read (bindRaw sets rawQuery.lateMeta) on a connection of
// shardsql's own pools (a nodeConn: go-sql-driver) now keeps the closed
// driver rows instead (metaFrom, on the rawQuery, then the cursor, then
// the Rows), and Rows.typeOf captures the types from them the first time
// a ColumnType method asks, into the same buffer (meta) read would have
// filled.
//
// The hazards, and how each is kept:
//   - Asking closed rows. database/sql never asks a driver's rows anything
//     after Close, and another driver may answer nothing then; so only
//     go-sql-driver's rows on a nodeConn are kept (rawQuery.ownBoxes, the
//     same proof rebox.go relies on), whose ColumnType methods (v1.10.1,
//     rows.go) read only the result's own []mysqlField (rows.rs.columns),
//     never the connection, and Close leaves that slice as it is.
//   - The next result overwriting the types. The connection runs later
//     statements at once (the bounded rows hold no connection). Each
//     result's columns are a slice readColumns makes for it (text and
//     binary protocol alike; a prepared statement's old columns lend only
//     their name strings), never written after it is read, so the next
//     result on the same connection cannot change a kept one's answers.
//     TestLateMetaAfterNextStatement reads a second statement of other
//     column types on the same pin before asking the first's types.
//   - Two callers at once. database/sql calls a driver's rows' ColumnType
//     methods under the driver connection's lock (sql.Rows.ColumnTypes:
//     rs.dc.Lock), as it calls Next: the capture, a write of meta, runs
//     alone, once (metaFrom is nil after it).
//   - Retained memory. The kept rows hold the result's column
//     descriptions (made per result anyway) and, once closed without
//     error, no connection (go-sql-driver's Close sets rows.mc nil); only
//     a read that succeeded, its Close included, is kept (readBounded,
//     readWhole load the cursor only then). Rows.Close's recycle clears
//     the reference with the rest of the pooled struct; rawQuery.reset
//     clears the Conn's.
//   - Other reads keep capturing at once: a scatter's windows
//     (rows_raw_scatter.go) and anything not on a nodeConn (pools given
//     with Topology.AddDB) capture inside Raw as before, since the merge
//     and executor read their meta directly.

// captureLate captures the column types of rows read whole inside Raw
// from the driver rows read kept (see above), once.
func (r *Rows) captureLate() {
	captureMeta(r.metaFrom, r.meta)
	r.metaFrom = nil
}
