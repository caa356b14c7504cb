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
)
