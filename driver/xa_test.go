package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

const xaDDL = "CREATE TABLE IF NOT EXISTS t_xa (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL)"

// xaTopology shards t_xa by Mod over 2 data sources × 2 tables: user 0 is
// on ds0, user 2 on ds1.
func xaTopology(t testing.TB, dsns []string) *shard.Topology {
	t.Helper()
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_xa", Column: "user_id", Nodes: "ds${0..1}.t_xa_${0..1}", Algorithm: shard.Mod()}))
	return topo
}

// countXA counts rows with ids in [lo, hi) on each data source directly.
func countXA(t testing.TB, servers []*shardtest.Server, lo, hi int) []int {
	t.Helper()
	out := make([]int, len(servers))
	for i, s := range servers {
		db := direct(t, s)
		for _, tbl := range []string{"t_xa_0", "t_xa_1"} {
			var n int
			require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM "+tbl+" WHERE id >= ? AND id < ?", lo, hi).Scan(&n))
			out[i] += n
		}
		_ = db.Close() // a pool per call left open to the test's end ran the servers out of connections (1040 in CI)
	}
	return out
}

func TestXACommitRollbackAndRecovery(t *testing.T) {
	servers := shardtest.MariaDB(t, 2)
	ctx := context.Background()
	dsns := []string{servers[0].DSN(), servers[1].DSN()}
	db := openDB(t, xaTopology(t, dsns), driver.WithXA())
	_, err := db.ExecContext(ctx, xaDDL)
	require.NoError(t, err)

	write := func(tx *sql.Tx, base int) {
		for i, user := range []int{0, 1, 2, 3} { // every node
			_, err := tx.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (?, ?)", base+i, user)
			require.NoError(t, err)
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	write(tx, 100)
	var n int
	require.NoError(t, tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_xa WHERE id >= 100 AND id < 200").Scan(&n))
	assert.Equal(t, 4, n, "reads inside the XA transaction see its writes")
	require.NoError(t, tx.Commit())
	assert.Equal(t, []int{2, 2}, countXA(t, servers, 100, 200))

	tx, err = db.BeginTx(ctx, nil)
	require.NoError(t, err)
	write(tx, 200)
	require.NoError(t, tx.Rollback())
	assert.Equal(t, []int{0, 0}, countXA(t, servers, 200, 300))

	// One participant: one-phase commit, no log entry.
	tx, err = db.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (300, 0)")
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	assert.Equal(t, []int{1, 0}, countXA(t, servers, 300, 400))

	rep, err := driver.RecoverXA(ctx, db, 0)
	require.NoError(t, err)
	assert.Empty(t, rep.Committed)
	assert.Empty(t, rep.RolledBack)
}

// TestXACrashRecovery kills a coordinator at random stages of two-phase
// commit, runs recovery from a fresh process's view, and checks every
// transaction ended all-or-nothing.
func TestXACrashRecovery(t *testing.T) {
	servers := shardtest.MariaDB(t, 2)
	ctx := context.Background()
	dsns := []string{servers[0].DSN(), servers[1].DSN()}
	db := openDB(t, xaTopology(t, dsns), driver.WithXA())
	_, err := db.ExecContext(ctx, xaDDL)
	require.NoError(t, err)

	// Before the decision (nothing may commit) and after it (everything
	// must): kills at each stage of the protocol, in random order, 5 per
	// stage; SHARDSQL_XA_CRASH_ROUNDS sets how many (10 per stage: 40
	// kills). Each kill is a fresh coordinator process (buildXACrash).
	stages := []string{"prepare:ds0", "prepare:ds1", "decided", "commit:ds0"}
	decided := map[string]bool{"decided": true, "commit:ds0": true}
	seen := map[string]int{}
	var order []string
	perStage := 5
	if n, err := strconv.Atoi(os.Getenv("SHARDSQL_XA_CRASH_ROUNDS")); err == nil && n > 0 {
		perStage = n
	}
	for i := 0; i < perStage; i++ {
		order = append(order, stages...)
	}
	child := buildXACrash(t)
	r := rand.New(rand.NewSource(int64(os.Getpid())))
	r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	for round, stage := range order {
		seen[stage]++
		base := 1000 + round*10
		cmd := exec.Command(child)
		cmd.Env = append(os.Environ(), "SHARDSQL_XA_CRASH="+stage, "SHARDSQL_XA_BASE="+strconv.Itoa(base), "SHARDSQL_XA_DSNS="+strings.Join(dsns, ","))
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		require.True(t, errors.As(err, &exit) && exit.ExitCode() == 3, "child must die at %s: %v\n%s", stage, err, out)

		recoverAll(t, db)
		got := countXA(t, servers, base, base+10)
		if decided[stage] {
			// A branch still attached to the killed coordinator's
			// connection is invisible to XA RECOVER until the server
			// notices the connection is gone; the logged decision waits
			// for it (WithXALogRetention). Never mixed in between: the
			// rows become visible as branches commit.
			deadline := time.Now().Add(20 * time.Second)
			for !slices.Equal(got, []int{2, 2}) && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond)
				recoverAll(t, db)
				got = countXA(t, servers, base, base+10)
			}
			assert.Equal(t, []int{2, 2}, got, "round %d, killed at %s after the decision: all committed", round, stage)
		} else {
			assert.Equal(t, []int{0, 0}, got, "round %d, killed at %s before the decision: nothing visible", round, stage)
		}
		// Recovery is idempotent.
		rep, err := driver.RecoverXA(ctx, db, 0)
		require.NoError(t, err)
		assert.Empty(t, rep.Committed, "round %d", round)
		assert.Empty(t, rep.RolledBack, "round %d", round)
	}
	t.Logf("killed at: %v", seen)
	// Recovery decides every row: 'commit' decisions and 'abort'
	// tombstones are kept for the retention period (review19c).
	var logRows int
	require.NoError(t, direct(t, servers[0]).QueryRow("SELECT COUNT(*) FROM shardsql_xa_log WHERE state NOT IN ('commit', 'abort')").Scan(&logRows))
	assert.Zero(t, logRows, "recovery cleans the log")
}

func TestBestEffortCommitReportsPartialFailure(t *testing.T) {
	servers := shardtest.MariaDB(t, 2)
	ctx := context.Background()
	db := openDB(t, xaTopology(t, []string{servers[0].DSN(), servers[1].DSN()}))
	_, err := db.ExecContext(ctx, xaDDL)
	require.NoError(t, err)
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	for i, user := range []int{0, 2} { // ds0, then ds1
		_, err := tx.ExecContext(ctx, "INSERT INTO t_xa (id, user_id) VALUES (?, ?)", 500+i, user)
		require.NoError(t, err)
	}
	require.NoError(t, servers[1].Close()) // the second data source dies before commit
	// Commit sees ds1's connection closed before its first COMMIT
	// (tx_alive.go) and rolls back everything: before that check it
	// committed ds0 and failed on ds1, half committed. A data source
	// that fails during the COMMITs themselves is reported part by part
	// (TestTxFaults: best effort, "COMMIT" on ds1).
	err = tx.Commit()
	var cerr *driver.CommitError
	require.ErrorAs(t, err, &cerr)
	assert.Empty(t, cerr.Committed)
	assert.ElementsMatch(t, []string{"ds0", "ds1"}, cerr.RolledBack)
	assert.Contains(t, err.Error(), "the connection to data source ds1 failed during the transaction")
	var n int
	require.NoError(t, direct(t, servers[0]).QueryRow("SELECT COUNT(*) FROM t_xa_0 WHERE id = 500").Scan(&n))
	assert.Equal(t, 0, n)
}

// recoverAll runs recovery until no branch is left in flight: the server
// may take a moment to see the killed coordinator's connections end.
func recoverAll(t *testing.T, db *sql.DB) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		rep, err := driver.RecoverXA(context.Background(), db, 0)
		require.NoError(t, err)
		if len(rep.InFlight) == 0 {
			return
		}
		require.True(t, time.Now().Before(deadline), "branches still in flight: %v", rep.InFlight)
		time.Sleep(50 * time.Millisecond)
	}
}

// buildXACrash builds the coordinator program the crash test kills
// (driver/internal/xacrash) with the test binary's race setting, so that
// the build reuses the packages the test build compiled.
func buildXACrash(t *testing.T) string {
	t.Helper()
	gotool, err := exec.LookPath("go")
	if err != nil {
		gotool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out := filepath.Join(t.TempDir(), "xacrash")
	args := []string{"build", "-o", out}
	if raceBuild {
		args = append(args, "-race")
	}
	cmd := exec.Command(gotool, append(args, "./internal/xacrash")...)
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "building the crash coordinator: %s", msg)
	return out
}
