package seq

import (
	"fmt"
	"time"
)

// RangeGenerator is a Generator that can also reserve n consecutive ids at
// once: NextIDs(n) returns first, and first, first+1, …, first+n-1 are all
// the caller's. shardsql uses it for a multi-row INSERT, so that the rows'
// ids are consecutive from LastInsertId, as ORMs assume of AUTO_INCREMENT
// (gorm CreateInBatches and ent CreateBulk number the rows after the
// first from it). *Snowflake and *Segment implement it.
type RangeGenerator interface {
	Generator
	// NextIDs reserves n consecutive ids and returns the first, or an
	// error wrapping ErrRangeTooLarge when n consecutive ids cannot be
	// handed out at all.
	NextIDs(n int) (int64, error)
}

var (
	_ RangeGenerator = (*Snowflake)(nil)
	_ RangeGenerator = (*Segment)(nil)
)

// MaxSnowflakeRange is the largest n Snowflake.NextIDs accepts: the ids of
// one millisecond.
const MaxSnowflakeRange = seqMask + 1

// NextIDs reserves n consecutive ids, 1 <= n <= 4096, and returns the
// first. The ids share one millisecond: when the rest of the current
// millisecond's sequence space is shorter than n, NextIDs waits for the
// next millisecond (at most about a millisecond). The ids are greater than
// every id the generator returned before. n larger than 4096 fails with
// ErrRangeTooLarge: a millisecond has no more consecutive ids.
func (s *Snowflake) NextIDs(n int) (int64, error) {
	if n < 1 || n > MaxSnowflakeRange {
		return 0, fmt.Errorf("%w: %d consecutive Snowflake ids requested; one millisecond holds at most %d (insert at most %d rows per statement)", ErrRangeTooLarge, n, MaxSnowflakeRange, MaxSnowflakeRange)
	}
	for {
		old := s.state.Load()
		ms := s.millis()
		last := int64(old >> seqBits)
		var first uint64
		switch {
		case ms > last:
			if ms > maxMillis {
				return 0, errTimeOverflow(time.UnixMilli(s.epochMs).UTC())
			}
			first = (old + 1 + skip(ms)) & seqMask
			if first+uint64(n)-1 > seqMask {
				// A new millisecond: any sequence is above the last id.
				first = 0
			}
		case ms == last:
			first = (old & seqMask) + 1
			if first+uint64(n)-1 > seqMask {
				// The rest of this millisecond is too short for n
				// consecutive ids; the next one has room.
				s.waitAfter(last)
				continue
			}
		default:
			if err := s.waitBackward(ms, last); err != nil {
				return 0, err
			}
			continue
		}
		if !s.state.CompareAndSwap(old, uint64(ms)<<seqBits|(first+uint64(n)-1)) {
			continue
		}
		if s.lease != nil {
			if ms > last {
				s.lease.note(ms + s.epochMs)
			}
			if err := s.lease.Err(); err != nil {
				return 0, err
			}
		}
		return ms<<timeShift | s.worker | int64(first), nil
	}
}

// NextIDs reserves n consecutive ids, n >= 1, and returns the first. They
// come from one block: when the rest of the current block is shorter than
// n, that rest is left unused (a gap, as at a restart) and the ids come
// from the next block. n larger than the block size (WithStep, or the
// row's step) fails with ErrRangeTooLarge.
func (s *Segment) NextIDs(n int) (int64, error) {
	if n < 1 {
		return 0, fmt.Errorf("%w: %d ids requested; ask for at least one", ErrRangeTooLarge, n)
	}
	k := int64(n)
	for {
		b := s.cur.Load()
		if size := b.end - b.start; size > 0 && k > size {
			return 0, fmt.Errorf("%w: %d consecutive ids of sequence %q requested; its blocks hold %d (raise WithStep, or insert fewer rows per statement)", ErrRangeTooLarge, n, s.name, size)
		}
		last := b.last.Add(k)
		first := last - k + 1
		if last < b.end {
			if first <= b.prefetchAt && b.prefetchAt <= last {
				s.prefetch()
			}
			return first, nil
		}
		if err := s.advance(b); err != nil {
			return 0, err
		}
	}
}
