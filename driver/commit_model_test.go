package driver

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// The model test runs the commit protocols of commit_protocol.go — the
// code Commit runs — against servers and a decision log kept in memory,
// with one fault at every message the coordinator sends: it crashes before
// sending it or after the server applied it, the connection is cut before
// the message arrives or after it was applied (the reply is lost), or the
// server refuses it. Optionally RecoverXA's logic (recoverVerdict,
// forgettable) runs at another point, as a recoverer in another process
// would, treating the transaction as older than the grace period. After
// the coordinator returns or dies, its connections close and recovery
// runs. Every transaction must end all-or-nothing (XA), and Commit's
// error must say what the servers did.

// faultKind is what happens at the faulty message.
type faultKind int

const (
	crashBefore        faultKind = iota // the coordinator dies before sending
	crashAfter                          // the server applies the message, the coordinator dies
	cutBefore                           // the connection is cut before the message arrives
	replyLost                           // the server applies the message, the connection is cut
	refused                             // the server answers an error and applies nothing
	serverCutBefore                     // every connection to the message's server is cut before it arrives
	serverCutAfter                      // … after the server applied it
	serverKilledBefore                  // the server dies before the message arrives, and stays down until recovery
	serverKilledAfter                   // … after it applied (and made durable) the message
	numFaultKinds
)

var faultNames = [...]string{"crash before", "crash after", "cut before", "reply lost", "refused",
	"server cut before", "server cut after", "server killed before", "server killed after"}

// errCut is the error of a cut connection: no answer from the server.
var errCut = errors.New("model: connection cut")

// crash unwinds the coordinator.
type crash struct{}

// mBranch is one participant: the server's transaction and the
// coordinator's view of its connection, with the flags txSteps keeps.
type mBranch struct {
	state                              string // active, idle, prepared, committed, rolledback
	attached                           bool   // its connection is open
	ended, preparing, finished, broken bool
}

// model is the servers, the decision log and the fault plan of one trial.
type model struct {
	xa        bool
	names     []string
	b         []*mBranch
	log       string // "", preparing, commit, abort
	msgs      int
	faultAt   int
	fault     faultKind
	recoverAt int // run recovery before this message; -1: never
	down      map[int]bool
}

func newModel(xa bool, n, faultAt int, fault faultKind, recoverAt int) *model {
	m := &model{xa: xa, faultAt: faultAt, fault: fault, recoverAt: recoverAt, down: map[int]bool{}}
	for i := 0; i < n; i++ {
		m.names = append(m.names, fmt.Sprintf("ds%d", i))
		m.b = append(m.b, &mBranch{state: "active", attached: true})
	}
	return m
}

// disconnect is the server seeing branch i's connection end: what is not
// prepared is rolled back, a prepared branch detaches.
func (m *model) disconnect(i int) {
	b := m.b[i]
	b.attached = false
	if b.state == "active" || b.state == "idle" {
		b.state = "rolledback"
	}
}

// cutServer cuts every connection to server s: participant s's (the
// participant on data source i lives on server i; the log on server 0).
func (m *model) cutServer(s int) {
	if s < len(m.b) {
		m.b[s].broken = true
		m.disconnect(s)
	}
}

// send delivers one message. branch is the participant whose connection
// carries it, -1 for the log's pool (a fresh connection each time, on
// server 0).
func (m *model) send(branch int, apply func() error) error {
	k := m.msgs
	m.msgs++
	if k == m.recoverAt {
		m.recover()
	}
	server := max(branch, 0)
	if m.down[server] {
		m.cutServer(server)
		return errCut
	}
	if k == m.faultAt {
		switch m.fault {
		case crashBefore:
			panic(crash{})
		case crashAfter:
			_ = apply()
			panic(crash{})
		case cutBefore, replyLost:
			if m.fault == replyLost {
				_ = apply()
			}
			if branch >= 0 {
				m.b[branch].broken = true
				m.disconnect(branch)
			}
			return errCut
		case refused:
			return &mysql.MySQLError{Number: 1205, Message: "model: refused"}
		case serverCutBefore, serverCutAfter, serverKilledBefore, serverKilledAfter:
			if m.fault == serverCutAfter || m.fault == serverKilledAfter {
				_ = apply()
			}
			m.cutServer(server)
			if m.fault == serverKilledBefore || m.fault == serverKilledAfter {
				m.down[server] = true
			}
			return errCut
		}
	}
	return apply()
}

func errState(state string) error {
	return &mysql.MySQLError{Number: 1399, Message: "model: XAER_RMFAIL in state " + state}
}

var errNota = &mysql.MySQLError{Number: 1397, Message: "model: XAER_NOTA"}

// transition applies from → to on branch i's server state.
func (m *model) transition(i int, from, to string) func() error {
	return func() error {
		b := m.b[i]
		if b.state == "rolledback" || b.state == "committed" {
			return errNota
		}
		if b.state != from {
			return errState(b.state)
		}
		b.state = to
		return nil
	}
}

func (m *model) branchSend(i int, apply func() error) error {
	if m.b[i].broken {
		return errBroken
	}
	return m.send(i, apply)
}

func (m *model) end(i int) error {
	err := m.branchSend(i, m.transition(i, "active", "idle"))
	if err == nil {
		m.b[i].ended = true
	}
	return err
}

func (m *model) prepare(i int) error {
	m.b[i].preparing = true
	return m.branchSend(i, m.transition(i, "idle", "prepared"))
}

func (m *model) commit(i int, mode commitMode) error {
	from := map[commitMode]string{commitLocal: "active", commitOnePhase: "idle", commitPrepared: "prepared"}[mode]
	err := m.branchSend(i, m.transition(i, from, "committed"))
	if err == nil {
		m.b[i].finished = true
	}
	return err
}

// rollback follows txSteps.rollback's contract.
func (m *model) rollback(i int) error {
	b := m.b[i]
	switch {
	case b.finished:
		return nil
	case b.broken && b.preparing:
		return errLeftPrepared
	case b.broken:
		return nil
	}
	if !m.xa {
		if err := m.branchSend(i, m.transition(i, "active", "rolledback")); err != nil {
			return err
		}
		b.finished = true
		return nil
	}
	if !b.ended {
		if err := m.branchSend(i, m.transition(i, "active", "idle")); err == nil {
			b.ended = true
		} else if !answered(err) {
			return err
		}
	}
	err := m.branchSend(i, func() error {
		if b.state == "idle" || b.state == "prepared" {
			b.state = "rolledback"
			return nil
		}
		return errNota
	})
	if err != nil && !isXANotFound(err) {
		if answered(err) {
			b.broken = true
		}
		return err
	}
	b.finished = true
	return nil
}

func (m *model) logBegin() error {
	return m.send(-1, func() error {
		if m.log != "" {
			return &mysql.MySQLError{Number: 1062, Message: "model: duplicate"}
		}
		m.log = "preparing"
		return nil
	})
}

func (m *model) logMove(to string) (bool, error) {
	moved := false
	err := m.send(-1, func() error {
		if m.log == "preparing" {
			m.log, moved = to, true
		}
		return nil
	})
	return moved && err == nil, err
}

func (m *model) logDecide() (bool, error) { return m.logMove("commit") }
func (m *model) logAbort() (bool, error)  { return m.logMove("abort") }

func (m *model) logState() (string, error) {
	var state string
	err := m.send(-1, func() error { state = m.log; return nil })
	return state, err
}

func (m *model) logForget() error {
	return m.send(-1, func() error { m.log = ""; return nil })
}

func (m *model) stage(string) {}

// The recoverer's view of the log: every transaction is older than the
// grace period.
type modelRecoveryLog struct{ m *model }

func (l modelRecoveryLog) rowState(string) (string, bool, error) { return l.m.log, false, nil }
func (l modelRecoveryLog) abortRow(string) error {
	if l.m.log == "preparing" {
		l.m.log = "abort"
	}
	return nil
}

// recover is one RecoverXA run: read the log, list the prepared branches,
// resolve them (XA RECOVER lists only branches no connection holds),
// remove the forgettable row.
func (m *model) recover() {
	if !m.xa || m.down[0] {
		return
	}
	rows := map[string]logRowSeen{}
	if m.log != "" {
		// The model's runs are far shorter than the retention of
		// 'commit' rows.
		rows["g"] = logRowSeen{state: m.log, old: true, expired: false}
	}
	branches := map[string]bool{}
	for _, b := range m.b {
		if b.state != "prepared" || b.attached {
			// MariaDB's XA RECOVER does not list a prepared branch still
			// attached to a connection (a dead coordinator's, until the
			// server notices): recovery cannot see it.
			continue
		}
		branches["g"] = true
		v, err := recoverVerdict(modelRecoveryLog{m}, "g")
		if err != nil {
			panic(err)
		}
		if b.attached {
			continue
		}
		switch v {
		case verdictCommit:
			b.state = "committed"
		case verdictRollback:
			b.state = "rolledback"
		}
	}
	for range abortable(rows, branches) {
		_ = modelRecoveryLog{m}.abortRow("g")
	}
	for _, state := range forgettable(rows, branches) {
		if m.log == state {
			m.log = ""
		}
	}
}

// run runs the protocol until it returns or the coordinator crashes, then
// closes the coordinator's connections.
func (m *model) run() (err error, crashed bool) {
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(crash); !ok {
					panic(r)
				}
				crashed = true
			}
		}()
		if m.xa {
			err = runXA(m, m.names)
		} else {
			err = runBestEffort(m, m.names)
		}
	}()
	for i := range m.b {
		m.disconnect(i)
	}
	clear(m.down) // the killed server is back for recovery
	return err, crashed
}

// modelCounts tallies the trials' outcomes after recovery.
type modelCounts struct{ trials, committed, rolledBack, mixed, unknown int }

func checkTrial(t *testing.T, m *model, err error, crashed bool, counts *modelCounts) {
	t.Helper()
	what := fmt.Sprintf("xa=%v n=%d fault %q at message %d, recovery before %d", m.xa, len(m.names), faultNames[m.fault], m.faultAt, m.recoverAt)
	if m.xa {
		m.recover()
		m.recover()
		// A 'commit' decision, and an 'abort' written by recovery, are
		// kept for the retention period (a branch may hide behind a dead
		// connection); a 'preparing' row may not be left.
		if m.log == "preparing" {
			t.Errorf("%s: the log row %q is left after recovery", what, m.log)
		}
	}
	final := map[string]string{}
	nCommitted := 0
	for i, b := range m.b {
		if b.state != "committed" && b.state != "rolledback" {
			t.Fatalf("%s: %s left %s after recovery", what, m.names[i], b.state)
		}
		final[m.names[i]] = b.state
		if b.state == "committed" {
			nCommitted++
		}
	}
	counts.trials++
	switch nCommitted {
	case len(m.b):
		counts.committed++
	case 0:
		counts.rolledBack++
	default:
		counts.mixed++
		if m.xa {
			t.Errorf("%s: MIXED after recovery: %v", what, final)
		}
	}
	if crashed {
		return
	}
	if err == nil {
		if nCommitted != len(m.b) {
			t.Errorf("%s: Commit returned nil, servers: %v", what, final)
		}
		return
	}
	var ce *CommitError
	if !errors.As(err, &ce) {
		t.Fatalf("%s: Commit's error is not a *CommitError: %v", what, err)
	}
	var listed []string
	check := func(list []string, want string) {
		for _, ds := range list {
			listed = append(listed, ds)
			if want != "" && final[ds] != want {
				t.Errorf("%s: %s reported %s, the server %s: %v", what, ds, want, final[ds], err)
			}
		}
	}
	check(ce.Committed, "committed")
	check(ce.Pending, "committed")
	check(ce.RolledBack, "rolledback")
	check(ce.Unknown, "")
	if len(ce.Unknown) > 0 {
		counts.unknown++
	}
	slices.Sort(listed)
	if !slices.Equal(listed, m.names) {
		t.Errorf("%s: the error lists %v, want each of %v once: %v", what, listed, m.names, err)
	}
}

func TestCommitProtocolModel(t *testing.T) {
	for _, xa := range []bool{true, false} {
		for n := 1; n <= 3; n++ {
			// A fault-free run counts the messages.
			clean := newModel(xa, n, -1, 0, -1)
			if err, _ := clean.run(); err != nil {
				t.Fatalf("xa=%v n=%d: fault-free commit: %v", xa, n, err)
			}
			var counts modelCounts
			for at := 0; at <= clean.msgs; at++ {
				for fault := faultKind(0); fault < numFaultKinds; fault++ {
					for rec := -1; rec <= clean.msgs+2; rec++ {
						m := newModel(xa, n, at, fault, rec)
						err, crashed := m.run()
						checkTrial(t, m, err, crashed, &counts)
					}
				}
			}
			t.Logf("xa=%v, %d participants, %d messages: %d trials, %d committed everywhere, %d rolled back everywhere, %d mixed; %d errors with unknown outcomes",
				xa, n, clean.msgs, counts.trials, counts.committed, counts.rolledBack, counts.mixed, counts.unknown)
		}
	}
}
