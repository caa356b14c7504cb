package route

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLeavesState: statements whose effect on the session the router
// cannot read are marked LeavesState (so Changes: the driver never hands
// their connection to another session), without becoming session
// dependences; plain reads, writes and DDL are not; XA START and XA BEGIN
// in text are refused like BEGIN.
func TestLeavesState(t *testing.T) {
	r := testRouter(t)
	for _, c := range []struct {
		sql    string
		leaves bool
	}{
		{"PREPARE s FROM 'SELECT 1'", true},
		{"EXECUTE s", true},
		{"DEALLOCATE PREPARE s", true},
		{"CALL p()", true},
		{"DO @v := 1", true},
		{"DO GET_LOCK('l', 0)", true},
		{"EXECUTE IMMEDIATE 'SET @v = 1'", true},
		{"HANDLER h OPEN", true},
		{"CREATE OR REPLACE TEMPORARY TABLE tmp (a INT)", true},
		{"SELECT NEXTVAL(s)", true},
		{"SELECT NEXT VALUE FOR s", true},
		{"FLUSH TABLES WITH READ LOCK", true},
		{"XA COMMIT 'x'", true},
		{"SELECT * FROM t_order WHERE user_id = 1", false},
		{"SELECT 1", false},
		{"INSERT INTO t_plain (a) VALUES (1)", false},
		{"CREATE TABLE t_new (a INT)", false},
		{"SHOW TABLES", false},
		{"FLUSH TABLES", false},
		{"KILL QUERY 5", false},
	} {
		p, err := r.Route(c.sql, nil)
		if !assert.NoError(t, err, c.sql) {
			continue
		}
		assert.Equal(t, c.leaves, p.Session&LeavesState != 0, c.sql)
		assert.Equal(t, c.leaves, p.Session.Changes(), c.sql)
	}
	for _, sql := range []string{"XA START 'x'", "xa begin 'x', 'y'", "/* c */ XA START 'x' JOIN"} {
		_, err := r.Route(sql, nil)
		require.Error(t, err, sql)
		assert.True(t, errors.Is(err, ErrUnsupported), "%s: %v", sql, err)
		assert.Contains(t, err.Error(), "XA START in SQL text", sql)
	}
}
