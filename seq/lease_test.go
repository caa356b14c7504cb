package seq

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// kill stops renewing the lease without releasing its row, like a process
// that crashed.
func (l *Lease) kill() { l.stop() }

// remaining returns how long the server keeps worker id id of app leased.
func remaining(t *testing.T, db *sql.DB, app string, id int64) time.Duration {
	t.Helper()
	var us int64
	require.NoError(t, db.QueryRow(
		"SELECT TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(6), expires_at) FROM shardsql_worker WHERE app = ? AND worker_id = ?",
		app, id).Scan(&us))
	return time.Duration(us) * time.Microsecond
}

// TestLeasedSnowflakes: four processes lease worker ids from one MariaDB
// concurrently and generate 100,000 ids each: distinct worker ids, no
// duplicate ids. Then one process dies: its worker id is not handed out
// again until its lease expires, and is after.
func TestLeasedSnowflakes(t *testing.T) {
	t.Parallel()
	open := testDB(t)
	admin := open()
	require.NoError(t, CreateWorkerTable(ctx(t), admin))
	require.NoError(t, CreateWorkerTable(ctx(t), admin), "CreateWorkerTable is idempotent")

	const procs = 4
	perProc := scaled(100_000, 5)
	// Process 0, which will die, has a short lease so that the test need not
	// wait long for it to expire; the others keep the default 30s, so that
	// they are not lost on a heavily loaded machine.
	const ttl = 3 * time.Second
	ttls := []time.Duration{ttl, defaultLeaseTTL, defaultLeaseTTL, defaultLeaseTTL}
	leases := make([]*Lease, procs)
	lists := make([][]int64, procs)
	var wg sync.WaitGroup
	for p := range procs {
		db := open()
		wg.Go(func() {
			l, err := LeaseWorkerID(ctx(t), db, "orders", WithLeaseTTL(ttls[p]))
			if err != nil {
				t.Error(err)
				return
			}
			leases[p] = l
			s, err := NewSnowflake(l.WorkerID(), WithLease(l))
			if err != nil {
				t.Error(err)
				return
			}
			ids := make([]int64, perProc)
			for i := range ids {
				if ids[i], err = s.NextID(); err != nil {
					t.Error(err)
					return
				}
			}
			lists[p] = ids
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Cleanup(func() {
		for _, l := range leases {
			_ = l.Close()
		}
	})
	workers := map[int64]bool{}
	for p, l := range leases {
		workers[l.WorkerID()] = true
		requireIncreasing(t, lists[p])
		for _, id := range lists[p] {
			_, w, _ := Decompose(id, time.Time{})
			require.Equal(t, l.WorkerID(), w)
		}
	}
	require.Equal(t, map[int64]bool{0: true, 1: true, 2: true, 3: true}, workers, "the lowest free worker ids")
	require.Len(t, requireUnique(t, lists...), procs*perProc)

	// Process 0 crashes: its lease is no longer renewed but not released.
	dead := leases[0]
	dead.kill()
	left := remaining(t, admin, "orders", dead.WorkerID())
	require.Greater(t, left, time.Duration(0))

	// Before expiry a new process gets the next free id, not the dead one.
	early, err := LeaseWorkerID(ctx(t), open(), "orders")
	require.NoError(t, err)
	defer early.Close()
	require.Equal(t, int64(procs), early.WorkerID())
	if left := remaining(t, admin, "orders", dead.WorkerID()); left <= 0 {
		t.Fatalf("the dead lease expired (%v ago) before the check finished; the test is too slow for a %v TTL", -left, ttl)
	}

	// After the dead lease's expiry, its worker id is the lowest free one
	// and is handed out again; the live leases are still held.
	time.Sleep(remaining(t, admin, "orders", dead.WorkerID()) + 50*time.Millisecond)
	for _, l := range leases[1:] {
		require.NoError(t, l.Err(), "live leases are held")
		require.Greater(t, remaining(t, admin, "orders", l.WorkerID()), ttl)
	}
	late, err := LeaseWorkerID(ctx(t), open(), "orders")
	require.NoError(t, err)
	defer late.Close()
	require.Equal(t, dead.WorkerID(), late.WorkerID())

	// Close releases the id at once, and its generator stops.
	s, err := NewSnowflake(leases[1].WorkerID(), WithLease(leases[1]))
	require.NoError(t, err)
	_, err = s.NextID()
	require.NoError(t, err)
	freed := leases[1].WorkerID()
	require.NoError(t, leases[1].Close())
	require.NoError(t, leases[1].Close(), "Close is idempotent")
	_, err = s.NextID()
	require.ErrorIs(t, err, ErrLeaseLost)
	require.ErrorIs(t, leases[1].Err(), ErrLeaseLost)
	_, err = NewSnowflake(freed, WithLease(leases[1]))
	require.ErrorIs(t, err, ErrLeaseLost)
	again, err := LeaseWorkerID(ctx(t), open(), "orders")
	require.NoError(t, err)
	defer again.Close()
	require.Equal(t, freed, again.WorkerID())
}

// TestLeaseRenewed: the background renewal pushes the expiry forward.
func TestLeaseRenewed(t *testing.T) {
	t.Parallel()
	open := testDB(t)
	db := open()
	require.NoError(t, CreateWorkerTable(ctx(t), db))
	l, err := LeaseWorkerID(ctx(t), db, "app", WithLeaseTTL(6*time.Second))
	require.NoError(t, err)
	defer l.Close()
	expiry := func() (at time.Time) {
		require.NoError(t, db.QueryRow("SELECT expires_at FROM shardsql_worker WHERE app = 'app'").Scan(&at))
		return at
	}
	first := expiry()
	require.Eventually(t, func() bool { return expiry().After(first) }, 5*time.Second, 50*time.Millisecond)
	require.NoError(t, l.Err())
}

// TestLeaseConcurrentClaims: many claimers racing for the same lowest ids
// never share one.
func TestLeaseConcurrentClaims(t *testing.T) {
	t.Parallel()
	open := testDB(t)
	require.NoError(t, CreateWorkerTable(ctx(t), open()))
	const claimers = 24
	ids := make([]int64, claimers)
	var wg sync.WaitGroup
	for c := range claimers {
		db := open()
		wg.Go(func() {
			l, err := LeaseWorkerID(ctx(t), db, "race")
			if err != nil {
				t.Error(err)
				return
			}
			t.Cleanup(func() { _ = l.Close() })
			ids[c] = l.WorkerID()
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	for _, id := range ids {
		require.False(t, seen[id], "worker id %d leased twice", id)
		seen[id] = true
		require.Less(t, id, int64(claimers))
	}
	// Applications have separate worker id spaces.
	other, err := LeaseWorkerID(ctx(t), open(), "other-app")
	require.NoError(t, err)
	defer other.Close()
	require.Zero(t, other.WorkerID())
}

// TestNoWorkerID: with all 1024 ids held by live leases, LeaseWorkerID fails
// with ErrNoWorkerID; an expired one is taken over.
func TestNoWorkerID(t *testing.T) {
	t.Parallel()
	open := testDB(t)
	db := open()
	require.NoError(t, CreateWorkerTable(ctx(t), db))
	var values []string
	for id := range 1024 {
		values = append(values, fmt.Sprintf("('full', %d, 'someone-else', 'test', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL 1 HOUR)", id))
	}
	_, err := db.Exec("INSERT INTO shardsql_worker (app, worker_id, holder, owner, leased_at, expires_at) VALUES " + strings.Join(values, ","))
	require.NoError(t, err)

	_, err = LeaseWorkerID(ctx(t), db, "full")
	require.ErrorIs(t, err, ErrNoWorkerID)
	require.ErrorContains(t, err, "shardsql: seq: ")

	_, err = db.Exec("UPDATE shardsql_worker SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE worker_id = 700")
	require.NoError(t, err)
	l, err := LeaseWorkerID(ctx(t), db, "full")
	require.NoError(t, err)
	defer l.Close()
	require.Equal(t, int64(700), l.WorkerID())
}

func TestLeaseErrors(t *testing.T) {
	t.Parallel()
	open := testDB(t)
	db := open()
	_, err := LeaseWorkerID(ctx(t), db, "app")
	require.ErrorIs(t, err, ErrNoWorkerTable)
	require.ErrorContains(t, err, "CreateWorkerTable")

	require.NoError(t, CreateWorkerTable(ctx(t), db))
	_, err = LeaseWorkerID(ctx(t), db, "")
	require.ErrorContains(t, err, "pass a name")
	_, err = LeaseWorkerID(ctx(t), db, strings.Repeat("x", 129))
	require.ErrorContains(t, err, "pass a name")
	_, err = LeaseWorkerID(ctx(t), db, "app", WithLeaseTTL(time.Millisecond))
	require.ErrorContains(t, err, "WithLeaseTTL")
	_, err = LeaseWorkerID(ctx(t), nil, "app")
	require.ErrorContains(t, err, "nil *sql.DB")

	l, err := LeaseWorkerID(ctx(t), db, "app")
	require.NoError(t, err)
	defer l.Close()
	_, err = NewSnowflake(l.WorkerID()+1, WithLease(l))
	require.ErrorContains(t, err, "does not match")
}

// TestLeaseTakenOver: a renewal that finds another holder loses the lease,
// and its generator stops.
func TestLeaseTakenOver(t *testing.T) {
	t.Parallel()
	open := testDB(t)
	db := open()
	require.NoError(t, CreateWorkerTable(ctx(t), db))
	l, err := LeaseWorkerID(ctx(t), db, "app", WithLeaseTTL(time.Second))
	require.NoError(t, err)
	defer l.Close()
	s, err := NewSnowflake(l.WorkerID(), WithLease(l))
	require.NoError(t, err)

	_, err = db.Exec("UPDATE shardsql_worker SET holder = 'thief' WHERE app = 'app'")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return l.Err() != nil }, 2*time.Second, 10*time.Millisecond)
	require.ErrorIs(t, l.Err(), ErrLeaseLost)
	require.ErrorContains(t, l.Err(), "another holder")
	_, err = s.NextID()
	require.ErrorIs(t, err, ErrLeaseLost)

	require.NoError(t, l.Close())
	var holder string
	require.NoError(t, db.QueryRow("SELECT holder FROM shardsql_worker WHERE app = 'app'").Scan(&holder))
	require.Equal(t, "thief", holder, "Close does not delete another holder's row")
}

// TestLeaseRenewalFails: when renewals fail until the lease is about to
// expire, it is lost before the server would hand the id to anyone else.
func TestLeaseRenewalFails(t *testing.T) {
	t.Parallel()
	open := testDB(t)
	db := open()
	require.NoError(t, CreateWorkerTable(ctx(t), db))
	lost := open()
	// 3s: the lease counts itself lost 600ms before the server's expiry,
	// time enough to look at the row afterwards on a loaded machine.
	l, err := LeaseWorkerID(ctx(t), lost, "app", WithLeaseTTL(3*time.Second))
	require.NoError(t, err)
	defer l.Close()
	require.NoError(t, lost.Close()) // every renewal fails from now on

	require.Eventually(t, func() bool { return l.Err() != nil }, 5*time.Second, 10*time.Millisecond)
	require.ErrorIs(t, l.Err(), ErrLeaseLost)
	require.ErrorContains(t, l.Err(), "database is closed", "the cause is kept")
	require.Greater(t, remaining(t, db, "app", l.WorkerID()), time.Duration(0), "lost locally before the server's expiry")
	require.Error(t, l.Close(), "the row cannot be released on a closed pool")
	require.False(t, errors.Is(l.Close(), ErrLeaseLost))
}
