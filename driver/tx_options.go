package driver

import (
	"fmt"
	"time"
)

// DefaultCommitTimeout bounds Commit's statements unless WithCommitTimeout
// says otherwise.
const DefaultCommitTimeout = 30 * time.Second

// DefaultCleanupTimeout bounds a transaction's cleanup unless
// WithCleanupTimeout says otherwise.
const DefaultCleanupTimeout = 5 * time.Second

// DefaultXALogRetention is how long RecoverXA keeps a 'commit' decision
// or an 'abort' with no prepared branch in sight unless
// WithXALogRetention says otherwise.
const DefaultXALogRetention = 24 * time.Hour

// WithXALogRetention sets how long RecoverXA keeps a logged 'commit'
// decision after it last saw one of its branches (default
// DefaultXALogRetention). The hazard it covers: a prepared branch whose
// coordinator died stays attached to the dead connection until the server
// notices (as late as its wait_timeout, 8 hours by default), and XA
// RECOVER does not list it meanwhile. Were the decision removed because no
// branch was in sight, the branch would later look never decided and be
// rolled back while its siblings committed. 'abort' rows are kept as
// long: RecoverXA leaves alone a branch that no row of its log names (it
// may belong to another deployment sharing the server), so the abort is
// what rolls such a late branch back. Keep it above the servers'
// wait_timeout.
func WithXALogRetention(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("shardsql: WithXALogRetention(%v): must be positive", d)
		}
		o.xaLogRetention = d
		return nil
	}
}

func (o *options) xaRetention() time.Duration {
	if o.xaLogRetention > 0 {
		return o.xaLogRetention
	}
	return DefaultXALogRetention
}

// WithCommitTimeout bounds the statements Commit sends (COMMIT; in XA mode
// XA END, XA PREPARE and the decision log writes), on top of BeginTx's
// deadline (default DefaultCommitTimeout; a cancellation of BeginTx's
// context does not interrupt a Commit under way, see commitContext). Commit takes no context of its
// own, so without a bound a data source that hangs at commit time would
// hold Commit until the connection fails.
func WithCommitTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("shardsql: WithCommitTimeout(%v): must be positive", d)
		}
		o.commitTimeout = d
		return nil
	}
}

// WithCleanupTimeout bounds what a transaction does after a failure or on
// Rollback — ROLLBACK, XA END, XA ROLLBACK, logging an abort, re-reading
// the XA decision log — and the XA COMMITs that follow a logged decision
// (default DefaultCleanupTimeout). Cleanup runs on its own deadline, not
// under the caller's context, which may have ended already: a rollback
// that is never sent leaves the transaction open, holding its row locks,
// on a connection the pool would hand out again. Commit and Rollback
// return at most this long after their own deadline.
func WithCleanupTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("shardsql: WithCleanupTimeout(%v): must be positive", d)
		}
		o.cleanupTimeout = d
		return nil
	}
}

func (o *options) commitBound() time.Duration {
	if o.commitTimeout > 0 {
		return o.commitTimeout
	}
	return DefaultCommitTimeout
}

func (o *options) cleanupBound() time.Duration {
	if o.cleanupTimeout > 0 {
		return o.cleanupTimeout
	}
	return DefaultCleanupTimeout
}
