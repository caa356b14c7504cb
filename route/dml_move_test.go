package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUpdateShardingColumn: an UPDATE that sets the sharding column to the
// value of the one node it reaches runs there; one that reaches other
// nodes is a KeyMove reading, deleting and reinserting on them.
func TestUpdateShardingColumn(t *testing.T) {
	r := testRouter(t)

	p, err := r.Route("UPDATE t_user SET id = 7, name = ? WHERE id = 7", []any{"x"})
	require.NoError(t, err)
	assert.Nil(t, p.Move)
	require.Len(t, p.Units, 1)
	assert.Equal(t, "ds1.t_user_1", p.Units[0].Node.String())
	assert.Equal(t, "update t_user_1 set id = 7, `name` = ? where id = 7", p.Units[0].SQL)

	p, err = r.Route("UPDATE t_user AS u SET u.name = 'b', u.id = ? WHERE u.name = 'a'", []any{2})
	require.NoError(t, err)
	require.NotNil(t, p.Move)
	assert.Equal(t, "ds1.t_user_0", p.Move.Target.String())
	assert.Equal(t, []Unit{p.Move.Update}, p.Units)
	assert.Equal(t, "update t_user_0 as u set u.`name` = 'b', u.id = ? where u.`name` = 'a'", p.Move.Update.SQL)
	assert.Equal(t, []any{2}, p.Move.Update.Args)
	require.Len(t, p.Move.Sources, 3)
	var nodes []string
	for _, src := range p.Move.Sources {
		nodes = append(nodes, src.Select.Node.String())
		assert.Equal(t, src.Select.Node, src.Delete.Node)
	}
	assert.Equal(t, []string{"ds0.t_user_0", "ds0.t_user_1", "ds1.t_user_1"}, nodes)
	assert.Equal(t, "select * from t_user_0 as u where u.`name` = 'a' for update", p.Move.Sources[0].Select.SQL)
	assert.Equal(t, "delete u from t_user_0 as u where u.`name` = 'a'", p.Move.Sources[0].Delete.SQL)
	// diff19: the WHERE evaluated as an UPDATE evaluates it, changing nothing
	assert.Equal(t, "update t_user_0 as u set id = id where u.`name` = 'a'", p.Move.Sources[0].Check.SQL)
	assert.Equal(t, p.Move.Sources[0].Delete.Args, p.Move.Sources[0].Check.Args)

	ins := p.Move.Insert([]string{"id", "name"}, [][]any{{1, "a"}, {5, "b"}})
	assert.Equal(t, "insert into t_user_0(id, `name`) values (?, ?), (?, ?)", ins.SQL)
	assert.Equal(t, []any{1, "a", 5, "b"}, ins.Args)
	assert.Equal(t, "ds1", ins.DataSource)
}
