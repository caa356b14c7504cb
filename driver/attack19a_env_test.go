package driver_test

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// r19Cols is review19a's table: columns whose text depends on their
// declared attributes (ZEROFILL widths, FLOAT/DOUBLE(M,D) scales, a
// single-precision FLOAT, DECIMAL scales, fractional seconds, BIT and
// BINARY widths, CHAR padding, ENUM/SET indexes), which a node sends as a
// plain value. r19 is sharded by id, r19b too (a join on g = id crosses
// nodes).
const r19Cols = `id INT NOT NULL PRIMARY KEY, g INT NULL,
	zi INT(5) ZEROFILL NULL, zt TINYINT(3) UNSIGNED ZEROFILL NULL,
	zd DECIMAL(8,2) ZEROFILL NULL, zf FLOAT(7,2) ZEROFILL NULL, zdb DOUBLE ZEROFILL NULL,
	f72 FLOAT(7,2) NULL, d103 DOUBLE(10,3) NULL, f FLOAT NULL,
	d2 DECIMAL(10,2) NULL,
	dt3 DATETIME(3) NULL, t6 TIME(6) NULL, ts2 TIMESTAMP(2) NULL DEFAULT NULL,
	b5 BIT(5) NULL, b16 BIT(16) NULL, bn BINARY(4) NULL,
	c6 CHAR(6) NULL, e ENUM('b','a','c') NULL, s SET('x','y','z') NULL`

var r19Rows = `INSERT INTO %s (id, g, zi, zt, zd, zf, zdb, f72, d103, f, d2, dt3, t6, ts2, b5, b16, bn, c6, e, s) VALUES
	(1, 1, 7, 5, 2.3, 1.5, 2.5, 1.5, 2.25, 0.1, 1.50, '2025-01-01 00:00:00.000', '01:00:00.000000', '2025-01-01 00:00:00.00', b'00001', b'0000000001000001', 'a', 'a', 'a', 'x,y'),
	(2, 1, 123, 42, 12.00, 3, 10, 3, 4, 1.1, 2.00, '2025-01-01 00:00:00.500', '00:00:00.5', '2025-01-01 00:00:01.50', b'10101', b'0100000101000010', 'ab', 'ab ', 'b', 'y'),
	(3, 2, 99999, 255, 0.5, 0.25, 0.125, 0.25, 0.125, 3.4e38, -0.5, '2024-12-31 23:59:59.999', '-00:00:01.000000', NULL, b'00000', b'0000000000000000', 'abcd', ' a', 'c', ''),
	(4, 2, 0, 0, 0, 0, 0, -1, -1.5, 16777217, 0.00, NULL, NULL, '2025-06-30 12:00:00.01', b'11111', b'1111111111111111', '', '', NULL, 'x,y,z'),
	(5, 3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
	(6, 3, 42, 7, 100.10, 12.5, 0.1, 12.5, 0.1, 1.0000001, 100.10, '2025-06-30 12:00:00.100', '12:00:00.000001', '2025-06-30 12:00:00.10', b'00110', b'0011000100110010', 'z', 'zz', 'a', 'z'),
	(7, 4, 8, 9, 3.10, 2, 1e10, 2, 1234567.5, 123456.7, 3.10, '2025-03-03 03:03:03.300', '838:59:59.000000', '2025-03-03 03:03:03.30', b'01000', b'0000000000110000', 'q', 'q', 'b', 'x'),
	(8, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1.00, '2025-03-03 03:03:03.000', '00:00:00.000000', '2025-03-03 03:03:03.00', b'00001', b'0000000000000001', 'a', 'a', 'c', 'y,z')`

type r19Env struct{ *r16Env }

func newR19Env(t *testing.T, name string) *r19Env {
	dsns := sharedDSNs(t, name)
	oracle := openPlain(t, sharedDSNs(t, name+"_oracle")[0])
	topo := shard.NewTopology()
	for i, d := range dsns {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), d))
	}
	for _, tb := range []string{"r19", "r19b"} {
		require.NoError(t, topo.AddTable(shard.Table{Name: tb, Column: "id", Nodes: "ds${0..1}." + tb + "_${0..1}", Algorithm: shard.Hash()}))
	}
	require.NoError(t, topo.AddBroadcastTable("r19c"))
	e := &r19Env{&r16Env{oracle: oracle, sharded: openDB(t, topo)}}
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		for _, tb := range []string{"r19", "r19b", "r19c"} {
			_, err := db.Exec("DROP TABLE IF EXISTS " + tb)
			require.NoError(t, err)
			_, err = db.Exec("CREATE TABLE " + tb + " (" + r19Cols + ")")
			require.NoError(t, err, tb)
			_, err = db.Exec(fmt.Sprintf(r19Rows, tb))
			require.NoError(t, err, tb)
		}
	}
	for _, db := range []*sql.DB{e.oracle, e.sharded} {
		// r19u: unsharded, on the default data source only
		_, err := db.Exec("DROP TABLE IF EXISTS r19u")
		require.NoError(t, err)
		_, err = db.Exec("CREATE TABLE r19u (" + r19Cols + ")")
		require.NoError(t, err)
		_, err = db.Exec(fmt.Sprintf(r19Rows, "r19u"))
		require.NoError(t, err)
	}
	return e
}

// TestAttack19aProbe runs SHARDSQL_A19A_PROBE ("O "/"U " an ordered or
// unordered read compared exactly, "D " the oracle's answer alone) over
// r19/r19b/r19c.
func TestAttack19aProbe(t *testing.T) {
	lines := probeFileFrom(t, "SHARDSQL_A19A_PROBE")
	e := newR19Env(t, "attack19a_probe")
	sess := e.session(t)
	probeFile{oracle: e.oracle, outcome: sess.outcome,
		more: map[byte]func(string) string{
			'S': func(q string) string { // a SET on the held sessions
				oerr, serr := sess.exec(q)
				return fmt.Sprintf("oracle %v, shardsql %v", oerr, serr)
			},
		}}.run(t, lines)
}
