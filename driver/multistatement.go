package driver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/shardsql/shardsql/route"
)

// execMulti runs the statements of a multi-statement string
// (route.Router.Split) one after another, each routed on its own, with the
// arguments its ? placeholders take, as go-sql-driver with
// multiStatements=true runs them on one server: the first that fails stops
// the rest, and the ones before it stay applied (inside a transaction they
// are part of it). The result is the last statement's, as go-sql-driver's
// is; AllRowsAffected and AllLastInsertIds give every statement's.
func (c *Conn) execMulti(ctx context.Context, pieces []route.Piece, args []driver.NamedValue) (driver.Result, error) {
	own, err := pieceArgs(pieces, args)
	if err != nil {
		return nil, err
	}
	res := &multiResult{}
	for i, p := range pieces {
		r, err := c.execOne(ctx, p.SQL, own[i])
		if err != nil {
			return nil, pieceError(i+1, len(pieces), err)
		}
		res.results = append(res.results, r)
	}
	return res, nil
}

// pieceError is the error of statement i of n. A refusal keeps its
// "shardsql: unsupported: " prefix, which users and the exact-or-refused
// checks match (found by the write attack suite: "shardsql: statement 1 of
// 2: shardsql: unsupported: …" for SET NAMES latin1; SET NAMES utf8mb4).
func pieceError(i, n int, err error) error {
	if errors.Is(err, route.ErrUnsupported) {
		return fmt.Errorf("%w (statement %d of %d of a multi-statement string; those before it ran)", err, i, n)
	}
	return fmt.Errorf("shardsql: statement %d of %d: %w", i, n, err)
}

// pieceArgs deals a multi-statement string's arguments to its statements
// in order, each as many as its ? placeholders, numbered from 1.
func pieceArgs(pieces []route.Piece, args []driver.NamedValue) ([][]driver.NamedValue, error) {
	need := 0
	for _, p := range pieces {
		need += p.NumArgs
	}
	if need != len(args) {
		return nil, fmt.Errorf("shardsql: multi-statement string has %d ? placeholder(s) but %d argument(s) were given", need, len(args))
	}
	out := make([][]driver.NamedValue, len(pieces))
	for i, p := range pieces {
		own := make([]driver.NamedValue, p.NumArgs)
		for j := range own {
			own[j] = args[j]
			own[j].Ordinal = j + 1
		}
		args = args[p.NumArgs:]
		out[i] = own
	}
	return out, nil
}

// multiResult is the result of a multi-statement string: the last
// statement's, with every statement's at hand.
type multiResult struct {
	results []driver.Result
}

// LastInsertId is the last statement's.
func (m *multiResult) LastInsertId() (int64, error) {
	return m.results[len(m.results)-1].LastInsertId()
}

// RowsAffected is the last statement's.
func (m *multiResult) RowsAffected() (int64, error) {
	return m.results[len(m.results)-1].RowsAffected()
}

// AllRowsAffected returns each statement's rows affected, as
// go-sql-driver's mysql.Result does (reach it with sql.Conn.Raw).
func (m *multiResult) AllRowsAffected() []int64 {
	out := make([]int64, len(m.results))
	for i, r := range m.results {
		out[i], _ = r.RowsAffected()
	}
	return out
}

// AllLastInsertIds returns each statement's last insert id (0 where it
// has none).
func (m *multiResult) AllLastInsertIds() []int64 {
	out := make([]int64, len(m.results))
	for i, r := range m.results {
		out[i], _ = r.LastInsertId()
	}
	return out
}
