package driver

import (
	"database/sql"
	"fmt"

	"github.com/shardsql/shardsql/route"
)

// result is the outcome of a statement that ran on one or more units.
type result struct {
	units    int
	affected int64
	lastID   int64
	lastErr  error
	genIDs   []int64 // keys shardsql generated, in row order
	genMeet  string  // route.Plan.GeneratedMeet
	// genPartial: route.Plan.GeneratedPartial
	genPartial bool
	// genAutoInc, genMeetLastID: route.Plan.GeneratedAutoIncrement and
	// route.Plan.GeneratedMeetLastID (upsertLastID).
	genAutoInc, genMeetLastID bool
	explicit                  int64 // route.Plan.ExplicitLastID
	// explicitUnknown: route.Plan.ExplicitLastUnknown
	explicitUnknown bool
	oneCopy         bool // a broadcast write: every unit changed its own copy of the same rows
	added           int
	// idDS is the data source whose server generated an id (reported a
	// LastInsertId other than 0): "" none, "*" several.
	idDS string
}

// add folds the result of one unit, run on data source ds, in: affected
// rows are summed, except for a broadcast write, which reports the rows of
// one copy, as one table would.
func (r *result) add(ds string, sr sql.Result) error {
	n, err := sr.RowsAffected()
	if err != nil {
		return fmt.Errorf("shardsql: rows affected: %w", err)
	}
	r.added++
	if !r.oneCopy || r.added == 1 {
		r.affected += n
	}
	id, idErr := sr.LastInsertId()
	if r.added == 1 {
		// The only unit's id, or for a broadcast write the first copy's
		// (every copy generates the same one).
		r.lastID, r.lastErr = id, idErr
	}
	if idErr == nil && id != 0 {
		switch r.idDS {
		case "", ds:
			r.idDS = ds
		default:
			r.idDS = "*"
		}
	}
	return nil
}

// LastInsertId returns the id the database generated for a statement that
// ran on one node, and for a write to a broadcast table the first copy's.
//
// When shardsql generated the INSERT's keys (Table.KeyGenerator), it is the
// first generated id, as MySQL reports the first id of a multi-row INSERT,
// and the statement's generated ids are consecutive from it (fillKeys);
// WithGeneratedIDs collects all of them.
//
// A statement split over several nodes whose keys shardsql did not
// generate reports 0 and no error: no server generated an id for it
// (route refuses to leave AUTO_INCREMENT to the servers of a sharded
// table), as MySQL reports 0 for a statement that generated none. ORMs
// read LastInsertId after every INSERT (ent's CreateBulk even when the
// rows carry their ids), so an error here would fail them. When every row
// gives the AUTO_INCREMENT column an integer, it is the last row's value,
// as MariaDB reports (route.Plan.ExplicitLastID).
func (r *result) LastInsertId() (int64, error) {
	if len(r.genIDs) > 0 {
		switch {
		case r.genMeet == "":
			return r.genIDs[0], nil
		case r.genMeet == "INSERT IGNORE" && r.affected == 0:
			// Every row met an existing one: MariaDB reports 0.
			return 0, nil
		case r.genMeet == "INSERT IGNORE" && !r.genPartial && r.affected == int64(len(r.genIDs)):
			return r.genIDs[0], nil // every row inserted (rows that carry their keys would count too)
		case len(r.genIDs) == 1 && !r.genPartial && r.units == 1 && r.lastErr == nil:
			// One row (upsertLastID reads its node's answer for it; with
			// rows carrying their keys the node answers for another row).
			if id, ok := r.upsertLastID(); ok {
				return id, nil
			}
		}
		// Some rows met existing ones: MariaDB reports the first row it
		// inserted (or the row it updated), and which that is, the
		// nodes' results do not say. genIDs[0] may be an id no row holds
		// (found by TestAttack8GeneratedIDs).
		// Several rows (or one whose node reported nothing): a node's
		// RowsAffected counts inserted, updated and unchanged rows as 1,
		// 2 and 0, so even "every row inserted" cannot be told from
		// 2 + 0 + 1 (found by compat: gorm's CreateInBatches with
		// OnConflict fails here on its first run, when no row existed).
		return 0, fmt.Errorf("%w: LastInsertId of an %s with generated ids whose rows may have been skipped or met existing rows (by a unique key without the generated column or a key the row carries; under IGNORE also by a CHECK constraint or foreign key) (which rows were inserted, the nodes' results do not say; the rows are written): upsert one row per statement into an AUTO_INCREMENT column (its id is answered), give the rows their ids, or read them back by that unique key (driver.WithGeneratedIDs lists the ids tried)", route.ErrUnsupported, r.genMeet)
	}
	if r.units == 1 || r.oneCopy {
		return r.lastID, r.lastErr
	}
	if r.explicitUnknown {
		return 0, fmt.Errorf("%w: LastInsertId of an INSERT over several nodes whose rows give the AUTO_INCREMENT column a value shardsql cannot read as the server converts it (an expression, a fraction or text that is not a plain integer): give the ids as integers, or read them back", route.ErrUnsupported)
	}
	return r.explicit, nil
}

// upsertLastID answers LastInsertId for a one-row
// INSERT … ON DUPLICATE KEY UPDATE with a generated id G that may have met
// an existing row (found by compat's TestEntUpsertID: ent's
// OnConflict(…).UpdateNewValues().ID(ctx) sends ON DUPLICATE KEY UPDATE …,
// id = LAST_INSERT_ID(t.id) and reads LastInsertId as the row's id; it
// was refused after the row was written). The node ran the one row as
// one database would, except that it was given G where one database would
// have generated the id, so its own answer N decides, with MariaDB's rules
// (checked against it):
//
//   - N = G: the row was inserted (an AUTO_INCREMENT column reports an
//     explicit value it stored): G.
//   - N ≠ 0 otherwise: the row met an existing one, and N is what one
//     database reports for it — LAST_INSERT_ID(expr)'s argument, or the
//     AUTO_INCREMENT value of the row it changed.
//   - N = 0 and no row changed (RowsAffected 0): MariaDB reports 0.
//   - N = 0 on an AUTO_INCREMENT column: no row was inserted (it would
//     have reported G), and MariaDB reports 0 for a met row that reports
//     nothing.
//   - N = 0 on a column that is not AUTO_INCREMENT (or unknown), one row
//     affected, under a clause calling LAST_INSERT_ID(expr): a met row
//     would have reported expr's value, so the row was inserted: G.
//
// Anything else is ambiguous and stays refused: N = 0 on a column that is
// not AUTO_INCREMENT with 2 rows affected (an update whose row's id the
// node did not report), or 1 without LAST_INSERT_ID(expr) (inserted, or
// left unchanged under clientFoundRows). Hazard: LAST_INSERT_ID(expr) whose
// value is 0 on a met row reads as an insert in the last case; ids
// shardsql generates are never 0.
func (r *result) upsertLastID() (int64, bool) {
	g, n := r.genIDs[0], r.lastID
	switch {
	case n == g:
		return g, true
	case n != 0:
		return n, true
	case r.affected == 0, r.genAutoInc:
		return 0, true
	case r.affected == 1 && r.genMeetLastID:
		return g, true
	}
	return 0, false
}

// RowsAffected returns the sum of the rows affected on every node (on one
// copy for a write to a broadcast table).
func (r *result) RowsAffected() (int64, error) { return r.affected, nil }
