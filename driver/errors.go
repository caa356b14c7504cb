package driver

import (
	"github.com/shardsql/shardsql/merge"
	"github.com/shardsql/shardsql/route"
)

// Errors users test for with errors.Is, re-exported so that nobody needs to
// import the planning or merging packages to check them.
var (
	// ErrUnsupported is wrapped by every error for a statement shardsql
	// cannot execute exactly: "shardsql: unsupported: <what> in <statement>".
	ErrUnsupported = route.ErrUnsupported
	// ErrTooLarge is wrapped by the error of a merge that would hold more
	// rows in memory than WithMaxMemoryRows allows.
	ErrTooLarge = merge.ErrTooLarge
	// ErrSchemaUnknown is wrapped, next to the planner's error (usually
	// ErrUnsupported), by the error of a statement that needed a fact of
	// the servers' schema shardsql could not learn (a sharded table
	// missing on its first node's server, a server that did not answer).
	// The driver tried to load the schema and plan the statement once
	// more before returning it.
	ErrSchemaUnknown = route.ErrSchemaUnknown
)
