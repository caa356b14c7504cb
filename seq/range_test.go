package seq

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSnowflakeNextIDs: ranges are consecutive, within one millisecond,
// above every earlier id, and a range that does not fit in the rest of a
// millisecond waits for the next one instead of wrapping.
func TestSnowflakeNextIDs(t *testing.T) {
	clock := &stepClock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC), step: 0}
	s, err := NewSnowflake(7, WithClock(clock.now))
	require.NoError(t, err)
	prev := int64(0)
	for _, n := range []int{1, 2, 100, 4000, 4096, 3} {
		if n > 1000 {
			clock.mu.Lock()
			clock.step = 50 * time.Microsecond // lets waitAfter see the next millisecond
			clock.mu.Unlock()
		}
		first, err := s.NextIDs(n)
		require.NoError(t, err)
		require.Greater(t, first, prev, "range of %d above every earlier id", n)
		at0, w0, seq0 := Decompose(first, time.Time{})
		at1, w1, seq1 := Decompose(first+int64(n)-1, time.Time{})
		require.Equal(t, at0, at1, "range of %d in one millisecond", n)
		require.Equal(t, int64(7), w0)
		require.Equal(t, int64(7), w1)
		require.Equal(t, seq0+int64(n)-1, seq1)
		prev = first + int64(n) - 1
		id, err := s.NextID()
		require.NoError(t, err)
		require.Greater(t, id, prev, "NextID after a range is above it")
		prev = id
	}
	_, err = s.NextIDs(4097)
	require.ErrorIs(t, err, ErrRangeTooLarge)
	_, err = s.NextIDs(0)
	require.ErrorIs(t, err, ErrRangeTooLarge)
}

// TestSnowflakeNextIDsConcurrent: ranges and single ids taken at once
// never overlap.
func TestSnowflakeNextIDsConcurrent(t *testing.T) {
	s, err := NewSnowflake(3)
	require.NoError(t, err)
	var mu sync.Mutex
	seen := make(map[int64]bool)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			var mine []int64
			for i := range 200 {
				n := 1 + (g*31+i*17)%300
				first, err := s.NextIDs(n)
				if err != nil {
					t.Error(err)
					return
				}
				for k := range int64(n) {
					mine = append(mine, first+k)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for _, id := range mine {
				if seen[id] {
					t.Errorf("id %d handed out twice", id)
				}
				seen[id] = true
			}
		})
	}
	wg.Wait()
}

// TestSegmentNextIDs: a range comes from one block; a range longer than
// the rest of the block skips to the next block; a range longer than a
// block is refused.
func TestSegmentNextIDs(t *testing.T) {
	t.Parallel()
	open := testDB(t)
	db := open()
	require.NoError(t, CreateSequenceTable(ctx(t), db))
	s, err := NewSegment(ctx(t), db, "range_ids", WithStep(10))
	require.NoError(t, err)
	defer s.Close()

	first, err := s.NextIDs(4) // 1..4 of block [1,11)
	require.NoError(t, err)
	require.Equal(t, int64(1), first)
	first, err = s.NextIDs(6) // 5..10: exactly the rest
	require.NoError(t, err)
	require.Equal(t, int64(5), first)
	id, err := s.NextID()
	require.NoError(t, err)
	require.Equal(t, int64(11), id)
	first, err = s.NextIDs(10) // 12..20 is too short: the next block
	require.NoError(t, err)
	require.Equal(t, int64(0), (first-1)%10, "a whole block, %d", first)
	require.Greater(t, first, id)
	_, err = s.NextIDs(11)
	require.ErrorIs(t, err, ErrRangeTooLarge)
	id2, err := s.NextID()
	require.NoError(t, err)
	require.Greater(t, id2, first+9)
}
