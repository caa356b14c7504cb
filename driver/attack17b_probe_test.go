package driver_test

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"os"
	"strings"
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
	file := os.Getenv("SHARDSQL_A17B_PROBE")
	if file == "" {
		t.Skip("SHARDSQL_A17B_PROBE not set")
	}
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	e := newR16Env(t, "attack17b_probe")
	s := e.session(t)
	counts := map[string]int{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		switch line[0] {
		case 'R':
			s = e.session(t)
			continue
		case 'S':
			oerr, serr := s.exec(line[2:])
			t.Logf("%s\n    oracle %v | shardsql %v", line, oerr, serr)
			continue
		}
		out := s.outcome(line[2:], line[0] == 'O')
		counts[strings.SplitN(out, ":", 2)[0]]++
		if os.Getenv("SHARDSQL_A16_READ_ALL") == "" && out == "exact" {
			continue
		}
		if len(out) > 1500 {
			out = out[:1500]
		}
		t.Logf("%s\n    => %s", line, out)
	}
	t.Logf("outcomes: %v", counts)
}
