package shard

import (
	"fmt"
	"strings"
)

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
