package driver_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
)

// TestAttackDMLPreparedReuse: one prepared INSERT, SELECT, UPDATE and
// DELETE each (and the plan cache behind them), executed again and again
// with sharding values of changing Go types and spellings: every execution
// must convert its own arguments (a plan cached for 7 must not place '07'
// or 7.2 by the first execution's decision), answer as the oracle does and
// leave every row where its key routes.
func TestAttackDMLPreparedReuse(t *testing.T) {
	e := newDMLEnv(t, "adml_prepared")
	ctx := context.Background()
	texts := []string{
		"INSERT INTO d_int (k, id, v) VALUES (?, ?, 'p')",
		"SELECT k, id, n FROM d_int WHERE k = ?",
		"UPDATE d_int SET n = n + 1 WHERE k = ?",
		"DELETE FROM d_int WHERE k = ? AND id = ?",
		"INSERT INTO d_ci (k, id) VALUES (?, ?)",
		"UPDATE d_ci SET n = n + 1 WHERE k = ?",
		"INSERT INTO d_dt (at, id) VALUES (?, ?)",
		"SELECT at, id FROM d_dt WHERE at = ?",
		"UPDATE d_int SET k = ? WHERE k = ?",
	}
	prepare := func(db *sql.DB) []*sql.Stmt {
		var out []*sql.Stmt
		for _, q := range texts {
			ps, err := db.PrepareContext(ctx, q)
			require.NoError(t, err, q)
			t.Cleanup(func() { _ = ps.Close() })
			out = append(out, ps)
		}
		return out
	}
	ops, sps := prepare(e.oracle), prepare(e.sharded)
	var k7 int64 = 7
	keys := []any{int64(7), "07", 7.0, " 7 ", []byte("7"), int8(7), uint64(7), json.RawMessage("7"), &k7, 7.2, "7.5", 6.5, nil, true,
		"7abc", float32(7), uint64(math.MaxUint64), int64(8), "8.0", 8.5}
	texts2 := []any{"a", "A", "a ", []byte("á"), "ß", "ss", "😀", 7, "", nil}
	times := []any{"2025-06-01", time.Date(2025, 6, 30, 23, 59, 59, 0, time.UTC), "2025-06-30 23:59:59.9", time.Date(2025, 7, 1, 9, 0, 0, 0, time.FixedZone("JST", 9*3600)), int64(20250602), "20250603101010", time.Date(2025, 6, 30, 23, 59, 59, 999999999, time.UTC)}
	run := func(i int, args ...any) {
		t.Helper()
		label := fmt.Sprintf("%s %v", texts[i], args)
		got, gerr := runPrepared(sps[i], strings.HasPrefix(texts[i], "SELECT"), args)
		if errors.Is(gerr, driver.ErrUnsupported) {
			require.True(t, strings.HasPrefix(gerr.Error(), "shardsql: unsupported: "), gerr.Error())
			return // refused: the oracle does not run it either
		}
		want, werr := runPrepared(ops[i], strings.HasPrefix(texts[i], "SELECT"), args)
		switch {
		case (werr == nil) != (gerr == nil):
			t.Errorf("%s: oracle error %v, shardsql error %v", label, werr, gerr)
		case werr == nil && want != got:
			t.Errorf("%s: oracle %s, shardsql %s", label, want, got)
		}
		if d := e.contentsOf(texts[i]); d != "" {
			t.Errorf("%s: %s", label, d)
			e.reset(t)
		}
	}
	for id, k := range keys {
		run(0, k, id+1)
		run(1, k)
		run(2, k)
	}
	for id, k := range keys {
		run(3, k, id+1)
		run(8, k, int64(7))
		run(1, k)
	}
	for id, k := range texts2 {
		run(4, k, id+1)
		run(5, k)
	}
	for id, k := range times {
		run(6, k, id+1)
		run(7, k)
	}
}

// runPrepared runs ps with args: the sorted rows of a query, or the rows
// affected.
func runPrepared(ps *sql.Stmt, query bool, args []any) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if !query {
		res, err := ps.ExecContext(ctx, args...)
		if err != nil {
			return "", err
		}
		n, err := res.RowsAffected()
		return fmt.Sprintf("%d rows affected", n), err
	}
	rows, err := ps.QueryContext(ctx, args...)
	if err != nil {
		return "", err
	}
	res, err := scanDiffRows(rows)
	if err != nil {
		return "", err
	}
	lines := flat(res.rows)
	sort.Strings(lines)
	return strings.Join(lines, ","), nil
}

// TestAttackDMLInterpolated runs the argument cases of the key suite with
// go-sql-driver's interpolateParams on the data sources and the oracle:
// arguments then reach the server as SQL text ([]byte as _binary'…',
// float64 as a number literal, time.Time as a quoted string) instead of
// binary protocol values.
func TestAttackDMLInterpolated(t *testing.T) {
	e := newDMLEnvWith(t, "adml_interp", func(c *mysql.Config) { c.InterpolateParams = true })
	e.run(t, "interpolated", dmlArgumentStatements(false))
}
