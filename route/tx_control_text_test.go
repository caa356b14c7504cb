package route

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTxControlText: transaction control and table locks the parser
// cannot read are refused (they ran on the default data source alone),
// and statements it cannot read that commit implicitly are marked so
// (review18a); the TEMPORARY table forms, reads and DO are not.
func TestTxControlText(t *testing.T) {
	r := testRouter(t)
	for _, q := range []string{
		"BEGIN WORK", "/* c */ begin work", "COMMIT WORK", "COMMIT AND CHAIN", "COMMIT RELEASE",
		"ROLLBACK WORK", "ROLLBACK AND NO CHAIN", "LOCK TABLE t_plain WRITE", "UNLOCK TABLE",
		"START TRANSACTION READ WRITE, WITH CONSISTENT SNAPSHOT", "BEGIN NOT ATOMIC SELECT 1",
	} {
		_, err := r.Route(q, nil)
		require.Error(t, err, q)
		assert.True(t, errors.Is(err, ErrUnsupported), "%s: %v", q, err)
	}
	for _, c := range []struct {
		sql     string
		commits bool
	}{
		{"CHECK TABLE t_plain", true},
		{"CREATE OR REPLACE TABLE w (a INT)", true},
		{"CREATE SEQUENCE s", true},
		{"DROP SEQUENCE IF EXISTS s", true},
		{"CREATE DEFINER = CURRENT_USER FUNCTION f() RETURNS INT RETURN 1", true},
		{"CREATE TRIGGER tr BEFORE INSERT ON t_plain FOR EACH ROW SET @z = 1", true},
		{"GRANT SELECT ON t_plain TO 'u'@'%'", true},
		{"REVOKE ALL ON t_plain FROM 'u'@'%'", true},
		{"RENAME USER 'a'@'%' TO 'b'@'%'", true},
		{"INSTALL SONAME 'ha_blackhole'", true},
		{"LOAD INDEX INTO CACHE t_plain", true},
		{"RESET QUERY CACHE", true},
		{"START SLAVE", true},
		{"CREATE OR REPLACE TEMPORARY TABLE tmp (a INT)", false},
		{"LOAD XML INFILE 'x' INTO TABLE t_plain", false},
		{"HANDLER t_plain OPEN", false},
		{"CHECKSUM TABLE t_plain", false},
	} {
		p, err := r.Route(c.sql, nil)
		if !assert.NoError(t, err, c.sql) {
			continue
		}
		assert.Equal(t, c.commits, p.ImplicitCommit, c.sql)
	}
	p, err := r.Route("DO 1", nil)
	require.NoError(t, err)
	assert.False(t, p.ImplicitCommit, "DO commits nothing")
}
