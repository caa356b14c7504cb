// Package ctxflag holds the context marks the merge operators and the
// driver's executor pass each other. They are not for users: a statement's
// behaviour is chosen by driver options, never by context values a caller
// could set.
package ctxflag

import "context"

// auxiliaryKey marks a context whose queries are not the result's.
type auxiliaryKey struct{}

// Auxiliary returns ctx marked so that an executor knows the queries run
// with it feed an operator (a subquery's values) rather than the result:
// the result's column names and types must not be taken from them.
func Auxiliary(ctx context.Context) context.Context {
	return context.WithValue(ctx, auxiliaryKey{}, true)
}

// IsAuxiliary reports whether ctx was marked by Auxiliary.
func IsAuxiliary(ctx context.Context) bool {
	v, _ := ctx.Value(auxiliaryKey{}).(bool)
	return v
}
