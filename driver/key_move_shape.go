package driver

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/shardsql/shardsql/route"
)

// sameShape refuses a key move between node tables whose column
// definitions differ (review19f).
//
// Hazard: a move copies each row as read from the source node's table
// into the target node's with an INSERT, and that INSERT runs without
// strict sql_mode (laxCopyMode, so that ENUM's empty error value and zero dates stored
// by non-strict writes copy as one server's UPDATE keeps them). Its
// premise is that both tables are the same table. Node tables drift — an
// ALTER TABLE applied to some data sources only, a migration half done —
// and a value the target's column cannot hold was then cut with a
// warning: 'abcdefgh' stored as 'abc' in a VARCHAR(3), 1.25 as 1.3 in a
// DECIMAL(10,1), and the UPDATE answered. (Under strict mode the DECIMAL
// rounding is a note too.) One server's UPDATE of the key never changes
// another column. The names, order, types, nullability, character sets
// and collations of both tables' columns are compared before anything is
// copied; a difference refuses the move, and the transaction's statement
// is undone.
func sameShape(ctx context.Context, src, target *participant, srcTable, targetTable string, p *route.Plan) error {
	a, err := columnShape(ctx, src, srcTable)
	if err != nil {
		return err
	}
	b, err := columnShape(ctx, target, targetTable)
	if err != nil {
		return err
	}
	if slices.Equal(a, b) {
		return nil
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	at := func(s []string) string {
		if i < len(s) {
			return s[i]
		}
		return "(no column)"
	}
	return fmt.Errorf("%w: UPDATE moving rows of %s from table %s on data source %s to table %s on data source %s, whose definitions differ (column %d: %s on the source, %s on the target) in %q; the move copies rows as read, so make the node tables' definitions alike first",
		route.ErrUnsupported, p.Table, srcTable, src.ds, targetTable, target.ds, i+1, at(a), at(b), p.SQL)
}

// columnShape lists table's columns on part's data source, one string
// each, in order.
func columnShape(ctx context.Context, part *participant, table string) ([]string, error) {
	const q = `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, IFNULL(CHARACTER_SET_NAME, ''), IFNULL(COLLATION_NAME, '')
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`
	rs, err := part.QueryContext(ctx, q, table)
	if err != nil {
		return nil, fmt.Errorf("shardsql: reading the columns of %s on data source %s before moving rows: %w", table, part.ds, err)
	}
	defer part.rowsRead(rs) // tx_rows_ended.go
	var out []string
	for rs.Next() {
		var f [5]string
		if err := rs.Scan(&f[0], &f[1], &f[2], &f[3], &f[4]); err != nil {
			return nil, fmt.Errorf("shardsql: reading the columns of %s on data source %s before moving rows: %w", table, part.ds, err)
		}
		null := " NOT NULL"
		if f[2] == "YES" {
			null = " NULL"
		}
		s := "`" + f[0] + "` " + f[1] + null
		if f[3] != "" {
			s += " CHARACTER SET " + f[3] + " COLLATE " + f[4]
		}
		out = append(out, strings.TrimSpace(s))
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("shardsql: reading the columns of %s on data source %s before moving rows: %w", table, part.ds, err)
	}
	return out, nil
}
