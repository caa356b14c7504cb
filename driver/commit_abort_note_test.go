package driver

import (
	"context"
	sqldriver "database/sql/driver"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// closedBranchSteps is an XA abort whose branches' connections go-sql-driver
// closed (their statement's context ended): every rollback answers
// driver.ErrBadConn, the log answers.
type closedBranchSteps struct{}

func (closedBranchSteps) end(int) error                { return nil }
func (closedBranchSteps) prepare(int) error            { return nil }
func (closedBranchSteps) commit(int, commitMode) error { return nil }
func (closedBranchSteps) rollback(int) error           { return sqldriver.ErrBadConn }
func (closedBranchSteps) logBegin() error              { return nil }
func (closedBranchSteps) logDecide() (bool, error)     { return true, nil }
func (closedBranchSteps) logAbort() (bool, error)      { return true, nil }
func (closedBranchSteps) logState() (string, error)    { return "", nil }
func (closedBranchSteps) logForget() error             { return nil }
func (closedBranchSteps) stage(string)                 {}

// TestAbortNoteKeepsCause: an XA commit stopped by its deadline, whose
// branches' rollbacks note closed connections, still answers
// errors.Is(err, context.DeadlineExceeded) — the notes' ErrBadConn made
// the whole cause text (TestReview12CancelStress saw it) — and never
// ErrBadConn (database/sql would run the Commit again).
func TestAbortNoteKeepsCause(t *testing.T) {
	o := newOutcome([]string{"ds0", "ds1"}, true)
	cause := fmt.Errorf("shardsql: xa: prepare on data source ds1: %w", notSent(context.DeadlineExceeded))
	err := abortXA(closedBranchSteps{}, o, rowPreparing, cause)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, errNotSent)
	assert.False(t, errors.Is(err, sqldriver.ErrBadConn), "%v", err)
	assert.Contains(t, err.Error(), "rollback on data source ds0: driver: bad connection (its connection is closed")
	var ce *CommitError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []string{"ds0", "ds1"}, ce.RolledBack)
}
