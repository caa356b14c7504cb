package driver

import (
	"database/sql/driver"

	"github.com/shardsql/shardsql/route"
)

// oneUnitInline is how many columns a one-unit statement's scan buffers
// hold without an allocation of their own (a point select reads a few).
const oneUnitInline = 4

// oneUnit is everything the rows of a statement that reaches one node
// need, in one allocation: the rows, their executor, the unit's cursor and
// its pin source, the cursor list the query modes fill, and the scan
// buffers for a row of up to oneUnitInline columns. A point select is the
// most frequent statement, and each of these was an allocation of its own.
//
// The hazard: the parts point at each other (the rows at the executor, the
// executor at the cursor list, the cursor at its source and buffers), so
// the struct must never be copied once built — it is only ever used
// through the pointer Conn.query allocates, and it lives as long as the
// rows database/sql holds.
type oneUnit struct {
	rows  Rows
	ex    planExec
	units [1]*unitCursor
	cur   unitCursor
	src   pinSource
	scan  [2 * oneUnitInline]any
	// held, vals and meta hold a bounded statement's row, its values (and
	// room to see the end) and column types when it is read inside Raw
	// (rows_raw.go).
	held [1][]driver.Value
	vals [2 * oneUnitInline]driver.Value
	meta [oneUnitInline]colMeta
	// args holds the statement's arguments (Conn.queryOne routes with
	// them before it knows the plan: a scatter's plan keeps them here too).
	args [oneUnitInline]any
	// plan holds the plan of a cached point statement (route.PlanStore),
	// which lives as long as these rows.
	plan route.PlanStore
}
