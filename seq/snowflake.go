package seq

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Bit layout of a Snowflake id: sign | time | worker | sequence.
const (
	timeBits   = 41
	workerBits = 10
	seqBits    = 12

	maxWorkerID = 1<<workerBits - 1
	seqMask     = 1<<seqBits - 1
	maxMillis   = 1<<timeBits - 1

	workerShift = seqBits
	timeShift   = workerBits + seqBits
)

// defaultMaxBackward is how far the clock may step back before NextID fails
// instead of waiting.
const defaultMaxBackward = 10 * time.Millisecond

// defaultEpoch returns 2024-01-01 00:00:00 UTC, the default epoch.
func defaultEpoch() time.Time { return time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC) }

// Snowflake generates 63-bit ids from the time, a worker id and a sequence
// (see the package documentation for the layout). Its ids are strictly
// increasing: each id is greater than every id it returned before. A
// Snowflake is safe for concurrent use; create it with NewSnowflake.
//
// Ids are unique across generators only if every generator that produces ids
// for the same tables at the same time has its own worker id. Use
// LeaseWorkerID and WithLease to make sure of that.
//
// The clock is the wall clock (time.Now), not the monotonic one, so that a
// restarted process, whose generator starts afresh, continues from the real
// time; a step back of the wall clock while the generator runs is handled
// as WithMaxBackward says. The zero Snowflake is not usable.
type Snowflake struct {
	// state is the last id's milliseconds since the epoch << seqBits | its
	// sequence. NextID advances it with compare-and-swap.
	state atomic.Uint64

	worker  int64 // worker id << workerShift
	epochMs int64 // the epoch in Unix milliseconds
	now     func() time.Time
	maxBack time.Duration
	lease   *Lease
}

// SnowflakeOption configures NewSnowflake.
type SnowflakeOption func(*snowflakeConfig)

type snowflakeConfig struct {
	epoch    time.Time
	now      func() time.Time
	maxBack  time.Duration
	lease    *Lease
	nilClock bool
	nilLease bool
}

// WithEpoch sets the time the 41-bit millisecond field counts from. The
// default is 2024-01-01 00:00:00 UTC. The epoch must not be in the future,
// and ids can be generated for about 69 years after it. Every generator of
// the same ids must use the same epoch, and it must not move later once ids
// are stored: that could repeat ids.
func WithEpoch(t time.Time) SnowflakeOption {
	return func(c *snowflakeConfig) { c.epoch = t }
}

// WithClock replaces time.Now as the generator's clock, for tests. NextID
// polls the clock while it waits for the next millisecond or for a clock
// that stepped back to catch up, so a clock that never advances makes it
// wait forever.
func WithClock(now func() time.Time) SnowflakeOption {
	return func(c *snowflakeConfig) {
		c.now = now
		c.nilClock = now == nil
	}
}

// WithMaxBackward sets how far the clock may step back while NextID still
// waits for it to catch up. The default is 10ms. If the clock is further
// behind the last id's timestamp, NextID returns ErrClockBackward instead.
// Zero makes every backward step an error.
func WithMaxBackward(d time.Duration) SnowflakeOption {
	return func(c *snowflakeConfig) { c.maxBack = d }
}

// WithLease ties the generator to a worker id lease from LeaseWorkerID: once
// the lease is lost or closed, NextID returns an error wrapping
// ErrLeaseLost. The worker id passed to NewSnowflake must be the lease's.
func WithLease(l *Lease) SnowflakeOption {
	return func(c *snowflakeConfig) {
		c.lease = l
		c.nilLease = l == nil
	}
}

// NewSnowflake returns a generator for worker id workerID, which must be in
// 0..1023 and not used by any other generator of the same ids at the same
// time. There is no default worker id: two processes that both defaulted to
// 0 would hand out the same ids. Get one from LeaseWorkerID, or assign them
// by hand.
func NewSnowflake(workerID int64, opts ...SnowflakeOption) (*Snowflake, error) {
	if workerID < 0 || workerID > maxWorkerID {
		return nil, fmt.Errorf("shardsql: seq: worker id %d out of range: pass a worker id in 0..%d (LeaseWorkerID hands them out)", workerID, maxWorkerID)
	}
	c := snowflakeConfig{epoch: defaultEpoch(), now: time.Now, maxBack: defaultMaxBackward}
	for _, opt := range opts {
		opt(&c)
	}
	switch {
	case c.nilClock:
		return nil, errors.New("shardsql: seq: WithClock(nil): pass a clock function such as time.Now")
	case c.maxBack < 0:
		return nil, fmt.Errorf("shardsql: seq: WithMaxBackward(%v): pass a duration of zero or more", c.maxBack)
	case c.nilLease:
		return nil, errors.New("shardsql: seq: WithLease(nil): pass the *Lease returned by LeaseWorkerID")
	}
	if c.lease != nil {
		if c.lease.WorkerID() != workerID {
			return nil, fmt.Errorf("shardsql: seq: worker id %d does not match the lease's worker id %d: pass lease.WorkerID() to NewSnowflake", workerID, c.lease.WorkerID())
		}
		if err := c.lease.Err(); err != nil {
			return nil, err
		}
	}
	epochMs := c.epoch.UnixMilli()
	ms := c.now().UnixMilli() - epochMs
	if ms < 0 {
		return nil, fmt.Errorf("shardsql: seq: epoch %s is after the clock's time %s: choose an epoch in the past with WithEpoch", c.epoch.Format(time.RFC3339), c.now().Format(time.RFC3339))
	}
	if ms > maxMillis {
		return nil, errTimeOverflow(c.epoch)
	}
	s := &Snowflake{
		worker:  workerID << workerShift,
		epochMs: epochMs,
		now:     c.now,
		maxBack: c.maxBack,
		lease:   c.lease,
	}
	// As if the last id had millisecond 0 and sequence 4095, or the last
	// millisecond of the ids of the lease's previous holder (lease.note).
	s.state.Store(seqMask)
	if c.lease != nil {
		if ms0 := c.lease.after - epochMs; ms0 > 0 {
			s.state.Store(uint64(ms0)<<seqBits | seqMask)
		}
	}
	return s, nil
}

// NextID returns a new id, greater than every id this generator returned
// before. It waits for the next millisecond when this one's 4,096 ids are
// used up, and for the clock to catch up when it stepped back by up to
// WithMaxBackward. It fails with ErrClockBackward when the clock is further
// behind, and with ErrLeaseLost when the generator's lease is lost.
func (s *Snowflake) NextID() (int64, error) {
	for {
		old := s.state.Load()
		// Read the clock after the state: whoever stored the state read the
		// clock before storing it, so a monotonic clock cannot be behind.
		ms := s.millis()
		last := int64(old >> seqBits)
		var seq uint64
		switch {
		case ms > last:
			if ms > maxMillis {
				return 0, errTimeOverflow(time.UnixMilli(s.epochMs).UTC())
			}
			seq = (old + 1 + skip(ms)) & seqMask
		case ms == last:
			seq = (old + 1) & seqMask
			if seq == 0 {
				// The sequence wrapped within this millisecond: every id
				// of it that is greater than the last one is used.
				s.waitAfter(last)
				continue
			}
		default:
			if err := s.waitBackward(ms, last); err != nil {
				return 0, err
			}
			continue
		}
		if !s.state.CompareAndSwap(old, uint64(ms)<<seqBits|seq) {
			continue
		}
		// Checked after the id is taken, so no id is returned that was
		// made after the lease was given up.
		if s.lease != nil {
			if ms > last {
				s.lease.note(ms + s.epochMs)
			}
			if err := s.lease.Err(); err != nil {
				return 0, err
			}
		}
		return ms<<timeShift | s.worker | int64(seq), nil
	}
}

// skip returns 0..7, a pseudo-random function of the millisecond ms: the
// sequence of a new millisecond continues from the last id's plus skip(ms)
// instead of restarting at 0. Continuing spreads ids evenly over id % n at
// low rates; the skip keeps ids generated at a steady rate (one every k ms)
// from falling into a fixed cycle of residues for moduli such as 5 or 10.
// It costs at most 7 of a millisecond's 4,096 ids.
func skip(ms int64) uint64 {
	// The splitmix64 finaliser.
	z := uint64(ms) + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return (z ^ z>>31) >> 61
}

// Decompose splits a Snowflake id into the time it was generated (to the
// millisecond), its worker id and its sequence. epoch is the generator's
// epoch; the zero time.Time stands for the default, 2024-01-01 UTC.
func Decompose(id int64, epoch time.Time) (at time.Time, workerID, sequence int64) {
	if epoch.IsZero() {
		epoch = defaultEpoch()
	}
	ms := id >> timeShift
	return epoch.Add(time.Duration(ms) * time.Millisecond), id >> workerShift & maxWorkerID, id & seqMask
}

func errTimeOverflow(epoch time.Time) error {
	return fmt.Errorf("shardsql: seq: the clock is more than 2^41 ms (about 69 years) after the epoch %s, beyond what the id layout holds: check the clock and the epoch passed to WithEpoch", epoch.Format(time.RFC3339))
}
