package route

import (
	"context"
	"sync"

	"github.com/shardsql/shardsql/merge"
)

// deepStream is a deep page's fallback, the plain scatter's tree (LIMIT
// offset+count on every node), built the first time it is used: when the
// page streams after all (merge.DeepPageScan.Open), or when Explain prints
// it. Printing its node statements for every deep page cost about 2% of
// the client's CPU a page, for a tree that runs in few of them
// (docs/deep-pages.md, "Round 8").
//
// Hazard: the build renders from the routed scatter (its node statement
// and spec), which nothing changes once the plan is returned; the build
// runs once (sync.Once), so a plan explained and executed at the same
// time prints the same tree. A walk of the plan's tree that only counts
// or classifies operators (the driver's routeLeaves) must not descend
// into it, or every page would print it again.
type deepStream struct {
	once  sync.Once
	build func() merge.Operator
	op    merge.Operator
}

var _ merge.Operator = (*deepStream)(nil)

func (l *deepStream) tree() merge.Operator {
	l.once.Do(func() { l.op, l.build = l.build(), nil })
	return l.op
}

// Description implements merge.Operator: the stream's root's.
func (l *deepStream) Description() string { return l.tree().Description() }

// Inputs implements merge.Operator: the stream's root's, so that Explain
// prints the tree as it was before the build was deferred.
func (l *deepStream) Inputs() []merge.Operator { return l.tree().Inputs() }

// Open implements merge.Operator.
func (l *deepStream) Open(ctx context.Context, ex merge.Executor) (*merge.Stream, error) {
	return l.tree().Open(ctx, ex)
}
