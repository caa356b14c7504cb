package route

import (
	"math"
	"strconv"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// DeleteLimit is a DELETE … LIMIT n without ORDER BY that reaches several
// node tables (writes18): gorm's batched purge,
// Where("created_at < ?", t).Limit(1000).Delete(&Log{}), and every
// hand-written purge job.
//
// MySQL's semantics: LIMIT n without ORDER BY deletes some n of the
// matching rows, which ones unspecified, and RowsAffected is
// min(n, matching). Sent to every node, each node would apply its own
// limit (up to n rows per node: the hazard the old refusal named). Run
// node after node inside one transaction, each with LIMIT set to what is
// left (n minus the rows the nodes before deleted), stopping when nothing
// is left, it deletes exactly min(n, matching) rows, all of them matching
// rows, and RowsAffected is the sum: one table could have deleted the same
// rows. The transaction (the caller's, under the statement savepoint, or
// the driver's internal one outside a transaction) makes a failure on a
// later node undo the earlier nodes' deletes, as one statement.
//
// The Units are the node statements without their LIMIT clause, in the
// plan's node order (the order every multi-node write takes its nodes in,
// so their row locks are taken in one order); the driver appends each
// one's LIMIT (UnitSQL). LIMIT 0 deletes nothing and runs on the first
// node only, so that the server checks the statement as one table's
// DELETE … LIMIT 0 is checked (review18e).
//
// What stays refused because node-by-node is not exact:
//   - ORDER BY … LIMIT: the n first rows in the order may lie on any nodes;
//   - UPDATE … LIMIT: LIMIT counts matched rows, RowsAffected counts
//     changed ones (unless the client asked for found rows), so what is
//     left after a node is not known from its result: writes19 counts
//     each node's matching rows with a locking read first
//     (dml_update_limit.go);
//   - DELETE IGNORE … LIMIT: a row whose delete fails and is skipped
//     (a foreign key) is not reported; whether it counts towards LIMIT is
//     the server's internal detail, so it is refused rather than guessed;
//   - DELETE … RETURNING … LIMIT (returning.go), multi-table DELETE (no
//     LIMIT there in MySQL), non-transactional engines (nontransactional.go).
type DeleteLimit struct {
	// N is the statement's LIMIT: how many rows it deletes at most.
	N uint64
	// Counts, for an UPDATE … LIMIT (writes19, dml_update_limit.go),
	// holds for each unit, index for index, the locking read counting
	// the node's matching rows: SELECT 1 FROM <node table> WHERE …,
	// without its LIMIT and FOR UPDATE (CountSQL appends them). nil for
	// a DELETE, whose RowsAffected is what its LIMIT counts.
	Counts []Unit
}

// UnitSQL is unit u's statement deleting at most left rows.
func (d *DeleteLimit) UnitSQL(u Unit, left uint64) string {
	return u.SQL + " limit " + strconv.FormatUint(left, 10)
}

// routeDeleteLimit plans a DELETE … LIMIT (no ORDER BY) on the several
// nodes rt reaches (DeleteLimit); routeWhere refuses one with ORDER BY.
func (s *statement) routeDeleteLimit(del *sqlparser.Delete, rt routed) (*Plan, error) {
	if del.Ignore {
		return nil, unsupported(s.sql, "DELETE IGNORE … LIMIT on sharded table %s across %d nodes (a row skipped by IGNORE is not reported, so what each node leaves of the limit is not known): drop IGNORE, or name the sharding column in WHERE so the statement reaches one node", rt.tables[0].Name, len(rt.nodes))
	}
	n, err := s.deleteLimitValue(del.Limit, rt, "DELETE")
	if err != nil {
		return nil, err
	}
	c := *del // the cached statement is never modified
	c.Limit = nil
	p := s.plan(KindDelete, &c, rt)
	p.DeleteLimit = &DeleteLimit{N: n}
	return p, nil
}

// deleteLimitValue is the row count of a DELETE's (or UPDATE's: verb) LIMIT, validated as
// MySQL does: a non-negative integer, written as a literal or given as a ?
// argument. Any other form (an offset, an expression, a decimal, a
// string) MySQL rejects too; it is refused here, before anything runs.
func (s *statement) deleteLimitValue(l *sqlparser.Limit, rt routed, verb string) (uint64, error) {
	bad := func(what string) (uint64, error) {
		return 0, unsupported(s.sql, verb+" … LIMIT %s on sharded table %s across %d nodes (MySQL takes a non-negative integer, written as a literal or given as a ? argument; write it so)", what, rt.tables[0].Name, len(rt.nodes))
	}
	if l.Offset != nil {
		return bad("with an offset")
	}
	switch e := l.Rowcount.(type) {
	case *sqlparser.Literal:
		if e.Type != sqlparser.IntVal {
			return bad(sqlparser.String(e))
		}
		n, err := strconv.ParseUint(e.Val, 10, 64)
		if err != nil {
			return bad(e.Val)
		}
		return n, nil
	case *sqlparser.Argument:
		v, ok := s.value(e) // marks argsRead: the plan depends on the value
		if !ok {
			return bad("? without its argument")
		}
		switch v := v.(type) {
		case int64:
			if v >= 0 {
				return uint64(v), nil
			}
		case uint64:
			return v, nil
		case int:
			if v >= 0 {
				return uint64(v), nil
			}
		case int32:
			if v >= 0 {
				return uint64(v), nil
			}
		case uint32:
			return uint64(v), nil
		case uint:
			return uint64(v), nil
		case string, []byte:
			// One server's prepared statement (the binary protocol)
			// takes "2" as 2 (review21: refused before, as "a string");
			// under interpolateParams go-sql-driver writes it quoted,
			// a syntax error on one server (scatter_limit.go).
			text, _ := v.(string)
			if b, ok := v.([]byte); ok {
				text = string(b)
			}
			if !s.interpolated && text != "" && strings.Trim(text, "0123456789") == "" {
				if n, err := strconv.ParseUint(text, 10, 64); err == nil {
					return n, nil
				}
			}
		}
		return bad("? given " + limitArgText(v))
	}
	return bad(sqlparser.String(l.Rowcount))
}

// limitArgText describes a LIMIT argument shardsql does not take.
func limitArgText(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		if v == math.Trunc(v) {
			return "the float " + strconv.FormatFloat(v, 'f', -1, 64)
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case string, []byte:
		return "a string"
	}
	return "a value of another type"
}
