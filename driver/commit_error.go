package driver

import (
	"fmt"
	"sort"
	"strings"
)

// CommitError reports a Commit that did not commit everywhere. Every data
// source the transaction touched is in exactly one of Committed,
// RolledBack, Pending and Unknown, and the lists say what the servers did
// (or, for Pending and Unknown in XA mode, what RecoverXA will make of it).
// Commit returns a *CommitError for every failure once it has started
// committing; a caller can tell from it whether a retry would apply the
// work twice (anything Committed, Pending or Unknown) or not.
type CommitError struct {
	// Committed lists the data sources whose work is committed.
	Committed []string
	// RolledBack lists the data sources whose work is rolled back, or
	// certain to be: it was never committed, and the server rolls it back
	// when its connection (which shardsql closed) ends, or, for an XA
	// branch left prepared, RecoverXA rolls it back.
	RolledBack []string
	// Pending lists XA branches whose commit was decided and logged but
	// not yet applied: RecoverXA applies them; the transaction is durable.
	Pending []string
	// Unknown lists data sources whose outcome the coordinator cannot
	// know: a COMMIT whose reply was lost (best effort, or one XA
	// participant), or, in XA mode, a decision write whose reply was lost
	// and which could not be re-read. In XA mode the branches stay
	// prepared, and RecoverXA commits them all or rolls them all back.
	Unknown []string
	// Failed maps data sources to the error their commit (or rollback)
	// returned.
	Failed map[string]error
	// Cause is the failure that stopped the commit, when it is not one
	// data source's commit: a prepare, the decision log.
	Cause error
	// XA reports a two-phase commit.
	XA bool
	// XID is the global id (gtrid) of an XA transaction over several data
	// sources: its branches are XA 'XID','<data source>' on each, and its
	// decision is the shardsql_xa_log row of that gtrid. Error names it
	// when branches are pending or their outcome is unknown, so that an
	// operator can follow the transaction through XA RECOVER and
	// RecoverXA's report ("gtrid@datasource"). Empty otherwise.
	XID string
}

// Error describes what committed and what did not.
func (e *CommitError) Error() string {
	var b strings.Builder
	b.WriteString("shardsql: commit incomplete:")
	if len(e.Committed) > 0 {
		fmt.Fprintf(&b, " committed on %s;", strings.Join(e.Committed, ", "))
	}
	for _, ds := range sortedKeys(e.Failed) {
		fmt.Fprintf(&b, " failed on %s: %v;", ds, e.Failed[ds])
	}
	if e.Cause != nil {
		fmt.Fprintf(&b, " %v;", e.Cause)
	}
	if len(e.RolledBack) > 0 {
		fmt.Fprintf(&b, " rolled back on %s;", strings.Join(e.RolledBack, ", "))
	}
	if len(e.Pending) > 0 {
		fmt.Fprintf(&b, " commit decided and logged, pending on %s (RecoverXA completes it%s);", strings.Join(e.Pending, ", "), e.xidNote("; "))
	}
	if len(e.Unknown) > 0 {
		if e.XA {
			fmt.Fprintf(&b, " outcome unknown on %s: left prepared%s, RecoverXA commits or rolls back all of them;", strings.Join(e.Unknown, ", "), e.xidNote(" as "))
		} else {
			fmt.Fprintf(&b, " outcome unknown on %s: the COMMIT was sent and its reply lost;", strings.Join(e.Unknown, ", "))
		}
	}
	return strings.TrimSuffix(b.String(), ";")
}

// xidNote names the XA transaction in Error, when it has an id.
func (e *CommitError) xidNote(sep string) string {
	if e.XID == "" {
		return ""
	}
	return fmt.Sprintf("%sXA transaction '%s'", sep, e.XID)
}

// Unwrap returns the cause and the per-data-source errors.
func (e *CommitError) Unwrap() []error {
	var out []error
	if e.Cause != nil {
		out = append(out, e.Cause)
	}
	for _, ds := range sortedKeys(e.Failed) {
		out = append(out, e.Failed[ds])
	}
	return out
}

func sortedKeys(m map[string]error) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
