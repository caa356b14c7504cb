package driver

import (
	"context"
	"database/sql"
)

// QueryLateMeta runs query on conn and reports whether its rows were read
// whole inside Raw with their column types left to be captured when first
// asked for (meta_late.go).
func QueryLateMeta(ctx context.Context, conn *sql.Conn, query string, args ...any) (late bool, err error) {
	err = queryRaw(ctx, conn, false, query, args, func(r *Rows) { late = r.meta != nil && r.metaFrom != nil })
	return late, err
}
