package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shardsql/shardsql/driver"
)

// Random sequences of statements on one held connection, in and out of
// transactions (diff18): writes on t18 (sharded over two data sources)
// and u18 (unsharded), reads, savepoints, transaction control in the
// spellings the parser reads and those it does not (COMMIT WORK, BEGIN
// WORK), statements that commit implicitly (DDL, ANALYZE, CHECK), and
// writes after them, ended by Commit or Rollback; then the tables'
// contents are compared with the oracle's. Each statement runs on
// shardsql first: refused there, it is not run on the oracle, so the two
// stay alike (a refusal must leave nothing done). "Both failed" passes.

type diff18TxGen struct{ r *rand.Rand }

func (g diff18TxGen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }

func (g diff18TxGen) id() int { return 1 + g.r.Intn(12) }

// statement is one line for diff18TxStep.
func (g diff18TxGen) statement() string {
	switch g.r.Intn(20) {
	case 0, 1, 2:
		return fmt.Sprintf("UPDATE t18 SET n = n + %d WHERE id = %d", 1+g.r.Intn(9), g.id())
	case 3:
		return g.pick("UPDATE t18 SET n = n + 1", "UPDATE t18 SET n = n * 2 WHERE n > 30", "UPDATE t18 SET v = CONCAT(v, 'x') WHERE id > 4",
			fmt.Sprintf("UPDATE t18 SET n = 1 / (id - %d)", g.id()))
	case 4, 5:
		return fmt.Sprintf("INSERT INTO t18 (id, n, v) VALUES (%d, %d, 'i')", g.id(), g.r.Intn(100))
	case 6:
		return g.pick(fmt.Sprintf("DELETE FROM t18 WHERE id = %d", g.id()), "DELETE FROM t18 WHERE n > 60", "DELETE FROM t18 WHERE v = 'i'")
	case 7:
		return g.pick(fmt.Sprintf("INSERT INTO u18 (n) VALUES (%d)", g.r.Intn(9)), "UPDATE u18 SET n = n + 1", "DELETE FROM u18 WHERE n > 3")
	case 8:
		return g.pick("Q SELECT id, n, v FROM t18 ORDER BY id", "Q SELECT SUM(n), COUNT(*) FROM t18", "Q SELECT * FROM u18 ORDER BY id",
			fmt.Sprintf("Q SELECT n FROM t18 WHERE id = %d", g.id()), "Q SELECT @@in_transaction")
	case 9:
		// implicit commits the parser reads and some it does not
		return g.pick("CREATE TABLE w18 (id INT PRIMARY KEY)", "DROP TABLE IF EXISTS w18", "ALTER TABLE t18 COMMENT 'c'",
			"ALTER TABLE u18 COMMENT 'd'", "ANALYZE TABLE u18", "CHECK TABLE u18", "TRUNCATE TABLE u18", "CREATE INDEX ix ON u18 (n)",
			"DROP INDEX ix ON u18", "CREATE OR REPLACE TABLE w18 (id INT PRIMARY KEY)", "RENAME TABLE u18 TO u18r, u18r TO u18")
	case 10:
		return fmt.Sprintf("INSERT INTO w18 (id) VALUES (%d)", g.id())
	case 11:
		return g.pick("SAVEPOINT a", "SAVEPOINT b", "ROLLBACK TO SAVEPOINT a", "ROLLBACK TO b", "RELEASE SAVEPOINT a")
	case 12:
		// transaction control as text
		return g.pick("COMMIT", "ROLLBACK", "COMMIT WORK", "ROLLBACK WORK", "BEGIN", "BEGIN WORK", "START TRANSACTION",
			"START TRANSACTION READ ONLY", "COMMIT AND NO CHAIN", "SET autocommit = 0", "SET autocommit = 1")
	case 13, 14:
		return "BEGIN"
	case 15, 16:
		return "COMMIT TX"
	case 17, 18:
		return "ROLLBACK TX"
	}
	if g.r.Intn(2) == 0 {
		// writes and DDL run with Query (review18a: the implicit-commit
		// checks and the write record ran on Exec only)
		return "Q " + g.pick(fmt.Sprintf("UPDATE t18 SET n = n + 1 WHERE id = %d", g.id()), "UPDATE t18 SET n = n - 1",
			fmt.Sprintf("DELETE FROM t18 WHERE id = %d RETURNING id, n", g.id()), fmt.Sprintf("INSERT INTO t18 (id, n) VALUES (%d, 5) RETURNING id", g.id()),
			"CREATE TABLE w18 (id INT PRIMARY KEY)", "ALTER TABLE u18 COMMENT 'q'", "INSERT INTO u18 (n) VALUES (7) RETURNING n")
	}
	return fmt.Sprintf("INSERT INTO t18 (id, n, v) VALUES (%d, 1, 'j') ON DUPLICATE KEY UPDATE n = n + 100", g.id())
}

// diff18TxStep runs line on shardsql, then (unless refused) on the oracle.
// BEGIN, COMMIT TX and ROLLBACK TX use database/sql's Tx on both sides.
func diff18TxStep(e *r18aEnv, line string) string {
	switch line {
	case "BEGIN":
		if e.stx != nil {
			return "exact" // database/sql has no nested Tx on a Conn
		}
		stx, serr := e.sc.BeginTx(context.Background(), nil)
		if serr != nil {
			return errPair(nil, serr)
		}
		otx, oerr := e.oc.BeginTx(context.Background(), nil)
		e.otx, e.stx = otx, stx
		return errPair(oerr, serr)
	case "COMMIT TX", "ROLLBACK TX":
		if e.stx == nil {
			return "exact"
		}
		var oerr, serr error
		if line == "COMMIT TX" {
			serr = e.stx.Commit()
			if errors.Is(serr, driver.ErrUnsupported) {
				// a refused Commit: roll both back
				serr = e.stx.Rollback()
				oerr = e.otx.Rollback()
				e.otx, e.stx = nil, nil
				return "refused: commit " + errPair(oerr, serr)
			}
			oerr = e.otx.Commit()
		} else {
			serr = e.stx.Rollback()
			oerr = e.otx.Rollback()
		}
		e.otx, e.stx = nil, nil
		return errPair(oerr, serr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o, s := e.runners()
	if q, ok := strings.CutPrefix(line, "Q "); ok {
		got, gerr := r18Query(ctx, s, q)
		if errors.Is(gerr, driver.ErrUnsupported) {
			return "refused: " + gerr.Error()
		}
		want, werr := r18Query(ctx, o, q)
		return diffOutcome(want, werr, got, gerr, true)
	}
	gres, gerr := s.ExecContext(ctx, line)
	if errors.Is(gerr, driver.ErrUnsupported) {
		return "refused: " + gerr.Error()
	}
	wres, werr := o.ExecContext(ctx, line)
	if out, failed := errorOutcome(werr, &diffResult{}, gerr); failed {
		return out
	}
	wn, _ := wres.RowsAffected()
	gn, _ := gres.RowsAffected()
	if wn != gn {
		return fmt.Sprintf("WRONG result: want rows %d, got %d", wn, gn)
	}
	return "exact"
}

// diff18Dump compares t18, u18 and w18 (when it exists on the oracle).
func diff18Dump(e *r18aEnv) string {
	var out []string
	for _, name := range []string{"t18", "u18", "w18"} {
		q := "SELECT * FROM " + name + " ORDER BY id"
		want, werr := runDiffQuery(e.oracle, q)
		got, gerr := runDiffQuery(e.sharded, q)
		if o := diffOutcome(want, werr, got, gerr, true); o != "exact" && !strings.HasPrefix(o, "both failed") {
			out = append(out, name+": "+o)
		}
	}
	return strings.Join(out, "; ")
}

// TestDiff18TxGenerated runs random statement sequences in transactions.
// SHARDSQL_DIFF_SEED replays a run; SHARDSQL_DIFF_N runs more sequences.
func TestDiff18TxGenerated(t *testing.T) {
	e := newR18aEnv(t, "diff18_tx")
	defer e.closeConns()
	dropW := func() {
		for _, db := range []*sql.DB{e.oracle, e.sharded} {
			_, _ = db.Exec("DROP TABLE IF EXISTS w18")
		}
	}
	seed, n := diff18Seed(), diff18N(15)
	g := diff18TxGen{r: rand.New(rand.NewSource(seed))}
	counts, failed, statements := map[string]int{}, 0, 0
	for i := 0; i < n && failed < 10; i++ {
		var log []string
		bad := false
		for j := 3 + g.r.Intn(10); j > 0; j-- {
			line := g.statement()
			out := diff18TxStep(e, line)
			statements++
			kind := strings.SplitN(out, ":", 2)[0]
			counts[kind]++
			log = append(log, fmt.Sprintf("%s => %.200s", line, out))
			if kind != "exact" && kind != "refused" && kind != "both failed" {
				bad = true
				break
			}
		}
		if !bad {
			// end: the open Tx committed or rolled back, the session's
			// own transaction (BEGIN as text) ended too
			end := g.pick("COMMIT TX", "ROLLBACK TX")
			log = append(log, end+" => "+diff18TxStep(e, end))
			log = append(log, "ROLLBACK => "+diff18TxStep(e, "ROLLBACK"))
			log = append(log, "SET autocommit = 1 => "+diff18TxStep(e, "SET autocommit = 1"))
			if d := diff18Dump(e); d != "" {
				bad = true
				log = append(log, "DUMP => "+d)
			}
		}
		if os.Getenv("SHARDSQL_DIFF18_ALL") != "" || bad {
			msg := fmt.Sprintf("seed %d sequence %d:\n    %s", seed, i, strings.Join(log, "\n    "))
			if bad {
				failed++
				t.Error(msg)
			} else {
				t.Log(msg)
			}
		}
		if bad {
			dropW()
			e.reset()
		}
	}
	t.Logf("seed %d: %d sequences, %d statements, outcomes %v", seed, n, statements, counts)
}
