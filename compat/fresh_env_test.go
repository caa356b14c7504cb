package compat_test

import (
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/seq"
	"github.com/shardsql/shardsql/shard"
)

// freshEnv is a test's databases opened again and again as a new process
// would open them: each open builds a new topology (sharded tables, bound
// pairs, broadcast tables), a new connector (its catalog read from the
// servers as they are) and new pools, for shardsql and for the oracle.
// The second open is what an application's second start sees: its
// migrations already applied, its rows already there.
type freshEnv struct {
	*env
	tables    []table
	bind      [][]string
	broadcast []string
	opens     int
}

// newFreshEnv creates the test's databases; tables and broadcast name
// the topology every open registers, bind its binding groups.
func newFreshEnv(t *testing.T, name string, broadcast []string, bind [][]string, tables ...table) *freshEnv {
	t.Helper()
	return &freshEnv{env: newEnv(t, name), tables: tables, bind: bind, broadcast: broadcast}
}

// open returns a new shardsql pool and a new oracle pool, both closed
// when the test ends (or by the caller earlier). Each open's key
// generators have worker ids of their own, as a restarted process would
// lease one.
func (f *freshEnv) open(t *testing.T) (sharded, oracle *sql.DB) {
	t.Helper()
	f.opens++
	topo := shard.NewTopology()
	for i, dsn := range f.ShardDSNs {
		if err := topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn); err != nil {
			t.Fatal(err)
		}
	}
	for i, tb := range f.tables {
		st := shard.Table{Name: tb.name, Column: tb.column, Nodes: fmt.Sprintf("ds${0..1}.%s_${0..1}", tb.name)}
		if tb.key != "" {
			gen, err := seq.NewSnowflake(int64(f.opens*16 + i + 1))
			if err != nil {
				t.Fatal(err)
			}
			st.KeyColumn, st.KeyGenerator = tb.key, gen
		}
		if err := topo.AddTable(st); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range f.bind {
		if err := topo.Bind(g...); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range f.broadcast {
		if err := topo.AddBroadcastTable(b); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := driver.NewConnector(topo)
	if err != nil {
		t.Fatal(err)
	}
	sharded = sql.OpenDB(conn)
	t.Cleanup(func() { _ = sharded.Close() })
	oracle, err = sql.Open("mysql", f.OracleDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = oracle.Close() })
	return sharded, oracle
}

// transcript is a log of what one program observed.
type transcript struct {
	mu  sync.Mutex
	out []string
}

func (tr *transcript) log(format string, a ...any) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.out = append(tr.out, fmt.Sprintf(format, a...))
}

// compareTranscripts fails t with the first lines where the oracle's and
// shardsql's transcripts differ.
func compareTranscripts(t *testing.T, what string, oracle, sharded []string) {
	t.Helper()
	n := max(len(oracle), len(sharded))
	var diffs []string
	for i := range n {
		var o, s string
		if i < len(oracle) {
			o = oracle[i]
		}
		if i < len(sharded) {
			s = sharded[i]
		}
		if o != s {
			diffs = append(diffs, fmt.Sprintf("line %d:\n  oracle:  %q\n  sharded: %q", i, o, s))
		}
	}
	if len(diffs) > 0 {
		if len(diffs) > 12 {
			diffs = append(diffs[:12], fmt.Sprintf("… %d more", len(diffs)-12))
		}
		t.Errorf("%s observed different results:\n%s", what, strings.Join(diffs, "\n"))
	}
}
