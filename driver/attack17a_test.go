package driver_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestReview17aLoneRowNull: a multi-row INSERT split by node sent a node
// its one row as a one-row INSERT. Outside strict mode MariaDB stores the
// implicit default for NULL in a NOT NULL column of a multi-row INSERT
// but fails a one-row INSERT with 1048: `VALUES (104, 1, 1), (105, 1, 1),
// (106, 1, NULL)` failed through shardsql where one database inserted
// three rows. Now refused (strict mode fails it both ways); INSERT
// IGNORE, nullable columns and nodes taking several rows still run.
func TestReview17aLoneRowNull(t *testing.T) {
	e := newDMLEnvOf(t, "review17a_lone", nil, dmlTables[:1]) // d_int
	const refuse = "whose rows for one node are a single row"
	sts := []dmlStmt{
		{sql: "SET SESSION sql_mode = ''", session: true},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (104, 1, 1), (105, 1, 1), (106, 1, NULL)", session: true, refuse: refuse},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (?, 1, ?), (?, 1, ?), (?, 1, ?)", args: []any{104, 1, 105, 1, 106, nil}, session: true, refuse: refuse},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (104, 1, 1), (105, 1, 1), (106, 1, NULLIF(1, 1))", session: true, refuse: refuse},
		{sql: "REPLACE INTO d_int (k, id, n) VALUES (104, 1, 1), (105, 1, 1), (106, 1, NULL)", session: true, refuse: refuse},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (104, 1, 1), (105, 1, 1), (106, 1, NULL) ON DUPLICATE KEY UPDATE n = 5", session: true, refuse: refuse},
		{sql: "INSERT IGNORE INTO d_int (k, id, n) VALUES (104, 1, 1), (105, 1, 1), (106, 1, NULL)", session: true, mustRun: true},
		{sql: "INSERT INTO d_int (k, id, n, v) VALUES (107, 1, 1, NULL), (108, 1, 1, NULL), (109, 1, -1, NULL)", session: true, mustRun: true},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (1, 1, 1), (2, 1, 1), (1, 2, NULL), (2, 2, NULL)", session: true, mustRun: true},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (?, 1, ?), (?, 1, ?), (?, 1, ?)", args: []any{110, 1, 111, 1, 112, 3}, session: true, mustRun: true},
		{sql: "SET SESSION sql_mode = DEFAULT", session: true},
		{sql: "INSERT INTO d_int (k, id, n) VALUES (204, 1, 1), (205, 1, 1), (206, 1, NULL)", session: true, refuse: refuse},
	}
	refused := e.run(t, "lone row", sts)
	assert.Equal(t, 6, refused)
}
