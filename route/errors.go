package route

import (
	"fmt"

	"github.com/shardsql/shardsql/merge"
)

// ErrUnsupported is wrapped by every error for a statement shardsql cannot
// execute exactly; test for it with errors.Is.
// It is merge's error: merges refuse at run time what only the node
// results' types reveal, and one errors.Is test finds both.
var ErrUnsupported = merge.ErrUnsupported

// maxQuoted bounds how much of a statement an error message quotes.
const maxQuoted = 200

// unsupported returns "shardsql: unsupported: <what> in <statement>".
func unsupported(sql, format string, a ...any) error {
	return fmt.Errorf("%w: %s in %q", ErrUnsupported, fmt.Sprintf(format, a...), quote(sql))
}

func quote(sql string) string {
	if len(sql) <= maxQuoted {
		return sql
	}
	return sql[:maxQuoted] + "…"
}
