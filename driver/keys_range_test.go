package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/seq"
	"github.com/shardsql/shardsql/shard"
)

// TestMultiRowInsertIDsConsecutive: a multi-row INSERT whose keys a
// seq.Snowflake generates stores ids consecutive from LastInsertId, which
// is what gorm's CreateInBatches and ent's CreateBulk assume; more rows
// than one millisecond holds are refused before anything is written; a
// broadcast INSERT reports its copy's id, a split INSERT without generated
// keys 0.
func TestMultiRowInsertIDsConsecutive(t *testing.T) {
	dsns := sharedDSNs(t, "keys_range")
	ctx := context.Background()
	gen, err := seq.NewSnowflake(5)
	require.NoError(t, err)
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_batch", Column: "id", Nodes: "ds${0..1}.t_batch_${0..1}",
		KeyColumn: "id", KeyGenerator: gen}))
	require.NoError(t, topo.AddBroadcastTable("t_dict"))
	db := openDB(t, topo)
	for _, q := range []string{
		"DROP TABLE IF EXISTS t_batch", "DROP TABLE IF EXISTS t_dict",
		"CREATE TABLE t_batch (id BIGINT PRIMARY KEY, n INT NOT NULL)",
		"CREATE TABLE t_dict (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10))",
	} {
		_, err := db.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}

	for round, rows := range []int{2, 700, 4096, 3} {
		var b strings.Builder
		b.WriteString("INSERT INTO t_batch (n) VALUES ")
		for i := range rows {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(%d)", round*10000+i)
		}
		var ids []int64
		res, err := db.ExecContext(driver.WithGeneratedIDs(ctx, &ids), b.String())
		require.NoError(t, err)
		first, err := res.LastInsertId()
		require.NoError(t, err)
		require.Len(t, ids, rows)
		for i, id := range ids {
			require.Equal(t, first+int64(i), id, "row %d's id is LastInsertId+%d", i, i)
		}
		// What an ORM computes from LastInsertId is what the database holds.
		var n, lo, hi int64
		require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*), MIN(n), MAX(n) FROM t_batch WHERE id BETWEEN ? AND ?",
			first, first+int64(rows)-1).Scan(&n, &lo, &hi))
		assert.Equal(t, int64(rows), n)
		assert.Equal(t, int64(round*10000), lo)
		assert.Equal(t, int64(round*10000+rows-1), hi)
		var got int64
		require.NoError(t, db.QueryRowContext(ctx, "SELECT n FROM t_batch WHERE id = ?", first+int64(rows)-1).Scan(&got))
		assert.Equal(t, int64(round*10000+rows-1), got, "the last row's id")
	}

	var before int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_batch").Scan(&before))
	big := "INSERT INTO t_batch (n) VALUES (0)" + strings.Repeat(", (0)", seq.MaxSnowflakeRange)
	_, err = db.ExecContext(ctx, big)
	require.ErrorIs(t, err, seq.ErrRangeTooLarge)
	assert.ErrorContains(t, err, "insert fewer rows per statement")
	var after int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_batch").Scan(&after))
	assert.Equal(t, before, after, "nothing written")

	// Rows that carry their ids, split over nodes: 0, no error.
	res, err := db.ExecContext(ctx, "INSERT INTO t_batch (id, n) VALUES (1, 1), (2, 2), (3, 3), (4, 4)")
	require.NoError(t, err)
	id, err := res.LastInsertId()
	require.NoError(t, err)
	assert.Equal(t, int64(0), id)

	// A broadcast table's copies generate the same id: it is reported.
	for want := int64(1); want <= 2; want++ {
		res, err = db.ExecContext(ctx, "INSERT INTO t_dict (v) VALUES (?)", "x")
		require.NoError(t, err)
		id, err = res.LastInsertId()
		require.NoError(t, err)
		assert.Equal(t, want, id)
		assertAffected(t, res, 1)
	}
}

// TestMultiRowInsertIDsSegment: with a seq.Segment, each statement's ids
// come from one block, consecutive from LastInsertId; a statement with
// more rows than a block is refused.
func TestMultiRowInsertIDsSegment(t *testing.T) {
	dsns := sharedDSNs(t, "keys_segment")
	ctx := context.Background()
	plain := openPlain(t, dsns[0])
	require.NoError(t, seq.CreateSequenceTable(ctx, plain))
	gen, err := seq.NewSegment(ctx, plain, "t_seg_id", seq.WithStep(100))
	require.NoError(t, err)
	t.Cleanup(func() { _ = gen.Close() })
	topo := dsTopology(t, dsns)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_seg", Column: "id", Nodes: "ds${0..1}.t_seg_${0..1}",
		KeyColumn: "id", KeyGenerator: gen}))
	db := openDB(t, topo)
	for _, q := range []string{"DROP TABLE IF EXISTS t_seg", "CREATE TABLE t_seg (id BIGINT PRIMARY KEY, n INT NOT NULL)"} {
		_, err := db.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	insert := func(rows int) (sql.Result, error) {
		q := "INSERT INTO t_seg (n) VALUES (0)" + strings.Repeat(", (0)", rows-1)
		return db.ExecContext(ctx, q)
	}
	prev := int64(0)
	for round := range 5 {
		res, err := insert(60)
		require.NoError(t, err)
		first, err := res.LastInsertId()
		require.NoError(t, err)
		require.Greater(t, first, prev)
		assert.Equal(t, (first-1)/100, (first+59-1)/100, "round %d: one block", round)
		var n, lo, hi int64
		require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*), MIN(id), MAX(id) FROM t_seg WHERE id >= ?", first).Scan(&n, &lo, &hi))
		assert.Equal(t, []int64{60, first, first + 59}, []int64{n, lo, hi})
		prev = first + 59
	}
	_, err = insert(101)
	require.ErrorIs(t, err, seq.ErrRangeTooLarge)
}
