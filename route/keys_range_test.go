package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// ranger reserves ranges like seq.Snowflake; single ids jump by 10.
type ranger struct {
	next   int64
	ranges []int
}

func (r *ranger) NextID() (int64, error) { r.next += 10; return r.next, nil }

func (r *ranger) NextIDs(n int) (int64, error) {
	r.ranges = append(r.ranges, n)
	first := r.next + 1
	r.next += int64(n)
	return first, nil
}

// jumper hands out ids that are not consecutive and cannot reserve ranges.
type jumper struct{ next int64 }

func (j *jumper) NextID() (int64, error) { j.next += 2; return j.next, nil }

// TestInsertGeneratedKeysConsecutive: a multi-row INSERT's generated ids
// are one reserved range; a generator that can only hand out ids that are
// not consecutive makes a multi-row INSERT fail, never inconsistent.
func TestInsertGeneratedKeysConsecutive(t *testing.T) {
	topo := testTopology(t)
	rg := &ranger{next: 100}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_rng", Column: "id", Nodes: "ds${0..1}.t_rng_${0..1}",
		Algorithm: shard.Mod(), KeyColumn: "id", KeyGenerator: rg}))
	jg := &jumper{}
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_jmp", Column: "id", Nodes: "ds${0..1}.t_jmp_${0..1}",
		Algorithm: shard.Mod(), KeyColumn: "id", KeyGenerator: jg}))
	r, err := New(topo)
	require.NoError(t, err)

	p, err := r.Route("INSERT INTO t_rng (id, name) VALUES (NULL, 'a'), (5, 'b'), (NULL, 'c'), (NULL, 'd')", nil)
	require.NoError(t, err)
	assert.Equal(t, []int64{101, 102, 103}, p.GeneratedIDs)
	assert.Equal(t, []int{3}, rg.ranges, "one range for the statement")

	p, err = r.Route("INSERT INTO t_rng (name, id) VALUES ('a', 9), ('b', DEFAULT)", nil)
	require.NoError(t, err)
	assert.Equal(t, []int64{113}, p.GeneratedIDs, "DEFAULT asks for an id")

	p, err = r.Route("INSERT INTO t_rng (name) VALUES ('a')", nil)
	require.NoError(t, err)
	assert.Equal(t, []int64{123}, p.GeneratedIDs, "one row takes NextID")

	p, err = r.Route("INSERT INTO t_jmp (name) VALUES ('a')", nil)
	require.NoError(t, err)
	assert.Equal(t, []int64{2}, p.GeneratedIDs)
	_, err = r.Route("INSERT INTO t_jmp (name) VALUES ('a'), ('b')", nil)
	require.ErrorContains(t, err, "shardsql: unsupported: multi-row INSERT into t_jmp whose KeyGenerator handed out ids 4 and 6, not consecutive")
	assert.ErrorContains(t, err, "NextIDs(n int)")
}
