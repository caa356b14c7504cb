package route

import (
	"errors"

	"github.com/shardsql/shardsql/shard"
)

// Hazard (attack15): the router converts a sharding value as the server
// stores it for the column's type (convert.go) before the table's
// algorithm sees it: an integer column gives the algorithm integers, a
// text column strings, a DATE/DATETIME/TIMESTAMP column time.Time. An
// algorithm that cannot take that type — Hash over a DATETIME column,
// Mod or Range over a VARCHAR one, Interval over an INT one — rejected
// every value with a shard.ValueError, and the statement failed with a
// plain error: `SELECT … WHERE at = '2025-07-01'` and every INSERT of the
// table, neither answered nor refused. The column and the algorithm do not
// fit, so no value can be placed: reads go to every node (which answers
// exactly), and writes that must name one node are refused with the
// reason. The check runs on the error path only; the routed path keeps
// its one call to the algorithm.

// algorithmRejects reports whether err is table's algorithm refusing the
// type of a (non-NULL) value the catalog's column type converted. Without
// the catalog, or without the column in it, values reach the algorithm as
// written (legacyKey) and a rejected one stays the caller's error.
func (s *statement) algorithmRejects(table *shard.ShardedTable, err error) bool {
	if err == nil || s.catalog == nil {
		return false // before ve, which escapes: no allocation on the common path
	}
	var ve *shard.ValueError
	if !errors.As(err, &ve) || ve.Null {
		return false
	}
	t, ok := s.tableFacts(table)
	if !ok {
		return false
	}
	_, ok = t.Column(table.Column)
	return ok
}

// unfit is the refusal of a write whose sharding value table's algorithm
// rejected (algorithmRejects).
func (s *statement) unfit(table *shard.ShardedTable, what string, err error) error {
	col := "its type"
	if c := s.column(table); c != nil {
		col = c.ColumnType
	}
	var ve *shard.ValueError
	errors.As(err, &ve)
	return unsupported(s.sql, "%s for sharding column %s of table %s: its algorithm %s cannot place the values of a %s column (they reach it converted as the server stores them, as %s); shard the table with an algorithm for %s values",
		what, table.Column, table.Name, ve.Algorithm, col, ve.Type, col)
}

// nodeOrScatter is the node of v for a read, or ok false when the
// algorithm rejects v's type (read every node).
func (c *conditions) nodeOrScatter(v any) (i int, ok bool, err error) {
	i, err = c.node(v)
	if c.s.algorithmRejects(c.table, err) {
		return 0, false, nil
	}
	return i, true, err
}
