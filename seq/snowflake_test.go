package seq

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// stepClock is a clock that advances by step on every reading.
type stepClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *stepClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

// offsetClock is the real clock shifted by an offset the test changes.
type offsetClock struct{ off atomic.Int64 }

func (c *offsetClock) now() time.Time { return time.Now().Add(time.Duration(c.off.Load())) }

func TestNewSnowflakeErrors(t *testing.T) {
	for _, id := range []int64{-1, 1024, 1 << 40} {
		_, err := NewSnowflake(id)
		require.ErrorContains(t, err, "shardsql: seq: worker id")
	}
	for _, id := range []int64{0, 1023} {
		_, err := NewSnowflake(id)
		require.NoError(t, err)
	}
	_, err := NewSnowflake(1, WithClock(nil))
	require.ErrorContains(t, err, "WithClock(nil)")
	_, err = NewSnowflake(1, WithMaxBackward(-time.Millisecond))
	require.ErrorContains(t, err, "WithMaxBackward")
	_, err = NewSnowflake(1, WithLease(nil))
	require.ErrorContains(t, err, "WithLease(nil)")
	_, err = NewSnowflake(1, WithEpoch(time.Now().Add(time.Hour)))
	require.ErrorContains(t, err, "choose an epoch in the past")
	_, err = NewSnowflake(1, WithEpoch(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)))
	require.ErrorContains(t, err, "2^41 ms")
}

func TestSnowflakeLayout(t *testing.T) {
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	s, err := NewSnowflake(513, WithClock(func() time.Time { return at }))
	require.NoError(t, err)
	first := int64(-1)
	for i := range int64(3) {
		id, err := s.NextID()
		require.NoError(t, err)
		require.Positive(t, id)
		got, worker, seq := Decompose(id, time.Time{})
		require.True(t, got.Equal(at), "time %v, want %v", got, at)
		require.Equal(t, int64(513), worker)
		if first < 0 {
			first = seq
			require.Less(t, seq, int64(8), "a new millisecond starts within the first 8 sequence values")
		}
		require.Equal(t, first+i, seq)
	}

	epoch := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err = NewSnowflake(1023, WithEpoch(epoch), WithClock(func() time.Time { return at }))
	require.NoError(t, err)
	id, err := s.NextID()
	require.NoError(t, err)
	got, worker, seq := Decompose(id, epoch)
	require.True(t, got.Equal(at))
	require.Equal(t, int64(1023), worker)
	require.Less(t, seq, int64(8))
	require.Equal(t, at.Sub(epoch).Milliseconds(), id>>22)
}

// TestSnowflakeConcurrent: 8 goroutines × 200,000 ids from one generator
// at the real clock: no duplicates, each goroutine's ids increasing.
func TestSnowflakeConcurrent(t *testing.T) {
	const goroutines = 8
	perG := scaled(200_000, 8)
	s, err := NewSnowflake(7)
	require.NoError(t, err)
	lists := make([][]int64, goroutines)
	var wg sync.WaitGroup
	start := time.Now()
	for g := range lists {
		wg.Go(func() {
			ids := make([]int64, perG)
			for i := range ids {
				id, err := s.NextID()
				if err != nil {
					t.Error(err)
					return
				}
				ids[i] = id
			}
			lists[g] = ids
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, ids := range lists {
		requireIncreasing(t, ids)
	}
	all := requireUnique(t, lists...)
	require.Len(t, all, goroutines*perG)
	t.Logf("%d ids in %v: %.2fM ids/s", len(all), elapsed, float64(len(all))/elapsed.Seconds()/1e6)
}

// TestSnowflakeSequenceExhausted: at most 4,096 ids per millisecond; the
// generator polls the clock until the next millisecond.
func TestSnowflakeSequenceExhausted(t *testing.T) {
	// 10 readings per millisecond: about 10 ids, then a wait.
	clock := &stepClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), step: 100 * time.Microsecond}
	s, err := NewSnowflake(1, WithClock(clock.now))
	require.NoError(t, err)
	// A clock that hardly moves: 100,000 readings per millisecond.
	clock.step = 10 * time.Nanosecond
	perMs := map[int64]int{}
	ids := make([]int64, 3*4096+10)
	for i := range ids {
		ids[i], err = s.NextID()
		require.NoError(t, err)
		perMs[ids[i]>>22]++
	}
	requireIncreasing(t, ids)
	require.GreaterOrEqual(t, len(perMs), 3)
	for ms, n := range perMs {
		require.LessOrEqual(t, n, 4096, "millisecond %d", ms)
	}
}

// TestSnowflakeDistribution: 10,000 ids at one per millisecond spread
// evenly over id % 2 and id % 8 (a sequence restarting at 0 every
// millisecond would make them all even).
func TestSnowflakeDistribution(t *testing.T) {
	for _, step := range []time.Duration{time.Millisecond, 1500 * time.Microsecond, 3 * time.Millisecond} {
		clock := &stepClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), step: step}
		s, err := NewSnowflake(2, WithClock(clock.now))
		require.NoError(t, err)
		const n = 10_000
		counts := map[int64][]int{}
		for _, nodes := range []int64{2, 3, 5, 8, 10, 16} {
			counts[nodes] = make([]int, nodes)
		}
		for range n {
			id, err := s.NextID()
			require.NoError(t, err)
			for nodes, c := range counts {
				c[id%nodes]++
			}
		}
		for nodes, c := range counts {
			even := float64(n) / float64(nodes)
			for node, got := range c {
				require.InDelta(t, even, got, even/10, "clock step %v, %d nodes: node %d has %d ids, want %.0f±10%%", step, nodes, node, got, even)
			}
		}
	}
}

// TestSnowflakeClockBackWaits: a 5 ms step back is waited out; ids stay
// increasing.
func TestSnowflakeClockBackWaits(t *testing.T) {
	var clock offsetClock
	s, err := NewSnowflake(3, WithClock(clock.now))
	require.NoError(t, err)
	var ids []int64
	for range 100 {
		id, err := s.NextID()
		require.NoError(t, err)
		ids = append(ids, id)
	}
	clock.off.Store(int64(-5 * time.Millisecond))
	start := time.Now()
	for range 100 {
		id, err := s.NextID()
		require.NoError(t, err)
		ids = append(ids, id)
	}
	require.GreaterOrEqual(t, time.Since(start), 3*time.Millisecond, "NextID did not wait for the clock")
	requireIncreasing(t, ids)
}

// TestSnowflakeClockBackFails: a 5 s step back is refused with
// ErrClockBackward until the clock catches up, never with a duplicate.
func TestSnowflakeClockBackFails(t *testing.T) {
	var clock offsetClock
	s, err := NewSnowflake(4, WithClock(clock.now))
	require.NoError(t, err)
	before, err := s.NextID()
	require.NoError(t, err)

	clock.off.Store(int64(-5 * time.Second))
	start := time.Now()
	_, err = s.NextID()
	require.ErrorIs(t, err, ErrClockBackward)
	require.ErrorContains(t, err, "shardsql: seq: ")
	require.ErrorContains(t, err, "WithMaxBackward")
	require.Less(t, time.Since(start), time.Second, "NextID waited instead of failing")

	clock.off.Store(0)
	after, err := s.NextID()
	require.NoError(t, err)
	require.Greater(t, after, before)

	// With zero tolerance any step back fails.
	s, err = NewSnowflake(4, WithClock(clock.now), WithMaxBackward(0))
	require.NoError(t, err)
	_, err = s.NextID()
	require.NoError(t, err)
	clock.off.Store(int64(-2 * time.Millisecond))
	_, err = s.NextID()
	require.ErrorIs(t, err, ErrClockBackward)
}

func TestDecomposeDefaultEpoch(t *testing.T) {
	at, worker, seq := Decompose(1<<22|5<<12|6, time.Time{})
	require.True(t, at.Equal(defaultEpoch().Add(time.Millisecond)))
	require.Equal(t, int64(5), worker)
	require.Equal(t, int64(6), seq)
}
