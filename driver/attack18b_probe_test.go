package driver_test

import (
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/shardsql/shardsql/driver"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// r18Cols is review18b's join table: join keys of the types whose
// comparisons MariaDB converts (text with numbers, DECIMAL with DOUBLE,
// CHAR with VARCHAR, ci with bin, latin1 with utf8mb4, unsigned with
// signed, temporal with text) and NULLs. x18 is sharded by id, y18 by g
// (another key: a join of the two crosses nodes), z18 is broadcast.
const r18Cols = `id INT NOT NULL PRIMARY KEY, g INT NOT NULL, n INT NULL,
	s VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL,
	sb VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
	c CHAR(6) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL,
	l1 VARCHAR(10) CHARACTER SET latin1 COLLATE latin1_swedish_ci NULL,
	d DECIMAL(10,2) NULL, f DOUBLE NULL, u BIGINT UNSIGNED NULL, i BIGINT NULL,
	e ENUM('b','a','c') NULL, st SET('x','y','z') NULL, bt BIT(4) NULL, yr YEAR NULL,
	tm TIME NULL, dt DATETIME NULL`

var r18Rows = []string{
	`INSERT INTO %s (id, g, n, s, sb, c, l1, d, f, u, i, e, st, bt, yr, tm, dt) VALUES
	(1, 1, 1, '1', '1', '1', '1', 1.00, 1, 1, 1, 'a', 'x', b'0001', 2001, '01:00:00', '2025-01-01 00:00:00'),
	(2, 1, NULL, '1abc', '1abc', '1abc', 'a', 1.10, 1.1, 2, -1, 'b', 'y', b'0010', 1999, '25:00:00', '2025-01-01 00:00:01'),
	(3, 2, 2, '01', '01', '01', 'A', 2.00, 2, 18446744073709551615, -9223372036854775808, 'c', 'x,y', b'0011', 2069, '-01:00:00', '2024-12-31 23:59:59'),
	(4, 2, 3, ' 1', ' 1', ' 1', 'a ', 0.10, 0.1, 0, 0, NULL, '', b'0000', 1970, '00:00:00', NULL),
	(5, 3, NULL, 'a', 'a', 'a', 'å', NULL, NULL, NULL, NULL, 'a', NULL, NULL, NULL, NULL, '2025-06-30 12:00:00'),
	(6, 3, 1, 'A', 'A', 'A', 'ä', 3.00, 3, 3, 3, 'b', 'z', b'1111', 2155, '838:59:59', '2025-01-01'),
	(7, 4, 2, 'a ', 'a ', 'a ', 'B', 1.00, 1.0000000001, 1, 1, 'c', 'x,z', b'0001', 2000, '01:00:00', '2025-01-01 00:00:00'),
	(8, 4, 3, NULL, NULL, NULL, NULL, -1.00, -1, 5, -1, 'a', 'y', b'0101', 1901, '-838:59:59', '2025-03-03 03:03:03'),
	(9, 5, 4, '2', '2', '2', 'b', 2.00, 2, 2, 2, 'b', 'x', b'0010', 2024, '02:00:00', '2025-03-03 03:03:03'),
	(10, 5, 5, '1e0', '1e0', '1e0', 'ß', 1.00, 1, 1, 1, 'a', 'x,y,z', b'1000', 2010, '00:00:01', '2025-12-31 23:59:59'),
	(11, 6, NULL, 'ss', 'ss', 'ss', 'ss', 0.00, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL),
	(12, 6, 6, 'ß', 'ß', 'ß', 'SS', 1.10, 1.1, 11, 11, 'c', 'y,z', b'0110', 2011, '11:00:00', '2011-11-11 11:11:11')`,
}

type r18Env struct{ *r16Env }

func newR18Env(t *testing.T, name string) *r18Env {
	dsns := sharedDSNs(t, name)
	oracle := openPlain(t, sharedDSNs(t, name+"_oracle")[0])
	topo := shard.NewTopology()
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d))
	}
	require.NoError(t, topo.AddTable(shard.Table{Name: "x18", Column: "id", Nodes: "ds${0..1}.x18_${0..1}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.AddTable(shard.Table{Name: "y18", Column: "g", Nodes: "ds${0..1}.y18_${0..1}", Algorithm: shard.Hash()}))
	require.NoError(t, topo.AddBroadcastTable("z18"))
	e := &r18Env{&r16Env{oracle: oracle, sharded: openDB(t, topo)}}
	e.resetR18(t)
	return e
}

// resetR18 creates x18, y18 and z18 afresh on both sides.
func (e *r18Env) resetR18(t *testing.T) {
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		for _, tb := range []string{"x18", "y18", "z18"} {
			_, err := db.Exec("DROP TABLE IF EXISTS " + tb)
			require.NoError(t, err)
			_, err = db.Exec("CREATE TABLE " + tb + " (" + r18Cols + ")")
			require.NoError(t, err, tb)
			for _, ins := range r18Rows {
				_, err := db.Exec(fmt.Sprintf(ins, tb))
				require.NoError(t, err, ins)
			}
		}
	}
}

// TestAttack18bProbe runs SHARDSQL_A18B_PROBE over x18/y18/z18: "O "/"U "
// an ordered/unordered read compared exactly (names, types, text), "D "
// the oracle's answer alone.
func TestAttack18bProbe(t *testing.T) {
	lines := probeFileFrom(t, "SHARDSQL_A18B_PROBE")
	e := newR18Env(t, "attack18b_probe")
	probeFile{oracle: e.oracle, outcome: e.outcome,
		more: map[byte]func(string) string{
			'W': func(q string) string { return e.writeOutcome(t, q) }, // a write on both, then the tables compared and reset
		}}.run(t, lines)
}

// writeOutcome runs a write on both sides and compares what it did: the
// error or rows affected, then every table's rows; the tables are reset.
func (e *r18Env) writeOutcome(t *testing.T, q string) string {
	defer e.resetR18(t)
	want, werr := e.oracle.Exec(q)
	got, gerr := e.sharded.Exec(q)
	switch {
	case gerr != nil && errors.Is(gerr, driver.ErrUnsupported):
		return "refused: " + gerr.Error()
	case werr != nil || gerr != nil:
		return fmt.Sprintf("errors: oracle %v | shardsql %v", werr, gerr)
	}
	wn, _ := want.RowsAffected()
	gn, _ := got.RowsAffected()
	out := ""
	if wn != gn {
		out = fmt.Sprintf("WRONG rows affected %d, oracle %d; ", gn, wn)
	}
	for _, tb := range []string{"x18", "y18", "z18"} {
		if o := e.outcome("SELECT * FROM "+tb, false); o != "exact" {
			out += tb + ": " + o + "; "
		}
	}
	if out == "" {
		return "exact"
	}
	return out
}
