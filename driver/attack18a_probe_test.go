package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// r18Tables are round 18's tables: t18 sharded by id over four nodes on
// two data sources, g18 sharded by a generated id (the oracle's
// AUTO_INCREMENT), u18 unsharded with AUTO_INCREMENT.
var r18Tables = []string{
	"t18 (id INT NOT NULL PRIMARY KEY, n INT NOT NULL DEFAULT 0, v VARCHAR(20) NULL)",
	"g18 (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, n INT NOT NULL DEFAULT 0, v VARCHAR(20) NULL, UNIQUE KEY (v))",
	"u18 (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, n INT NOT NULL DEFAULT 0)",
}

// r18aEnv is the oracle and shardsql over round 18's tables, each with one
// held connection (*sql.Conn) and, between BEGIN and COMMIT/ROLLBACK, a
// transaction on it.
type r18aEnv struct {
	t               *testing.T
	oracle, sharded *sql.DB
	oc, sc          *sql.Conn
	otx, stx        *sql.Tx
}

func newR18aEnv(t *testing.T, name string, opts ...driver.Option) *r18aEnv {
	dsns := sharedDSNs(t, name)
	oracle, err := sql.Open("mysql", sharedDSNs(t, name+"_oracle")[0])
	require.NoError(t, err)
	t.Cleanup(func() { _ = oracle.Close() })
	topo := shard.NewTopology()
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t18", Column: "id", Nodes: "ds${0..1}.t18_${0..1}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "g18", Column: "id", Nodes: "ds${0..1}.g18_${0..1}", Algorithm: shard.Hash(),
		KeyColumn: "id", KeyGenerator: &dmlCounter{}}))
	sharded := openDB(t, topo, opts...)
	e := &r18aEnv{t: t, oracle: oracle, sharded: sharded}
	e.reset()
	return e
}

// reset recreates the tables and opens fresh held connections.
func (e *r18aEnv) reset() {
	t := e.t
	e.closeConns()
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		for _, tb := range r18Tables {
			name, _, _ := strings.Cut(tb, " ")
			_, err := db.Exec("DROP TABLE IF EXISTS " + name)
			require.NoError(t, err)
			_, err = db.Exec("CREATE TABLE " + tb)
			require.NoError(t, err, tb)
		}
		_, err := db.Exec("INSERT INTO t18 (id, n, v) VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c'), (4, 40, 'd'), (5, 50, 'e'), (6, 60, 'f'), (7, 70, 'g'), (8, 80, 'h')")
		require.NoError(t, err)
		_, err = db.Exec("INSERT INTO u18 (n) VALUES (1), (2)")
		require.NoError(t, err)
	}
	var err error
	e.oc, err = e.oracle.Conn(context.Background())
	require.NoError(t, err)
	e.sc, err = e.sharded.Conn(context.Background())
	require.NoError(t, err)
}

func (e *r18aEnv) closeConns() {
	if e.otx != nil {
		_ = e.otx.Rollback()
		e.otx = nil
	}
	if e.stx != nil {
		_ = e.stx.Rollback()
		e.stx = nil
	}
	if e.oc != nil {
		_ = e.oc.Close()
		_ = e.sc.Close()
	}
}

// r18Runner is what a statement runs on: a transaction or the held
// connection.
type r18Runner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (e *r18aEnv) runners() (r18Runner, r18Runner) {
	var o, s r18Runner = e.oc, e.sc
	if e.otx != nil {
		o = e.otx
	}
	if e.stx != nil {
		s = e.stx
	}
	return o, s
}

// step runs one probe line on both sides and returns its outcome.
func (e *r18aEnv) step(line string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	switch line {
	case "BEGIN", "BEGIN RO", "BEGIN SER", "BEGIN RC":
		opts := &sql.TxOptions{}
		switch line {
		case "BEGIN RO":
			opts.ReadOnly = true
		case "BEGIN SER":
			opts.Isolation = sql.LevelSerializable
		case "BEGIN RC":
			opts.Isolation = sql.LevelReadCommitted
		}
		// Not ctx: database/sql rolls a transaction back when its
		// context ends.
		otx, oerr := e.oc.BeginTx(context.Background(), opts)
		stx, serr := e.sc.BeginTx(context.Background(), opts)
		e.otx, e.stx = otx, stx
		return errPair(oerr, serr)
	case "COMMIT", "ROLLBACK":
		var oerr, serr error
		if e.otx != nil {
			if line == "COMMIT" {
				oerr = e.otx.Commit()
			} else {
				oerr = e.otx.Rollback()
			}
		}
		if e.stx != nil {
			if line == "COMMIT" {
				serr = e.stx.Commit()
			} else {
				serr = e.stx.Rollback()
			}
		}
		e.otx, e.stx = nil, nil
		return errPair(oerr, serr)
	case "DUMP":
		var out []string
		for _, tb := range r18Tables {
			name, _, _ := strings.Cut(tb, " ")
			q := "SELECT * FROM " + name + " ORDER BY id"
			want, werr := runDiffQuery(e.oracle, q)
			got, gerr := runDiffQuery(e.sharded, q)
			if o := diffOutcome(want, werr, got, gerr, true); o != "exact" {
				out = append(out, name+": "+o)
			}
		}
		if len(out) == 0 {
			return "exact"
		}
		return "WRONG contents: " + strings.Join(out, "; ")
	case "RESET":
		e.reset()
		return "exact"
	}
	o, s := e.runners()
	if q, ok := strings.CutPrefix(line, "Q "); ok {
		want, werr := r18Query(ctx, o, q)
		got, gerr := r18Query(ctx, s, q)
		return diffOutcome(want, werr, got, gerr, true)
	}
	wres, werr := o.ExecContext(ctx, line)
	gres, gerr := s.ExecContext(ctx, line)
	if out, failed := errorOutcome(werr, &diffResult{}, gerr); failed {
		return out
	}
	wn, _ := wres.RowsAffected()
	gn, _ := gres.RowsAffected()
	wi, _ := wres.LastInsertId()
	gi, gierr := gres.LastInsertId()
	if wn != gn || wi != gi {
		return fmt.Sprintf("WRONG result: want rows %d id %d, got rows %d id %d (%v)", wn, wi, gn, gi, gierr)
	}
	return "exact"
}

func r18Query(ctx context.Context, r r18Runner, q string) (*diffResult, error) {
	rows, err := r.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return scanDiffRows(rows)
}

func errPair(oerr, serr error) string {
	switch {
	case oerr == nil && serr == nil:
		return "exact"
	case serr != nil && errors.Is(serr, driver.ErrUnsupported):
		return "refused: " + serr.Error()
	case oerr != nil && serr != nil:
		return "both failed: " + oerr.Error() + " | " + serr.Error()
	}
	return fmt.Sprintf("WRONG: oracle %v, shardsql %v", oerr, serr)
}

// TestAttack18aProbe runs SHARDSQL_A18_PROBE's lines in order on the held
// connections (BEGIN [RO|SER|RC], COMMIT, ROLLBACK, DUMP compares the
// tables' contents, RESET, "Q " a query, else an Exec) and logs each
// outcome.
func TestAttack18aProbe(t *testing.T) {
	file := os.Getenv("SHARDSQL_A18_PROBE")
	if file == "" {
		t.Skip("SHARDSQL_A18_PROBE not set")
	}
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	e := newR18aEnv(t, "attack18a_probe")
	defer e.closeConns()
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out := e.step(line)
		if os.Getenv("SHARDSQL_A18_ALL") == "" && out == "exact" {
			continue
		}
		if len(out) > 1200 {
			out = out[:1200]
		}
		t.Logf("%s\n    => %s", line, out)
	}
}
