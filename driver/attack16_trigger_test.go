package driver_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// TestAttack16TriggerSpellings: a BEFORE INSERT trigger on the node tables
// that sets the sharding column puts the row where its stored key does
// not route. The catalog finds NEW.<key> in the body; spelled with a tab,
// a newline or a comment between NEW and the dot it was missed.
func TestAttack16TriggerSpellings(t *testing.T) {
	ctx := context.Background()
	dsns := sharedDSNs(t, "attack16_trg")
	topo := func() *shard.Topology {
		tp := shard.NewTopology()
		for i, dsn := range dsns {
			require.NoError(t, tp.AddDataSource(fmt.Sprintf("ds%d", i), dsn))
		}
		require.NoError(t, tp.AddTable(shard.Table{Name: "t_a16t", Column: "k", Nodes: "ds${0..1}.t_a16t_${0..1}"}))
		return tp
	}
	for _, body := range []string{
		"SET NEW\t.k = NEW\t.id + 1000",
		"SET NEW\n.k = 1000 + NEW\n.id",
		"SET NEW/* c */.k = 1000 + NEW/* c */.id",
		"SET NEW.`k` = 1000",
		"SET NEW# c\n.k = 1000",
		"SET NEW/*!.k*/ = 1000",
		"SET NEW.id = NEW.id + 0", // not the key: runs
	} {
		db := openDB(t, topo())
		_, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS t_a16t")
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, "CREATE TABLE t_a16t (k INT NOT NULL, id INT NOT NULL, PRIMARY KEY (k, id))")
		require.NoError(t, err)
		for _, dsn := range dsns {
			plain := openPlain(t, dsn)
			for _, n := range []string{"t_a16t_0", "t_a16t_1"} {
				_, err := plain.ExecContext(ctx, fmt.Sprintf("CREATE TRIGGER trg_%s BEFORE INSERT ON %s FOR EACH ROW %s", n, n, body))
				require.NoError(t, err, body)
			}
		}
		fresh := openDB(t, topo()) // a catalog read with the triggers there
		_, err = fresh.ExecContext(ctx, "INSERT INTO t_a16t (k, id) VALUES (1, 1), (2, 2), (3, 3), (4, 4)")
		if body == "SET NEW.id = NEW.id + 0" {
			require.NoError(t, err)
			var n int
			require.NoError(t, fresh.QueryRowContext(ctx, "SELECT COUNT(*) FROM t_a16t WHERE k = 3").Scan(&n))
			assert.Equal(t, 1, n)
		} else {
			require.Error(t, err, "the trigger sets the sharding column: %q", body)
			assert.ErrorIs(t, err, driver.ErrUnsupported, body)
		}
		_, err = db.ExecContext(ctx, "DROP TABLE IF EXISTS t_a16t")
		require.NoError(t, err)
	}
}
