package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

// Sharding values are checked against the server itself: the same
// spellings are written to a plain table on one MariaDB server and,
// through shardsql, to a sharded copy; every read must then return the
// same rows from both, and every row shardsql placed must sit on the node
// of the value the server stored.

// trickyIntegers are spellings of values for an integer column, as SQL text.
var trickyIntegers = []string{
	"1", "'1'", "'01'", "' 1'", "'1 '", "'+1'", "'-1'", "'-0'", "'0'", "''", "'abc'", "'1abc'",
	"'  12abc'", "'1.0'", "'1.'", "'.5'", "'1.5'", "'2.5'", "'1e0'", "'1e'", "'1e2'", "'1.50e1'",
	"'100e-2'", "'\\t1'", "'\\n2'", "'0x31'", "X'31'", "0x31", "x'3132'", "b'1'", "1.0", "1.5",
	"2.5", "1e0", "-1.0", "2.0e1", "'18446744073709551616'", "18446744073709551616",
	"'9007199254740993'", "9007199254740993", "'9223372036854775807'", "'1e20'", "NULL",
	"'49'", "'12'", "12", "49", "100", "20", "-1", "0",
}

// trickyIntegerArgs are ? arguments for the same columns.
var trickyIntegerArgs = []any{
	"01", []byte("01"), " 1", "1.5", "1.0", "1e2", "abc", "", 1.0, 1.5, 12.0, int64(1), int64(-1), true, false, "  12abc",
}

// conversionCase is one sharded table and its plain twin.
type conversionCase struct {
	sharded, plain string
	column         string // the column definition
	table          shard.Table
}

// TestExactValuesOnMariaDB checks sharding values against the server on
// one pair of MariaDB servers: integer spellings, text collations and time
// zones.
func TestExactValuesOnMariaDB(t *testing.T) {
	servers := shardtest.MariaDB(t, 2)
	t.Run("integers", func(t *testing.T) { integerConversionMatchesServer(t, servers) })
	t.Run("text", func(t *testing.T) { textCollationMatchesServer(t, servers) })
	t.Run("time zones", func(t *testing.T) { timeKeysFollowDSNLoc(t, servers) })
}

// integerConversionMatchesServer: integer columns, literals and arguments.
func integerConversionMatchesServer(t *testing.T, servers []*shardtest.Server) {
	cases := []conversionCase{
		{"t_conv", "t_conv_plain", "BIGINT NULL",
			shard.Table{Name: "t_conv", Column: "user_id", Nodes: "ds${0..1}.t_conv_${0..3}", Algorithm: shard.Hash()}},
		{"t_convr", "t_convr_plain", "INT UNSIGNED NULL",
			shard.Table{Name: "t_convr", Column: "user_id", Nodes: "ds${0..1}.t_convr_${0..1}", Algorithm: shard.Range(1, 2, 50)}},
	}
	topo := shard.NewTopology()
	for i, s := range servers {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), s.DSN()))
	}
	for _, c := range cases {
		require.NoError(t, topo.AddTable(c.table))
	}
	db := openDB(t, topo)
	plainDB := direct(t, servers[0])
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.sharded, func(t *testing.T) {
			for _, name := range []string{c.sharded, c.plain} {
				_, err := db.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %s (id INT NOT NULL PRIMARY KEY, user_id %s)", name, c.column))
				require.NoError(t, err)
			}
			table, _ := topo.Table(c.sharded)
			placed, refused := 0, 0
			for id, spelling := range trickyIntegers {
				_, plainErr := plainDB.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (id, user_id) VALUES (%d, %s)", c.plain, id, spelling))
				var stored sql.NullInt64
				if plainErr == nil {
					require.NoError(t, plainDB.QueryRowContext(ctx, fmt.Sprintf("SELECT user_id FROM %s WHERE id = %d", c.plain, id)).Scan(&stored))
				}
				_, err := db.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (id, user_id) VALUES (%d, %s)", c.sharded, id, spelling))
				if err == nil {
					require.NoError(t, plainErr, "shardsql placed %s, which the server refuses", spelling)
					require.True(t, stored.Valid)
					n, err := table.NodeFor(stored.Int64)
					require.NoError(t, err)
					assert.Equal(t, []string{table.Nodes[n].String()}, nodesHolding(t, servers, table, id),
						"%s is stored as %d and must be on its node", spelling, stored.Int64)
					placed++
					continue
				}
				if plainErr != nil && !errors.Is(err, route.ErrUnsupported) {
					continue // both refused it: the server said why
				}
				if spelling == "NULL" {
					assert.ErrorContains(t, err, "NULL for sharding column")
				} else {
					require.ErrorIs(t, err, route.ErrUnsupported, spelling)
					assert.Contains(t, err.Error(), "write the value exactly as the column stores it")
				}
				refused++
				if plainErr == nil && stored.Valid {
					// Keep the twins identical: the row as the server stored it.
					_, err := db.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (id, user_id) VALUES (?, ?)", c.sharded), id, stored.Int64)
					require.NoError(t, err)
				}
			}
			t.Logf("%s: %d spellings placed, %d refused", c.sharded, placed, refused)
			assert.Positive(t, placed)

			same := func(where string, args ...any) {
				t.Helper()
				want := queryIDs(t, plainDB, fmt.Sprintf("SELECT id FROM %s WHERE %s ORDER BY id", c.plain, where), args...)
				got := queryIDs(t, db, fmt.Sprintf("SELECT id FROM %s WHERE %s ORDER BY id", c.sharded, where), args...)
				assert.Equal(t, want, got, "WHERE %s %v", where, args)
			}
			for _, spelling := range trickyIntegers {
				same("user_id = " + spelling)
				same(spelling + " = user_id")
				same("user_id IN (" + spelling + ", 7777)")
				same("user_id < " + spelling)
				same("user_id >= " + spelling)
				same("user_id BETWEEN " + spelling + " AND 60")
			}
			for _, arg := range trickyIntegerArgs {
				same("user_id = ?", arg)
				same("user_id IN (?, 7777)", arg)
				same("user_id <= ?", arg)
				same("user_id > ?", arg)
			}
			// Every row is found by the integer the server stored.
			rows, err := plainDB.QueryContext(ctx, fmt.Sprintf("SELECT id, user_id FROM %s WHERE user_id IS NOT NULL", c.plain))
			require.NoError(t, err)
			stored := map[int64]int64{}
			for rows.Next() {
				var id, v int64
				require.NoError(t, rows.Scan(&id, &v))
				stored[id] = v
			}
			require.NoError(t, rows.Err())
			require.NotEmpty(t, stored)
			for id, v := range stored {
				assert.Contains(t, queryIDs(t, db, fmt.Sprintf("SELECT id FROM %s WHERE user_id = ?", c.sharded), v), id)
				assert.Contains(t, queryIDs(t, db, fmt.Sprintf("SELECT id FROM %s WHERE user_id = %d", c.sharded, v)), id)
			}
		})
	}
}

// trickyTexts are spellings of values for a text column.
var trickyTexts = []string{
	"'alice'", "'ALICE'", "'Alice '", "'alice  '", "' alice'", "'élan'", "'ELAN'", "'Élan '", "'elan'",
	"'straße'", "'STRASSE'", "'strasse'", "'a\\tb'", "'a b'", "''", "' '", "'😀'", "'😁'", "'12'", "'012'",
}

// textCollationMatchesServer: text columns under three collations, and a
// binary string column.
func textCollationMatchesServer(t *testing.T, servers []*shardtest.Server) {
	topo := shard.NewTopology()
	for i, s := range servers {
		require.NoError(t, topo.AddDataSource(fmt.Sprintf("ds%d", i), s.DSN()))
	}
	columns := []string{
		"VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
		"VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
		"VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
		"VARBINARY(40)",
	}
	for i := range columns {
		require.NoError(t, topo.AddTable(shard.Table{Name: fmt.Sprintf("t_text%d", i), Column: "name",
			Nodes: fmt.Sprintf("ds${0..1}.t_text%d_${0..3}", i), Algorithm: shard.Hash()}))
	}
	db := openDB(t, topo)
	plainDB := direct(t, servers[0])
	ctx := context.Background()
	for i, coll := range columns {
		t.Run(coll, func(t *testing.T) {
			sharded, plain := fmt.Sprintf("t_text%d", i), fmt.Sprintf("t_text%d_plain", i)
			for _, name := range []string{sharded, plain} {
				_, err := db.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %s (id INT NOT NULL PRIMARY KEY, name %s NOT NULL)", name, coll))
				require.NoError(t, err)
			}
			for id, spelling := range trickyTexts {
				for _, name := range []string{sharded, plain} {
					_, err := db.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (id, name) VALUES (%d, %s)", name, id, spelling))
					require.NoError(t, err, spelling)
				}
			}
			same := func(where string, args ...any) {
				t.Helper()
				want := queryIDs(t, plainDB, fmt.Sprintf("SELECT id FROM %s WHERE %s ORDER BY id", plain, where), args...)
				got := queryIDs(t, db, fmt.Sprintf("SELECT id FROM %s WHERE %s ORDER BY id", sharded, where), args...)
				assert.Equal(t, want, got, "%s: WHERE %s %v", coll, where, args)
			}
			for _, spelling := range trickyTexts {
				same("name = " + spelling)
				same("name IN (" + spelling + ", 'zzz')")
				arg := strings.NewReplacer(`\t`, "\t").Replace(strings.Trim(spelling, "'"))
				same("name = ?", arg)
				same("name = ?", []byte(arg))
			}
			same("name = 12")
			same("name = 0")
		})
	}
}

// nodesHolding lists the physical tables of table holding row id.
func nodesHolding(t *testing.T, servers []*shardtest.Server, table *shard.ShardedTable, id int) []string {
	t.Helper()
	var out []string
	for _, n := range table.Nodes {
		var ds int
		_, err := fmt.Sscanf(n.DataSource, "ds%d", &ds)
		require.NoError(t, err)
		var count int
		require.NoError(t, direct(t, servers[ds]).QueryRow(fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE id = ?", n.Table), id).Scan(&count))
		if count > 0 {
			out = append(out, n.String())
		}
	}
	return out
}

// queryIDs runs a query returning one integer column.
func queryIDs(t *testing.T, db *sql.DB, query string, args ...any) []int64 {
	t.Helper()
	rows, err := db.Query(query, args...)
	require.NoError(t, err, query)
	return collectInts(t, rows)
}
