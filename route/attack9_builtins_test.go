package route

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shardtest"
)

// mysqlOnlyCalls are calls the parser reads as nodes of their own (not a
// generic call) of functions MariaDB lacks: it resolves each to a stored
// function of the current schema.
var mysqlOnlyCalls = []string{
	"REGEXP_LIKE('a', 'b')", "ANY_VALUE(1)", "FORMAT_BYTES(1)", "FORMAT_PICO_TIME(1)",
	"PS_CURRENT_THREAD_ID()", "PS_THREAD_ID(1)", "GTID_SUBSET('a', 'b')", "GTID_SUBTRACT('a', 'b')",
	"WAIT_FOR_EXECUTED_GTID_SET('a', 1)", "JSON_SCHEMA_VALID('{}', '{}')",
	"JSON_SCHEMA_VALIDATION_REPORT('{}', '{}')", "JSON_STORAGE_FREE('{}')", "JSON_STORAGE_SIZE('{}')",
	"ST_GEOHASH(1, 2, 3)", "ST_LATFROMGEOHASH('a')", "ST_POINTFROMGEOHASH('a', 0)",
	"ST_LATITUDE(POINT(1, 1))", "ST_LONGITUDE(POINT(1, 1))", "GEOMETRYCOLLECTION()",
	"BIN_TO_UUID('a')", "UUID_TO_BIN('a')", "STATEMENT_DIGEST('a')", "UUID_V7()", "TRUNC(1)",
}

// TestAttack9BuiltinsAreMariaDBs calls every name of builtinFunctions on a
// real MariaDB: none may reach a stored function (error 1305), or a
// stored function of that name that writes would be read on a replica
// and merged as a built-in. The parser's own nodes for MySQL 8 functions
// MariaDB lacks must count as user functions. Before attack9 61 names of
// the list and every node of mysqlOnlyCalls failed.
func TestAttack9BuiltinsAreMariaDBs(t *testing.T) {
	srv := shardtest.MariaDB(t, 1)
	db, err := sql.Open("mysql", srv[0].DSN())
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	names := make([]string, 0, len(builtinFunctions))
	for n := range builtinFunctions {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !builtinCall(&sqlparser.FuncExpr{Name: sqlparser.NewIdentifierCI(n)}) {
			continue // GEOMETRYCOLLECTION(): built in only with arguments
		}
		_, err := db.ExecContext(ctx, fmt.Sprintf("SELECT %s()", n))
		assert.False(t, storedFunctionMissing(err), "%s is not a MariaDB built-in: %v", n, err)
	}
	p := sqlparser.NewTestParser()
	for _, c := range mysqlOnlyCalls {
		q := "SELECT " + c
		_, err := db.ExecContext(ctx, q)
		assert.True(t, storedFunctionMissing(err), "%s: MariaDB has it (%v)", c, err)
		st, err := p.Parse(q)
		require.NoError(t, err, q)
		assert.NotEmpty(t, userFunction(st), "%s is read as a built-in", c)
	}
}

// storedFunctionMissing reports MariaDB's error 1305 (FUNCTION db.f does not
// exist): the name was looked up as a stored function.
func storedFunctionMissing(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1305 || me.Number == 1630)
}

// TestAttack9MySQLOnlyPrimary: a read calling a MySQL 8 function MariaDB
// lacks stays on the primary, and a cross-node SELECT calling it is
// refused (MariaDB would call a stored function, or fail).
func TestAttack9MySQLOnlyPrimary(t *testing.T) {
	r := testRouter(t)
	for _, c := range mysqlOnlyCalls {
		q := "SELECT " + c + " FROM t_plain"
		p, err := r.Route(q, nil)
		require.NoError(t, err, q)
		assert.NotZero(t, p.Session&PrimaryOnly, q)
		_, err = r.Route("SELECT "+c+" FROM t_order", nil)
		assert.ErrorIs(t, err, ErrUnsupported, c)
	}
	p, err := r.Route("SELECT REGEXP_INSTR('a', 'b'), ST_X(POINT(1, 2)), GEOMETRYCOLLECTION(POINT(1, 1)) FROM t_plain", nil)
	require.NoError(t, err)
	assert.Zero(t, p.Session&PrimaryOnly)
}
