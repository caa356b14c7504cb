package shard

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNoNode is wrapped by the error NodeFor returns when no node of the table
// holds the value, such as a time outside the period of every node of an
// Interval table. The error names the value and, when the algorithm can tell,
// the physical table that would hold it, e.g. "no node holds 2027-01-05
// 00:00:00; add a node for table t_log_202701". Test for it with errors.Is.
var ErrNoNode = errors.New("shardsql: no node holds the sharding value; add a node that does")

// noNodeError is an algorithm's error for a value no node holds; it wraps
// ErrNoNode.
type noNodeError struct {
	alg   string // algorithm name
	value string // the value as text
	table string // the physical table that would hold it; "" if unknown
}

// Error implements error.
func (e *noNodeError) Error() string {
	if e.table == "" {
		return fmt.Sprintf("shardsql: %s: no node holds %s; add a node that does", e.alg, e.value)
	}
	return fmt.Sprintf("shardsql: %s: no node holds %s; add a node for table %s (Topology.AddNodes)", e.alg, e.value, e.table)
}

// Unwrap returns ErrNoNode.
func (e *noNodeError) Unwrap() error { return ErrNoNode }

// ValueError reports a sharding value that an algorithm cannot use, such as a
// NULL or a value of an unsupported type. Algorithms return it (possibly
// wrapped); use errors.As to inspect it.
type ValueError struct {
	// Algorithm is the name of the algorithm that rejected the value.
	Algorithm string
	// Null reports whether the value was NULL (a nil interface).
	Null bool
	// Type is the Go type of the value, as printed by %T; empty when Null.
	Type string
	// Hint says what to change, e.g. "use an integer or a string".
	Hint string
}

// Error implements error.
func (e *ValueError) Error() string {
	if e.Null {
		return fmt.Sprintf("shardsql: %s: cannot shard NULL", e.Algorithm)
	}
	if e.Hint == "" {
		return fmt.Sprintf("shardsql: %s: cannot shard a value of type %s", e.Algorithm, e.Type)
	}
	return fmt.Sprintf("shardsql: %s: cannot shard a value of type %s; %s", e.Algorithm, e.Type, e.Hint)
}

// newValueError builds a ValueError for value v rejected by algorithm alg.
func newValueError(alg string, v any, hint string) *ValueError {
	if v == nil {
		return &ValueError{Algorithm: alg, Null: true}
	}
	return &ValueError{Algorithm: alg, Type: fmt.Sprintf("%T", v), Hint: hint}
}

// checkNodeCount rejects a non-positive node count.
func checkNodeCount(alg string, n int) error {
	if n <= 0 {
		return fmt.Errorf("shardsql: %s: node count must be positive, got %d", alg, n)
	}
	return nil
}

// exprError is a malformed node expression. Its text has no "shardsql: "
// prefix so that callers can add their own context; ExpandNodes and
// Topology.AddTable both wrap it in an error that starts with the prefix.
type exprError struct {
	expr string
	msg  string
}

// Error implements error.
func (e *exprError) Error() string {
	return fmt.Sprintf("node expression %q: %s", e.expr, e.msg)
}

// exprErrorf formats an exprError for expression expr.
func exprErrorf(expr, format string, args ...any) error {
	return &exprError{expr: expr, msg: fmt.Sprintf(format, args...)}
}

// contextError adds context in front of an error without repeating its
// "shardsql: " prefix; errors.Is and errors.As see the wrapped error.
type contextError struct {
	prefix string
	err    error
}

// Error implements error.
func (e *contextError) Error() string {
	return e.prefix + strings.TrimPrefix(e.err.Error(), "shardsql: ")
}

// Unwrap returns the wrapped error.
func (e *contextError) Unwrap() error { return e.err }
