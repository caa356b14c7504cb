package driver_test

import (
	"strings"
	"testing"
)

// TestReview18dTxSpellings: transaction control and statements that commit
// implicitly, spelled in a /*M! … */ comment or behind SET STATEMENT … FOR,
// are refused or treated as committing, as their plain spellings are
// (before the fix each ran on the default data source alone and the
// transaction's contents differed from one server's); ANALYZE SELECT in a
// transaction runs and commits nothing, as on one server. Each case runs
// on fresh tables over oracle and shardsql; every step's outcome must
// start with its want ("exact" or "refused": run on shardsql alone, the
// transaction's contents must then be the oracle's without it).
func TestReview18dTxSpellings(t *testing.T) {
	e := newR18aEnv(t, "review18d_tx")
	defer e.closeConns()
	type step = r18dStep
	write := step{"UPDATE t18 SET n = n + 1", "exact"}
	for _, c := range [][]step{
		{{"BEGIN", "exact"}, write, {"/*M! COMMIT */", "refused"}, {"ROLLBACK", "exact"}, {"DUMP", "exact"}},
		{{"BEGIN", "exact"}, write, {"Q /*M! COMMIT */", "refused"}, {"ROLLBACK", "exact"}, {"DUMP", "exact"}},
		{{"BEGIN", "exact"}, write, {"/*M!100000 ROLLBACK WORK */", "refused"}, {"COMMIT", "exact"}, {"DUMP", "exact"}},
		{{"BEGIN", "exact"}, write, {"SET STATEMENT max_statement_time = 0 FOR COMMIT", "refused"}, {"ROLLBACK", "exact"}, {"DUMP", "exact"}},
		{{"BEGIN", "exact"}, write, {"SET STATEMENT max_statement_time=0 FOR\n\tRollback Work", "refused"}, {"COMMIT", "exact"}, {"DUMP", "exact"}},
		{{"BEGIN", "exact"}, write, {"SET STATEMENT max_statement_time = 0 FOR CREATE TABLE zz18d (i INT)", "refused"}, {"ROLLBACK", "exact"}, {"DUMP", "exact"}},
		{{"BEGIN", "exact"}, write, {"/*M! CREATE TABLE zz18d (i INT) */", "refused"}, {"ROLLBACK", "exact"}, {"DUMP", "exact"}},
		{{"BEGIN", "exact"}, write, {"SET STATEMENT max_statement_time = 0 FOR CHECK TABLE u18", "refused"}, {"ROLLBACK", "exact"}, {"DUMP", "exact"}},
		{{"BEGIN", "exact"}, write, {"SET STATEMENT max_statement_time = 0 FOR LOCK TABLE u18 WRITE", "refused"}, {"ROLLBACK", "exact"}, {"DUMP", "exact"}},
		{{"/*M! BEGIN */", "refused"}, write, {"DUMP", "exact"}},
		{{"SET STATEMENT max_statement_time = 0 FOR BEGIN", "refused"}, write, {"DUMP", "exact"}},
		{{"/*M! XA START 'r18d' */", "refused"}, {"DUMP", "exact"}},
		// ANALYZE of a statement commits nothing: the transaction goes on
		// on both data sources and ROLLBACK takes all of it back.
		{{"BEGIN", "exact"}, write, {"Q ANALYZE SELECT n FROM u18 WHERE id = 1", "exact"}, write, {"ROLLBACK", "exact"}, {"DUMP", "exact"}},
		{{"BEGIN", "exact"}, {"Q ANALYZE SELECT n FROM u18 WHERE id = 1", "exact"}, write, {"ROLLBACK", "exact"}, {"DUMP", "exact"}},
	} {
		e.runR18dCase(c)
	}
}

// TestReview18dSavepointAfterImplicitCommit: after a statement that
// committed the transaction implicitly the rest runs as in autocommit
// mode: SAVEPOINT is accepted and kept nowhere, ROLLBACK TO SAVEPOINT
// fails with 1305 and the transaction goes on to commit (tx_savepoint.go).
func TestReview18dSavepointAfterImplicitCommit(t *testing.T) {
	e := newR18aEnv(t, "review18d_spic")
	defer e.closeConns()
	e.runR18dCase([]r18dStep{{"BEGIN", "exact"}, {"CREATE TABLE zz18d (i INT)", "exact"}, {"SAVEPOINT a", "exact"},
		{"INSERT INTO zz18d VALUES (1)", "exact"}, {"ROLLBACK TO SAVEPOINT a", "both failed"}, {"RELEASE SAVEPOINT a", "both failed"},
		{"INSERT INTO zz18d VALUES (2)", "exact"}, {"COMMIT", "exact"}, {"DUMP", "exact"}, {"Q SELECT i FROM zz18d ORDER BY i", "exact"}})
}

// TestReview18dCallInTx: a procedure whose body commits, rolls back or
// runs DDL, called in a transaction that wrote on two data sources, is
// refused (tx_implicit_commit.go): it ended one data source's part alone.
// A CALL where the transaction wrote nowhere else runs.
func TestReview18dCallInTx(t *testing.T) {
	e := newR18aEnv(t, "review18d_call")
	defer e.closeConns()
	write := r18dStep{"UPDATE t18 SET n = n + 1", "exact"}
	for _, c := range [][]r18dStep{
		{{"DROP PROCEDURE IF EXISTS pc18", "exact"}, {"CREATE PROCEDURE pc18() COMMIT", "exact"},
			{"BEGIN", "exact"}, write, {"CALL pc18()", "refused"}, {"ROLLBACK", "exact"}, {"DUMP", "exact"}},
		{{"DROP PROCEDURE IF EXISTS pr18", "exact"}, {"CREATE PROCEDURE pr18() ROLLBACK", "exact"},
			{"BEGIN", "exact"}, write, {"Q CALL pr18()", "refused"}, {"COMMIT", "exact"}, {"DUMP", "exact"}},
		{{"DROP PROCEDURE IF EXISTS pd18", "exact"}, {"CREATE PROCEDURE pd18() CREATE TABLE IF NOT EXISTS zz18d (i INT)", "exact"},
			{"BEGIN", "exact"}, write, {"SET STATEMENT max_statement_time = 0 FOR CALL pd18()", "refused"}, {"ROLLBACK", "exact"}, {"DUMP", "exact"}},
		// Called where the transaction wrote nowhere else, a procedure
		// that commits leaves its data source in autocommit mode: a
		// later write elsewhere is refused (tx_call_commit.go), one on
		// the CALL's data source runs as in autocommit mode.
		{{"DROP PROCEDURE IF EXISTS pc18", "exact"}, {"CREATE PROCEDURE pc18() COMMIT", "exact"},
			{"BEGIN", "exact"}, {"CALL pc18()", "exact"}, {"UPDATE t18 SET n = n + 1", "refused"}, {"UPDATE u18 SET n = n + 1", "exact"},
			{"ROLLBACK", "exact"}, {"DUMP", "exact"}},
		{{"DROP PROCEDURE IF EXISTS pr18", "exact"}, {"CREATE PROCEDURE pr18() ROLLBACK", "exact"},
			{"BEGIN", "exact"}, {"Q CALL pr18()", "exact"}, {"SAVEPOINT a", "exact"}, {"UPDATE u18 SET n = n + 1", "exact"},
			{"ROLLBACK TO SAVEPOINT a", "both failed"}, {"UPDATE t18 SET n = n + 1", "refused"}, {"ROLLBACK", "exact"}, {"DUMP", "exact"}},
		{{"DROP PROCEDURE IF EXISTS pu18", "exact"}, {"CREATE PROCEDURE pu18() UPDATE u18 SET n = n + 5", "exact"},
			{"BEGIN", "exact"}, {"UPDATE u18 SET n = n + 1", "exact"}, {"CALL pu18()", "exact"}, {"UPDATE t18 SET n = n + 1", "exact"},
			{"ROLLBACK", "exact"}, {"DUMP", "exact"}},
	} {
		e.runR18dCase(c)
	}
}

// r18dStep is a step of a review18d case and the outcome it must have.
type r18dStep struct{ line, want string }

// TestReview18dSavepointEngine: a table without savepoints used in the
// transaction (mysql.db, Aria) makes the statement savepoint of a write
// over several nodes fail (1178): refused (savepoint_engine.go), and
// nothing of the write stays.
func TestReview18dSavepointEngine(t *testing.T) {
	e := newR18aEnv(t, "review18d_sp")
	defer e.closeConns()
	e.runR18dCase([]r18dStep{{"BEGIN", "exact"}, {"UPDATE t18 SET n = n + 1", "exact"}, {"Q SELECT COUNT(*) > 0 FROM mysql.db", "exact"},
		{"UPDATE t18 SET n = n + 10", "refused"}, {"COMMIT", "exact"}, {"DUMP", "exact"}})
}

// runR18dCase runs one case on fresh tables (see TestReview18dTxSpellings).
func (e *r18aEnv) runR18dCase(c []r18dStep) {
	t := e.t
	e.reset()
	for _, s := range c {
		line := s.line
		var out string
		if s.want == "refused" {
			// On shardsql alone: the oracle runs it, and the contents
			// compared after are what a refusal keeps.
			_, sr := e.runners()
			q, isQuery := strings.CutPrefix(line, "Q ")
			var err error
			if isQuery {
				_, err = r18Query(t.Context(), sr, q)
			} else {
				_, err = sr.ExecContext(t.Context(), line)
			}
			out = errPair(nil, err)
		} else {
			out = e.step(line)
		}
		if !strings.HasPrefix(out, s.want) {
			t.Errorf("%q: want %s, got %s", line, s.want, out)
		}
	}
	for _, db := range []r18Runner{e.oracle, e.sharded} {
		_, _ = db.ExecContext(t.Context(), "DROP TABLE IF EXISTS zz18d")
	}
}
