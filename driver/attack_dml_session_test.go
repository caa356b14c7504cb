package driver_test

import (
	"testing"
	"time"
)

// TestAttackDMLSession: session state that changes how the server reads a
// sharding value (character sets, time zone, sql_mode's fractional-second
// rounding and strictness, NO_AUTO_VALUE_ON_ZERO), user variables and
// LAST_INSERT_ID(expr) as keys, and sharding value hints without the
// column, each run on one held connection per side.
func TestAttackDMLSession(t *testing.T) {
	e := newDMLEnv(t, "adml_session")
	edge := time.Date(2025, 6, 30, 23, 59, 59, 999999600, time.UTC)
	sts := []dmlStmt{
		// Character sets: under SET NAMES latin1 the server reads the
		// UTF-8 bytes of 'é' as 'Ã©' and stores that (found: misplaced).
		{sql: "SET NAMES latin1", session: true, refuse: "character set other than utf8mb4"},
		{sql: "SET CHARACTER SET latin1", session: true, refuse: "character set other than utf8mb4"},
		{sql: "SET character_set_client = 'latin1'", session: true, refuse: "character set other than utf8mb4"},
		{sql: "SET character_set_connection = 'latin1'", session: true, refuse: "character set other than utf8mb4"},
		{sql: "SET NAMES 'utf8'", session: true, refuse: "character set other than utf8mb4"},
		{sql: "SET collation_connection = 'latin1_swedish_ci'", session: true, refuse: "character set other than utf8mb4"},
		{sql: "SET collation_connection = 'utf8mb4_unicode_ci'", session: true, mustRun: true},
		// Runs since attack10: the catalog says the servers' defaults are utf8mb4
		// (TestAttack10SessionCharsetDefault); refused where it does not.
		{sql: "SET NAMES DEFAULT", session: true},
		{sql: "/*!40101 SET NAMES latin1 */", session: true},
		{sql: "/*M!100000 SET NAMES latin1 */", session: true},
		{sql: "SET /*!40101 NAMES latin1 */", session: true},
		{sql: "SET NAMES latin1; SET NAMES utf8mb4", session: true},
		{sql: "SET STATEMENT character_set_client = 'latin1' FOR INSERT INTO d_ci (k, id) VALUES ('é', 9)", session: true},
		{sql: "INSERT INTO d_ci (k, id) VALUES ('é', 8), ('ø', 9)", session: true},
		{sql: "SET NAMES utf8mb4", session: true, mustRun: true},
		{sql: "SET NAMES utf8mb4 COLLATE utf8mb4_bin", session: true, mustRun: true},
		{sql: "INSERT INTO d_ci (k, id) VALUES ('é', 1), ('Ω', 2), ('ça', 3), ('A', 4)", session: true, mustRun: true},
		{sql: "SELECT k, id FROM d_ci WHERE k = 'E'", session: true, query: true, mustRun: true},
		{sql: "SET NAMES utf8mb4", session: true, mustRun: true},
		// Time zone: TIMESTAMP keys are placed by the session's wall clock
		// (found: SET time_zone = '+09:00' then '2025-07-01 05:00:00'
		// stored 2025-06-30 20:00 UTC in July's table).
		{sql: "SET time_zone = '+09:00'", session: true, refuse: "TIMESTAMP column"},
		{sql: "SET @@session.time_zone = 'Asia/Tokyo'", session: true, refuse: "TIMESTAMP column"},
		{sql: "SET time_zone = DEFAULT", session: true, refuse: "TIMESTAMP column"},
		{sql: "SET time_zone = 'SYSTEM'", session: true},
		{sql: "/*!40103 SET TIME_ZONE = '+09:00' */", session: true},
		{sql: "SET STATEMENT time_zone = '+09:00' FOR INSERT INTO d_ts (at, id) VALUES ('2025-07-01 05:00:00', 9)", session: true},
		{sql: "INSERT INTO d_ts (at, id) VALUES ('2025-07-01 05:00:00', 8)", session: true},
		{sql: "INSERT INTO d_ts (at, id) VALUES ('2025-07-01 05:00:00', 1), ('2025-06-30 23:59:59', 2)", session: true, mustRun: true},
		// Fractional seconds: truncated by default, rounded under
		// TIME_ROUND_FRACTIONAL (found: '2025-06-30 23:59:59.9' stored as
		// July 1st in June's table; a time.Time of 23:59:59.9999996 read
		// June's table while the server matched July 1st's row).
		{sql: "INSERT INTO d_dt (at, id) VALUES ('2025-07-01 00:00:00', 1), ('2025-06-30 23:59:59', 2)", mustRun: true},
		{sql: "INSERT INTO d_dt6 (at, id) VALUES ('2025-07-01 00:00:00', 1), ('2025-06-30 23:59:59.999999', 2)", mustRun: true},
		{sql: "SET sql_mode = 'STRICT_TRANS_TABLES,TIME_ROUND_FRACTIONAL'", session: true, mustRun: true},
		{sql: "INSERT INTO d_dt (at, id) VALUES ('2025-06-30 23:59:59.9', 3)", session: true, refuse: "carries into the next day"},
		{sql: "INSERT INTO d_dt (at, id) VALUES (?, 4)", args: []any{edge}, session: true, refuse: "carries into the next day"},
		{sql: "INSERT INTO d_dt (at, id) VALUES ('2025-06-30 23:59:58.9', 5), ('2025-06-30 23:59:59.4', 6)", session: true, mustRun: true},
		{sql: "INSERT INTO d_dt6 (at, id) VALUES (?, 3)", args: []any{edge}, session: true, refuse: "carries into the next day"},
		{sql: "INSERT INTO d_date (at, id) VALUES (?, 3)", args: []any{edge}, session: true, mustRun: true},
		{sql: "SELECT at, id FROM d_dt6 WHERE at = ?", args: []any{edge}, session: true, query: true, mustRun: true},
		{sql: "SELECT at, id FROM d_dt WHERE at = '2025-06-30 23:59:59.9'", session: true, query: true, mustRun: true},
		{sql: "UPDATE d_dt SET at = '2025-06-30 23:59:59.5' WHERE id = 1", session: true, refuse: "carries into the next day"},
		{sql: "UPDATE d_dt SET at = '2025-06-30 23:59:59.4' WHERE id = 1", session: true, mustRun: true},
		{sql: "SET sql_mode = DEFAULT", session: true},
		{sql: "SELECT at, id FROM d_dt6 WHERE at = ?", args: []any{edge}, session: true, query: true, mustRun: true},
		// Outside strict mode the server truncates and converts with a
		// warning: such keys are refused, others run.
		{sql: "SET sql_mode = ''", session: true, mustRun: true},
		{sql: "INSERT INTO d_int (k, id) VALUES ('7abc', 1)", session: true},
		{sql: "INSERT INTO d_int (k, id) VALUES (7.5, 2)", session: true},
		{sql: "INSERT INTO d_int (k, id) VALUES ('', 3)", session: true},
		{sql: "INSERT INTO d_tiny (k, id) VALUES (300, 1)", session: true},
		{sql: "INSERT INTO d_ci (k, id) VALUES ('abcdefghijklmn', 10)", session: true},
		{sql: "INSERT INTO d_dt (at, id) VALUES ('2025-02-30', 10)", session: true},
		{sql: "INSERT INTO d_int (k, id) VALUES (' 7 ', 4)", session: true, mustRun: true},
		// AUTO_INCREMENT (not the sharding column): a value the column
		// reads as 0 generates an id per node (found: 0.4 twice gave id 1
		// on two nodes, ids 1 and 2 on one table).
		{sql: "INSERT INTO d_auto (id, k) VALUES (0.4, 1)", session: true, refuse: "AUTO_INCREMENT"},
		{sql: "INSERT INTO d_auto (id, k) VALUES ('0.4', 2)", session: true, refuse: "AUTO_INCREMENT"},
		{sql: "INSERT INTO d_auto (id, k) VALUES ('abc', 3)", session: true, refuse: "AUTO_INCREMENT"},
		{sql: "INSERT INTO d_auto (id, k) VALUES (FALSE, 4)", session: true, refuse: "AUTO_INCREMENT"},
		{sql: "INSERT INTO d_auto (id, k) VALUES (?, 5)", args: []any{0.2}, session: true, refuse: "AUTO_INCREMENT"},
		{sql: "INSERT INTO d_auto (id, k) VALUES ('  0x10', 6)", session: true, refuse: "AUTO_INCREMENT"},
		{sql: "INSERT INTO d_auto (id, k) VALUES (0.5, 7), ('1', 8), (?, 9)", args: []any{2.0}, session: true, mustRun: true},
		{sql: "SET sql_mode = 'STRICT_TRANS_TABLES,NO_AUTO_VALUE_ON_ZERO'", session: true, mustRun: true},
		{sql: "INSERT INTO d_auto (id, k) VALUES (0, 10)", session: true},
		{sql: "SET sql_mode = 'STRICT_TRANS_TABLES,PAD_CHAR_TO_FULL_LENGTH'", session: true, mustRun: true},
		{sql: "INSERT INTO d_char (k, id) VALUES ('ab', 1), ('AB ', 2)", session: true, mustRun: true},
		{sql: "SELECT k, id FROM d_char WHERE k = 'ab  '", session: true, query: true, mustRun: true},
		{sql: "UPDATE d_char SET n = n + 1 WHERE k = 'Ab'", session: true, mustRun: true},
		{sql: "SET sql_mode = 'ANSI_QUOTES'", session: true, refuse: "sql_mode"},
		{sql: "SET sql_mode = 'NO_BACKSLASH_ESCAPES'", session: true, refuse: "sql_mode"},
		{sql: "SET sql_mode = DEFAULT", session: true, mustRun: true},
		// Variables and functions as keys.
		{sql: "SET @k = 7", session: true, mustRun: true},
		{sql: "INSERT INTO d_int (k, id) VALUES (@k, 50)", session: true},
		{sql: "SELECT k, id FROM d_int WHERE k = @k", session: true, query: true},
		{sql: "UPDATE d_int SET n = 5 WHERE k = @k", session: true},
		{sql: "DELETE FROM d_int WHERE k = @k AND id = 50", session: true},
		{sql: "INSERT INTO d_int (k, id) VALUES (LAST_INSERT_ID(8), 51)", session: true},
		{sql: "UPDATE d_int SET n = LAST_INSERT_ID(n) WHERE k = 7", session: true},
		{sql: "SELECT LAST_INSERT_ID()", session: true, query: true},
		{sql: "SET autocommit = 0", session: true, refuse: "autocommit"},
		{sql: "SET @@autocommit = 0", session: true, refuse: "autocommit"},
		// A hint without the sharding column: the server stores the
		// column's default, not the hint's value (found: k = 5 on 9's
		// node).
		{sql: "INSERT INTO d_def (id) VALUES (1)", hint: []any{"d_def", 9}, refuse: "without its sharding column"},
		{sql: "INSERT INTO d_def (id) VALUES (2)", hint: []any{"d_def", 5}, refuse: "without its sharding column"},
		{sql: "INSERT INTO d_def (k, id) VALUES (5, 3)", hint: []any{"d_def", 5}, mustRun: true},
		{sql: "INSERT INTO d_def (k, id) VALUES (DEFAULT, 4)"},
		{sql: "UPDATE d_def SET id = id + 10 WHERE id = 3", hint: []any{"d_def", 5}, mustRun: true},
	}
	e.run(t, "session", sts)
}
