package driver_test

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// r17bSession is one held connection on each side of newR16Env: session
// variables set on it (SET …) stay for the statements that follow.
type r17bSession struct{ oracle, sharded *sql.Conn }

func (e *r16Env) session(t *testing.T) *r17bSession {
	ctx := context.Background()
	o, err := e.oracle.Conn(ctx)
	require.NoError(t, err)
	s, err := e.sharded.Conn(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = o.Close(); _ = s.Close() })
	return &r17bSession{oracle: o, sharded: s}
}

// close discards both sessions' connections (the test's cleanup closes
// them again, a no-op): given back to their pools they would carry the
// case's SETs into a later case's "fresh" session.
func (s *r17bSession) close() {
	for _, c := range []*sql.Conn{s.oracle, s.sharded} {
		_ = c.Raw(func(any) error { return sqldriver.ErrBadConn }) // database/sql closes a connection that answers ErrBadConn
		_ = c.Close()
	}
}

func connQuery(c *sql.Conn, q string) (*diffResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rows, err := c.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return scanDiffRows(rows)
}

// exec runs a SET (or other statement) on both sides; the error of each.
func (s *r17bSession) exec(q string) (oerr, serr error) {
	_, oerr = s.oracle.ExecContext(context.Background(), q)
	_, serr = s.sharded.ExecContext(context.Background(), q)
	return oerr, serr
}

// outcome is r16Env.outcome on the held sessions.
func (s *r17bSession) outcome(q string, ordered bool) string {
	want, werr := connQuery(s.oracle, q)
	got, gerr := connQuery(s.sharded, q)
	return diffOutcome(want, werr, got, gerr, ordered)
}

// TestAttack17bSessionProbe runs SHARDSQL_A17B_PROBE over r16 on one held
// session each side: "S <sql>" runs on both (a SET), "O "/"U " compare
// an ordered/unordered read exactly, "R" opens fresh sessions.
func TestAttack17bSessionProbe(t *testing.T) {
	lines := probeFileFrom(t, "SHARDSQL_A17B_PROBE")
	e := newR16Env(t, "attack17b_probe")
	s := e.session(t)
	probeFile{oracle: e.oracle, sharded: e.sharded,
		outcome: func(q string, ordered bool) string { return s.outcome(q, ordered) },
		more: map[byte]func(string) string{
			'R': func(string) string { s = e.session(t); return "fresh sessions" },
			'S': func(q string) string {
				oerr, serr := s.exec(q)
				return fmt.Sprintf("oracle %v | shardsql %v", oerr, serr)
			},
		}}.run(t, lines)
}
