package seq

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

const (
	// defaultStep is the block size of a new sequence.
	defaultStep = 1000
	// maxStep is the largest block size: the step column is an INT.
	maxStep = math.MaxInt32
	// claimTimeout bounds one block claim made in the background.
	claimTimeout = 30 * time.Second
)

// Segment hands out ids from a named sequence in the table
// shardsql_sequence (see CreateSequenceTable). It reserves blocks of
// consecutive ids in one short transaction each and hands them out from
// memory; when 80% of the current block is used it reserves the next one in
// the background, so NextID does not wait on the database in steady state.
//
// Any number of processes can share a sequence: their blocks never
// overlap. Ids from one Segment increase; ids from different processes
// interleave by block. Ids left in a block when the process stops are never
// handed out, so there are gaps, and a restart continues above every block
// reserved before. A Segment is safe for concurrent use; create it with
// NewSegment (the zero Segment is not usable).
type Segment struct {
	cur atomic.Pointer[block] // the block ids are taken from

	db   *sql.DB
	name string
	step int64 // block size; 0 takes the row's step column

	// The claim's statements, prepared once: a claim is then four round
	// trips (BEGIN, SELECT, UPDATE, COMMIT) instead of eight.
	lock, advanceStmt *sql.Stmt

	mu      sync.Mutex
	pending *fetch // the claim of the next block, if one is made
	closed  bool

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // background claims
}

// block is a range of reserved ids, [start, end).
type block struct {
	last       atomic.Int64 // the last id taken; may run past end
	start      int64
	end        int64
	prefetchAt int64 // taking this id starts the claim of the next block
}

// fetch is one claim of a block, made in the background.
type fetch struct {
	done chan struct{} // closed when b or err is set
	b    *block
	err  error
}

// SegmentOption configures NewSegment.
type SegmentOption func(*segmentConfig)

type segmentConfig struct {
	step    int64
	stepSet bool
}

// WithStep sets how many ids a Segment reserves at a time, from 1 to
// 2147483647. A new sequence's row records it as the step of clients that
// do not set one; without WithStep, a Segment uses the row's step, and a
// new sequence gets 1000. A larger step means fewer transactions and longer
// gaps when processes restart.
func WithStep(n int64) SegmentOption {
	return func(c *segmentConfig) { c.step, c.stepSet = n, true }
}

// NewSegment returns a Segment for sequence name, creating its row (first
// id 1) in the table shardsql_sequence of db if it is missing, and reserves
// the first block. It fails with ErrNoSequenceTable when the table does not
// exist; create it with CreateSequenceTable. ctx bounds only the work done
// here. Close the Segment when done with it.
func NewSegment(ctx context.Context, db *sql.DB, name string, opts ...SegmentOption) (*Segment, error) {
	if db == nil {
		return nil, errors.New("shardsql: seq: NewSegment: nil *sql.DB: pass the database that holds shardsql_sequence")
	}
	if name == "" || utf8.RuneCountInString(name) > maxNameLen {
		return nil, fmt.Errorf("shardsql: seq: NewSegment: sequence name %q: pass a name of 1 to %d characters", name, maxNameLen)
	}
	var c segmentConfig
	for _, opt := range opts {
		opt(&c)
	}
	rowStep := int64(defaultStep)
	if c.stepSet {
		if c.step < 1 || c.step > maxStep {
			return nil, fmt.Errorf("shardsql: seq: WithStep(%d): pass a step from 1 to %d", c.step, maxStep)
		}
		rowStep = c.step
	}
	s := &Segment{db: db, name: name, step: c.step}
	if _, err := db.ExecContext(ctx,
		"INSERT IGNORE INTO shardsql_sequence (name, next_id, step) VALUES (?, 1, ?)",
		name, rowStep); err != nil {
		return nil, s.claimError(ctx, err)
	}
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	b, err := s.claim(ctx)
	if err != nil {
		s.closeStmts()
		return nil, err
	}
	s.cur.Store(b)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// NextID returns the next id of the sequence, greater than every id this
// Segment returned before. It waits on the database only when the current
// block is used up before the next one has been reserved; if that fails it
// returns the error (wrapping ErrNoSequenceTable if the table is gone), and
// the next call tries again. After Close it returns an error.
func (s *Segment) NextID() (int64, error) {
	for {
		b := s.cur.Load()
		id := b.last.Add(1)
		if id < b.end {
			if id == b.prefetchAt {
				s.prefetch()
			}
			return id, nil
		}
		if err := s.advance(b); err != nil {
			return 0, err
		}
	}
}

// Close stops the Segment: it waits for a background claim to finish, and
// NextID fails afterwards. The ids left in its blocks are not handed out
// by anyone. Close is idempotent and returns nil.
func (s *Segment) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.cur.Store(&block{end: math.MinInt64}) // no ids: every NextID goes to advance
	s.cancel()
	s.mu.Unlock()
	s.wg.Wait()
	s.closeStmts()
	return nil
}

// prepare prepares the claim's statements.
func (s *Segment) prepare(ctx context.Context) error {
	var err error
	s.lock, err = s.db.PrepareContext(ctx, "SELECT next_id, step FROM shardsql_sequence WHERE name = ? FOR UPDATE")
	if err != nil {
		return s.claimError(ctx, err)
	}
	s.advanceStmt, err = s.db.PrepareContext(ctx, "UPDATE shardsql_sequence SET next_id = next_id + ? WHERE name = ?")
	if err != nil {
		_ = s.lock.Close()
		return s.claimError(ctx, err)
	}
	return nil
}

// closeStmts closes the prepared statements.
func (s *Segment) closeStmts() {
	_ = s.lock.Close()
	_ = s.advanceStmt.Close()
}

// prefetch starts claiming the next block unless that is under way.
func (s *Segment) prefetch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == nil && !s.closed {
		s.startFetch()
	}
}

// startFetch starts claiming a block in the background and records it as
// pending. s.mu must be held.
func (s *Segment) startFetch() *fetch {
	f := &fetch{done: make(chan struct{})}
	s.pending = f
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, claimTimeout)
		defer cancel()
		f.b, f.err = s.claim(ctx)
		close(f.done)
	}()
	return f
}

// failed reports whether the claim has finished with an error.
func (f *fetch) failed() bool {
	select {
	case <-f.done:
		return f.err != nil
	default:
		return false
	}
}

// advance replaces the used-up block old with the next one, waiting for its
// claim. It returns nil without waiting if another goroutine already
// replaced old.
func (s *Segment) advance(old *block) error {
	s.mu.Lock()
	if s.cur.Load() != old {
		s.mu.Unlock()
		return nil
	}
	if s.closed {
		s.mu.Unlock()
		return fmt.Errorf("shardsql: seq: sequence %q: NextID called after Close; create a new Segment", s.name)
	}
	f := s.pending
	if f == nil || f.failed() {
		// No prefetch, or one that failed a while ago: try again now.
		f = s.startFetch()
	}
	s.mu.Unlock()

	<-f.done

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == f {
		s.pending = nil
		if f.err == nil && !s.closed {
			s.cur.Store(f.b)
		}
	}
	return f.err
}

// claim reserves the next block of the sequence in one transaction.
func (s *Segment) claim(ctx context.Context) (b *block, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, s.claimError(ctx, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var next, step int64
	err = tx.StmtContext(ctx, s.lock).QueryRowContext(ctx, s.name).Scan(&next, &step)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("shardsql: seq: sequence %q has no row in shardsql_sequence (was it deleted?); create a new Segment to recreate it, above the ids already used", s.name)
	}
	if err != nil {
		return nil, s.claimError(ctx, err)
	}
	if s.step != 0 {
		step = s.step
	}
	if step < 1 {
		return nil, fmt.Errorf("shardsql: seq: sequence %q: step column is %d; set it to a positive number or use WithStep", s.name, step)
	}
	if next > math.MaxInt64-step {
		return nil, fmt.Errorf("shardsql: seq: sequence %q is exhausted: next_id %d + step %d overflows int64", s.name, next, step)
	}
	if _, err = tx.StmtContext(ctx, s.advanceStmt).ExecContext(ctx, step, s.name); err != nil {
		return nil, s.claimError(ctx, err)
	}
	if err = tx.Commit(); err != nil {
		return nil, s.claimError(ctx, err)
	}
	b = &block{start: next, end: next + step, prefetchAt: next + step*8/10}
	b.last.Store(next - 1)
	return b, nil
}

// claimError wraps an error of a statement on shardsql_sequence, telling a
// missing table apart.
func (s *Segment) claimError(ctx context.Context, err error) error {
	if ctx.Err() == nil && missingTable(ctx, s.db, sequenceTable) {
		return fmt.Errorf("%w: call seq.CreateSequenceTable on this database first: %w", ErrNoSequenceTable, err)
	}
	return fmt.Errorf("shardsql: seq: reserve ids of sequence %q: %w", s.name, err)
}
