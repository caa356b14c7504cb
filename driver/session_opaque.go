package driver

import (
	"fmt"

	"github.com/shardsql/shardsql/route"
)

// A statement whose effect on its session shardsql cannot read
// (route.LeavesState: CALL, DO @v := …, EXECUTE IMMEDIATE, PREPARE, text
// the parser cannot read) runs unchanged on one data source, and whatever
// it left — a variable, a lock, a prepared statement — exists in that data
// source's session only, where a SET would have run on every data source.
//
// The hazard (found by TestReview10OpaqueStateOnOneSource): CALL p() that
// sets @v on the default data source, then SELECT … FROM t WHERE id = @v
// routed to another data source read that session's unset @v and returned
// no rows where one server returns the row. So the Conn records where such
// statements ran, and until the session ends refuses statements that depend
// on the session (variables, locks, sequences, …) on any other data source.
// The record is not cleared by a later SET: the opaque statement may have
// left other state than the variable the SET names. What it cannot catch:
// session system variables such a statement changed (EXECUTE IMMEDIATE
// 'SET time_zone = …'), which change statements that read no variable —
// docs/faults.md, "Round 10 review".

// recordOpaque records that a statement that leaves unknown session state
// ran on data source ds (several for a statement on several).
func (c *Conn) recordOpaque(ds string) {
	switch c.opaqueDS {
	case "", ds:
		c.opaqueDS = ds
	default:
		c.opaqueDS = several
	}
}

// checkOpaque refuses plan p, which depends on the session, when it runs
// anywhere other than the one data source whose session an opaque
// statement changed.
func (c *Conn) checkOpaque(p *route.Plan) error {
	for _, u := range p.Units {
		if c.opaqueDS != several && u.DataSource == c.opaqueDS {
			continue
		}
		return fmt.Errorf("%w: %s on data source %s after a statement whose effect on the session shardsql cannot read ran on %s in %q (it may have set variables or taken locks there only): set variables with SET @v = ?, which runs on every data source, or run this statement on a new connection", route.ErrUnsupported, sessionUseName(p.Session), u.DataSource, opaqueWhere(c.opaqueDS), p.SQL)
	}
	return nil
}

// opaqueWhere names where opaque statements ran, for errors.
func opaqueWhere(ds string) string {
	if ds == several {
		return "several data sources"
	}
	return "data source " + ds
}

// sessionUseName names how a statement depends on the session, for errors.
func sessionUseName(u route.SessionUses) string {
	switch {
	case u&(route.UsesUserVars|route.AssignsUserVars|route.SetsUserVars) != 0:
		return "a user variable"
	case u&route.UsesSystemVars != 0:
		return "a session system variable"
	case u&route.UsesLocks != 0:
		return "a named lock function"
	}
	return "a statement that depends on the session"
}
