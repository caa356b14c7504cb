package driver

import (
	"context"
	"fmt"
	"strings"

	"github.com/shardsql/shardsql/route"
)

type hintKey struct{}

// hints are routing overrides carried by a context.
type hints struct {
	values map[string][]any // lower-cased table → sharding values
	ds     string
}

func hintsFrom(ctx context.Context) hints {
	h, _ := ctx.Value(hintKey{}).(hints)
	return h
}

// WithShardingValues returns a context under which statements on table are
// routed as if their sharding column had the given values, whatever their
// conditions say: for statements that do not carry the key (an INSERT
// without the sharding column, an UPDATE by another column known to be on
// one node). Each call for the same table replaces the previous values.
func WithShardingValues(ctx context.Context, table string, values ...any) context.Context {
	h := hintsFrom(ctx)
	next := hints{ds: h.ds, values: make(map[string][]any, len(h.values)+1)}
	for k, v := range h.values {
		next.values[k] = v
	}
	next.values[strings.ToLower(table)] = values
	return context.WithValue(ctx, hintKey{}, next)
}

// WithDataSource returns a context under which statements on tables the
// topology does not know go to data source ds instead of the first one.
func WithDataSource(ctx context.Context, ds string) context.Context {
	h := hintsFrom(ctx)
	h.ds = ds
	return context.WithValue(ctx, hintKey{}, h)
}

// routeOptions adds the context's hints to the router options.
func routeOptions(ctx context.Context, opts route.Options) (route.Options, error) {
	h := hintsFrom(ctx)
	opts.DataSource = h.ds
	if len(h.values) > 0 {
		opts.ShardingValues = make(map[string][]any, len(h.values))
		for table, values := range h.values {
			conv := make([]any, len(values))
			for i, v := range values {
				dv, err := convertArg(v) // as statement arguments: uint64 ≥ 2⁶³ too
				if err != nil {
					return opts, fmt.Errorf("shardsql: sharding value hint for %s: %w", table, err)
				}
				conv[i] = dv
			}
			opts.ShardingValues[table] = conv
		}
	}
	return opts, nil
}

type genIDsKey struct{}

// WithGeneratedIDs returns a context under which an INSERT into a table
// with a KeyGenerator stores every id it generated, in row order, in *ids
// (Result.LastInsertId gives only the first).
func WithGeneratedIDs(ctx context.Context, ids *[]int64) context.Context {
	return context.WithValue(ctx, genIDsKey{}, ids)
}
