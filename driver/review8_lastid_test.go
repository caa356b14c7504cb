package driver_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"

	"github.com/shardsql/shardsql/shard"
)

// r8Counters is a counter table with explicit keys (no generator, no
// AUTO_INCREMENT), sharded by id over four nodes on two data sources.
var r8Counters = []dmlTable{
	{name: "c8", key: "id", intKey: true, alg: shard.Hash(), nodes: "ds${0..1}.c8_${0..1}",
		cols: "id INT NOT NULL PRIMARY KEY, n INT NOT NULL DEFAULT 0", order: "id"},
}

// TestReview8LastInsertIDExpr runs MySQL's documented counter idiom,
// UPDATE t SET n = LAST_INSERT_ID(n + 1) … then SELECT LAST_INSERT_ID(),
// on rows of every node: LAST_INSERT_ID(expr) sets the session's value on
// the node the statement ran on, so a later LAST_INSERT_ID() must be read
// there. attack8 stopped recording that node for a sharded table
// (Conn.after dropped a node's reported id as "an explicit value"), and
// SELECT LAST_INSERT_ID() then answered from the default data source's
// session: 0 where MariaDB answers n + 1.
func TestReview8LastInsertIDExpr(t *testing.T) {
	e := newDMLEnvOf(t, "r8_lastid", nil, r8Counters)
	s := func(sql string) dmlStmt { return dmlStmt{sql: sql, session: true, lastID: true} }
	read := dmlStmt{sql: "SELECT LAST_INSERT_ID()", session: true, query: true, mustRun: true}
	for id := 1; id <= 8; id++ {
		// A fresh session each round (the held connections keep the
		// last round's node; a statement on another node would be
		// refused, rightly).
		e.freshSession(t)
		e.reset(t)
		sts := []dmlStmt{
			s("INSERT INTO c8 (id, n) VALUES (1, 10), (2, 20), (3, 30), (4, 40), (5, 50), (6, 60), (7, 70), (8, 80)"),
			{sql: fmt.Sprintf("UPDATE c8 SET n = LAST_INSERT_ID(n + 1) WHERE id = %d", id), session: true, lastID: true},
			read,
			{sql: fmt.Sprintf("INSERT INTO c8 (id, n) VALUES (%d, 0) ON DUPLICATE KEY UPDATE n = LAST_INSERT_ID(n + 100)", id), session: true, lastID: true},
			read,
			{sql: fmt.Sprintf("SELECT LAST_INSERT_ID(n * 2) FROM c8 WHERE id = %d", id), session: true, query: true},
			read,
			{sql: "SELECT n FROM c8 WHERE n = LAST_INSERT_ID()", session: true, query: true},
		}
		e.run(t, fmt.Sprintf("counter %d", id), sts)
	}
}

// freshSession replaces the held connections of both sides with new ones.
func (e *dmlEnv) freshSession(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	_ = e.oconn.Close()
	_ = e.sconn.Close()
	var err error
	e.oconn, err = e.oracle.Conn(ctx)
	require.NoError(t, err)
	e.sconn, err = e.sharded.Conn(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.oconn.Close(); _ = e.sconn.Close() })
}

// r8Explicit is an AUTO_INCREMENT key the caller always gives (no
// generator: route refuses leaving it to the servers), sharded by it.
var r8Explicit = []dmlTable{
	{name: "x8", key: "id", intKey: true, alg: shard.Hash(), nodes: "ds${0..1}.x8_${0..1}",
		cols: "id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10) NULL", order: "id"},
}

// TestReview8ExplicitLastID: LastInsertId of a multi-node INSERT or
// REPLACE whose rows give the AUTO_INCREMENT key explicitly is the last
// row's value, as MariaDB reports (attack8's Plan.ExplicitLastID) — for
// every spelling of that value: integers, text, decimals, arguments of
// every kind. A value shardsql cannot read as MariaDB converts it must be
// refused, not answered 0.
func TestReview8ExplicitLastID(t *testing.T) {
	ctx := context.Background()
	e := newDMLEnvOf(t, "r8_explicit", nil, r8Explicit)
	type st struct {
		sql  string
		args []any
	}
	sts := []st{
		{"INSERT INTO x8 (id, v) VALUES (11, 'a'), (12, 'b'), (13, 'c'), (14, 'd')", nil},
		{"INSERT INTO x8 (id, v) VALUES ('21', 'a'), ('22', 'b'), ('23', 'c'), ('24', 'd')", nil},
		{"INSERT INTO x8 (id, v) VALUES (31, 'a'), (32, 'b'), (33, 'c'), ('34', 'd')", nil},
		{"INSERT INTO x8 (id, v) VALUES (?, 'a'), (?, 'b'), (?, 'c'), (?, 'd')", []any{"41", "42", "43", "44"}},
		{"INSERT INTO x8 (id, v) VALUES (?, 'a'), (?, 'b'), (?, 'c'), (?, 'd')", []any{51.0, 52.0, 53.0, 54.0}},
		{"INSERT INTO x8 (id, v) VALUES (61.0, 'a'), (62.0, 'b'), (63.0, 'c'), (64.0, 'd')", nil},
		{"INSERT INTO x8 (id, v) VALUES (71, 'a'), (72, 'b'), (73, 'c'), (74.4, 'd')", nil},
		{"INSERT INTO x8 (id, v) VALUES (?, 'a'), (?, 'b'), (?, 'c'), (?, 'd')", []any{[]byte("81"), []byte("82"), []byte("83"), []byte("84")}},
		{"INSERT INTO x8 (id, v) VALUES (?, 'a'), (?, 'b'), (?, 'c'), (?, 'd')", []any{91, 92, 93, true}},
		{"REPLACE INTO x8 (id, v) VALUES ('11', 'x'), ('12', 'y'), ('13', 'z'), ('14', 'w')", nil},
		{"INSERT INTO x8 (id, v) VALUES (-5, 'a'), (-6, 'b'), (-7, 'c'), (-8, 'd')", nil},
		{"INSERT INTO x8 (id, v) VALUES (101, 'a'), (102, 'b'), (103, 'c'), (104 + 1, 'd')", nil},
		{"INSERT INTO x8 (id, v) VALUES (111, 'a'), (112, 'b'), (113, 'c'), (' 114', 'd')", nil},
	}
	answered := 0
	for _, c := range sts {
		sres, serr := e.sconn.ExecContext(ctx, c.sql, c.args...)
		if errors.Is(serr, driver.ErrUnsupported) {
			t.Logf("%s: refused: %v", c.sql, serr)
			continue
		}
		ores, oerr := e.oconn.ExecContext(ctx, c.sql, c.args...)
		if (oerr == nil) != (serr == nil) {
			t.Errorf("%s %v: oracle %v, shardsql %v", c.sql, c.args, oerr, serr)
			continue
		}
		if oerr != nil {
			continue
		}
		want, err := ores.LastInsertId()
		require.NoError(t, err)
		got, err := sres.LastInsertId()
		if errors.Is(err, driver.ErrUnsupported) {
			t.Logf("%s %v: LastInsertId refused (MariaDB: %d)", c.sql, c.args, want)
			continue
		}
		require.NoError(t, err, c.sql)
		answered++
		assert.Equal(t, want, got, "%s %v: LastInsertId", c.sql, c.args)
	}
	assert.NotZero(t, answered)
	if d := e.contents(); d != "" {
		t.Error(d)
	}
}
