package route

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// counter is a KeyGenerator handing out next, next+1, …
type counter struct {
	next int64
	err  error
}

func (c *counter) NextID() (int64, error) {
	if c.err != nil {
		return 0, c.err
	}
	c.next++
	return c.next - 1, nil
}

func TestInsertFillsGeneratedKeys(t *testing.T) {
	topo := testTopology(t)
	gen := &counter{next: 100}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_gen", Column: "id", Nodes: "ds${0..1}.t_gen_${0..1}",
		Algorithm: shard.Mod(), KeyColumn: "id", KeyGenerator: gen}))
	r, err := New(topo)
	require.NoError(t, err)

	// The key column is missing: every row gets an id, and routing uses it.
	p, err := r.Route("INSERT INTO t_gen (name) VALUES ('a'), (?), ('c')", []any{"b"})
	require.NoError(t, err)
	assert.Equal(t, []int64{100, 101, 102}, p.GeneratedIDs)
	var got []goldenUnit
	for _, u := range p.Units {
		got = append(got, goldenUnit{node: u.Node.String(), sql: u.SQL, args: u.Args})
	}
	assert.Equal(t, []goldenUnit{
		{node: "ds0.t_gen_0", sql: "insert into t_gen_0(`name`, id) values ('a', 100)"},
		{node: "ds0.t_gen_1", sql: "insert into t_gen_1(`name`, id) values (?, 101)", args: []any{"b"}},
		{node: "ds1.t_gen_0", sql: "insert into t_gen_0(`name`, id) values ('c', 102)"},
	}, got)

	// NULL (literal or argument) is filled; given ids are kept.
	p, err = r.Route("INSERT INTO t_gen (id, name) VALUES (NULL, 'x'), (7, 'y'), (?, 'z')", []any{nil})
	require.NoError(t, err)
	assert.Equal(t, []int64{103, 104}, p.GeneratedIDs)
	require.Len(t, p.Units, 2)
	assert.Equal(t, "insert into t_gen_0(id, `name`) values (104, 'z')", p.Units[0].SQL)
	assert.Empty(t, p.Units[0].Args, "the NULL argument was replaced by the id")
	assert.Equal(t, "insert into t_gen_1(id, `name`) values (103, 'x'), (7, 'y')", p.Units[1].SQL)

	// The cached statement is not modified by filling.
	p, err = r.Route("INSERT INTO t_gen (name) VALUES ('a'), (?), ('c')", []any{"b"})
	require.NoError(t, err)
	assert.Equal(t, []int64{105, 106, 107}, p.GeneratedIDs)

	gen.err = errors.New("lease lost")
	_, err = r.Route("INSERT INTO t_gen (name) VALUES ('a')", nil)
	assert.ErrorContains(t, err, "generating t_gen.id: lease lost")

	assert.Error(t, topo.AddTable(shard.Table{Name: "t_half", Column: "id", Nodes: "ds0.t_half", KeyColumn: "id"}), "KeyColumn without a generator")
}
