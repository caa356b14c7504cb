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
	explicit int64   // route.Plan.ExplicitLastID
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
		case r.genMeet == "INSERT IGNORE" && r.affected == int64(len(r.genIDs)):
			return r.genIDs[0], nil // every row inserted
		}
		// Some rows met existing ones: MariaDB reports the first row it
		// inserted (or the row it updated), and which that is, the
		// nodes' results do not say. genIDs[0] may be an id no row holds
		// (found by TestAttack8GeneratedIDs).
		return 0, fmt.Errorf("%w: LastInsertId of an %s whose generated ids met existing rows by a unique key without the generated column (which row was inserted is unknown): read the rows back by that unique key, or use driver.WithGeneratedIDs and check which exist", route.ErrUnsupported, r.genMeet)
	}
	if r.units == 1 || r.oneCopy {
		return r.lastID, r.lastErr
	}
	if r.explicitUnknown {
		return 0, fmt.Errorf("%w: LastInsertId of an INSERT over several nodes whose rows give the AUTO_INCREMENT column a value shardsql cannot read as the server converts it (an expression, a fraction or text that is not a plain integer): give the ids as integers, or read them back", route.ErrUnsupported)
	}
	return r.explicit, nil
}

// RowsAffected returns the sum of the rows affected on every node (on one
// copy for a write to a broadcast table).
func (r *result) RowsAffected() (int64, error) { return r.affected, nil }
