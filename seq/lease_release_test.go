package seq

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLeaseReleasedIDsNotRepeated: Close frees a worker id at once, and
// the next holder's generator may read a clock at or behind the last
// millisecond the released one used (a restart within the millisecond,
// or another host whose clock runs a few milliseconds behind). Its ids
// must still be new: it waits for its clock to pass the released lease's
// last id, or fails with ErrClockBackward when that is further than
// WithMaxBackward, never repeating an id. Before the fix the second
// generator handed out the first one's id.
func TestLeaseReleasedIDsNotRepeated(t *testing.T) {
	t.Parallel()
	open := testDB(t)
	db := open()
	require.NoError(t, CreateWorkerTable(ctx(t), db))
	now := time.Now()

	// One host's clock reads now; the ids of that millisecond.
	l1, err := LeaseWorkerID(ctx(t), db, "released")
	require.NoError(t, err)
	s1, err := NewSnowflake(l1.WorkerID(), WithLease(l1), WithClock(func() time.Time { return now }))
	require.NoError(t, err)
	seen := map[int64]bool{}
	for range 100 {
		id, err := s1.NextID()
		require.NoError(t, err)
		seen[id] = true
	}
	require.NoError(t, l1.Close())

	// The next holder of the same worker id (a restart within the
	// millisecond): the same clock, reading the same millisecond.
	l2, err := LeaseWorkerID(ctx(t), db, "released")
	require.NoError(t, err)
	require.Equal(t, l1.WorkerID(), l2.WorkerID(), "Close frees the worker id at once")
	same := time.Now()
	s2, err := NewSnowflake(l2.WorkerID(), WithLease(l2), WithClock(func() time.Time { return now.Add(time.Since(same)) }))
	require.NoError(t, err)
	id, err := s2.NextID()
	require.NoError(t, err)
	require.False(t, seen[id], "id %d handed out by the released lease", id)
	seen[id] = true
	require.NoError(t, l2.Close())

	// The next holder on another host, its clock 3 ms behind and
	// advancing, generating an id every 100µs until it is past the
	// released lease's millisecond: it waits out the difference instead
	// of reaching that millisecond's sequence numbers again.
	l2, err = LeaseWorkerID(ctx(t), db, "released")
	require.NoError(t, err)
	require.Equal(t, l1.WorkerID(), l2.WorkerID())
	start := time.Now()
	behind := func() time.Time { return now.Add(-3*time.Millisecond + time.Since(start)) }
	s2, err = NewSnowflake(l2.WorkerID(), WithLease(l2), WithClock(behind))
	require.NoError(t, err)
	for behind().Before(now.Add(3 * time.Millisecond)) {
		id, err := s2.NextID()
		require.NoError(t, err)
		require.False(t, seen[id], "id %d handed out by the released lease", id)
		seen[id] = true
		time.Sleep(100 * time.Microsecond)
	}
	first, err := s2.NextIDs(50)
	require.NoError(t, err)
	for id := first; id < first+50; id++ {
		require.False(t, seen[id], "id %d handed out before", id)
		seen[id] = true
	}
	require.NoError(t, l2.Close())

	// A holder whose clock is far behind the released lease's last id
	// fails instead of waiting.
	l3, err := LeaseWorkerID(ctx(t), db, "released")
	require.NoError(t, err)
	defer l3.Close()
	require.Equal(t, l1.WorkerID(), l3.WorkerID())
	s3, err := NewSnowflake(l3.WorkerID(), WithLease(l3), WithClock(func() time.Time { return now.Add(-time.Second) }))
	require.NoError(t, err)
	_, err = s3.NextID()
	require.ErrorIs(t, err, ErrClockBackward)

}
