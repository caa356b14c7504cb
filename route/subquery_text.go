package route

import (
	"fmt"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// textOf prints node as statement text with ? placeholders and returns
// the caller's arguments they take, in order.
func (s *statement) textOf(node sqlparser.SQLNode) (string, []any) {
	var args []any
	buf := sqlparser.NewTrackedBuffer(func(buf *sqlparser.TrackedBuffer, n sqlparser.SQLNode) {
		if a, ok := n.(*sqlparser.Argument); ok {
			buf.WriteByte('?')
			if i, ok := argIndex(a.Name); ok && i < len(s.args) {
				args = append(args, s.args[i])
			}
			return
		}
		n.Format(buf)
	})
	buf.Myprintf("%v", node)
	return buf.String(), args
}

// routeText routes a statement shardsql wrote (a subquery, an outer
// statement with values bound) with this statement's options. Its parse is
// not cached: bound values make every such text new.
func (s *statement) routeText(sql string, args []any) (*Plan, error) {
	stmt, bindVars, err := s.router.parser.Parse2(sql)
	if err != nil {
		return nil, fmt.Errorf("shardsql: route: parsing rewritten statement %q: %w", quote(sql), err)
	}
	if len(bindVars) != len(args) {
		return nil, fmt.Errorf("shardsql: route: rewritten statement %q has %d placeholders for %d arguments", quote(sql), len(bindVars), len(args))
	}
	ps := &parsed{sql: sql, stmt: stmt, numArgs: len(bindVars), session: sessionUsesOf(stmt), sessionKnown: true}
	sub := &statement{router: s.router, sql: sql, args: args, topo: s.topo, weights: s.weights, maxRows: s.maxRows, joinBatch: s.joinBatch,
		hints: s.hints, hintDS: s.hintDS, interpolated: s.interpolated, ps: ps, version: s.version, catalog: s.catalog}
	p, err := sub.route(stmt)
	if err != nil {
		return nil, s.callerText(err, sql)
	}
	return p, nil
}

// callerText rewords an error about a statement shardsql wrote to name the
// caller's statement instead (keeping what it wraps).
func (s *statement) callerText(err error, written string) error {
	from := fmt.Sprintf(" in %q", quote(written))
	if s.sql == written || !strings.HasSuffix(err.Error(), from) {
		return err
	}
	return &reworded{err: err, msg: strings.TrimSuffix(err.Error(), from) + fmt.Sprintf(" in %q", quote(s.sql))}
}

// reworded is an error with another message.
type reworded struct {
	err error
	msg string
}

func (e *reworded) Error() string { return e.msg }
func (e *reworded) Unwrap() error { return e.err }
