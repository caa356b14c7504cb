package route

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInListOwners: each node is sent only the IN-list values it owns, in
// list order; a value no node holds (NULL) goes to no node, and in
// particular not to node 0, which a zero-valued owner once stood for.
func TestInListOwners(t *testing.T) {
	r := testRouter(t)
	// t_user by Mod over 4 nodes: v on node v mod 4 (ds0.t_user_0,
	// ds0.t_user_1, ds1.t_user_0, ds1.t_user_1)
	p, err := r.Route("SELECT * FROM t_user WHERE id IN (NULL, 5, 1, 6, 9)", nil)
	require.NoError(t, err)
	var got []string
	for _, u := range p.Units {
		got = append(got, u.Node.String()+": "+u.SQL)
	}
	assert.Equal(t, []string{
		"ds0.t_user_1: select * from t_user_1 where id in (5, 1, 9)",
		"ds1.t_user_0: select * from t_user_0 where id in (6)",
	}, got)
}
