package shard_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shardsql/shardsql/shard"
)

// rollingTopo returns a topology with data sources ds0 and ds1 and the
// monthly table t_log on ds0 for January to June 2025.
func rollingTopo(t *testing.T) *shard.Topology {
	t.Helper()
	topo := newTopo(t)
	require.NoError(t, topo.AddTable(shard.Table{
		Name: "t_log", Column: "created_at",
		Nodes:     "ds0.t_log_${2025-01..2025-06|month|200601}",
		Algorithm: shard.Interval(shard.Month, "200601"),
	}))
	return topo
}

func TestAddNodes(t *testing.T) {
	topo := rollingTopo(t)
	require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds0.t_order_0"}))
	old, _ := topo.Table("t_log")

	added, err := topo.AddNodes("T_LOG", "ds1.t_log_${2025-07..2025-09|month|200601}")
	require.NoError(t, err)
	assert.Equal(t, []string{"ds1.t_log_202507", "ds1.t_log_202508", "ds1.t_log_202509"}, names(added))

	st, ok := topo.Table("t_log")
	require.True(t, ok)
	assert.NotSame(t, old, st, "the table is replaced, not modified")
	assert.Len(t, st.Nodes, 9)
	assert.Equal(t, "ds1.t_log_202509", st.Nodes[8].String())
	assert.Equal(t, []string{"ds0", "ds1"}, st.DataSources())
	assert.Equal(t, "t_log", st.Name)
	assert.Equal(t, "created_at", st.Column)

	i, err := st.NodeFor("2025-08-15")
	require.NoError(t, err)
	assert.Equal(t, "ds1.t_log_202508", st.Nodes[i].String())
	got, err := st.NodesFor(shard.ValueRange{Low: shard.Bound{Value: "2025-06-15", Inclusive: true, Set: true}})
	require.NoError(t, err)
	assert.Equal(t, []int{5, 6, 7, 8}, got)

	// The old table is untouched.
	assert.Len(t, old.Nodes, 6)
	_, err = old.NodeFor("2025-08-15")
	assert.ErrorIs(t, err, shard.ErrNoNode)

	// Tables keeps registration order and holds the new table.
	tables := topo.Tables()
	require.Len(t, tables, 2)
	assert.Same(t, st, tables[0])
	assert.Equal(t, "t_order", tables[1].Name)

	// Gaps and earlier periods are fine.
	_, err = topo.AddNodes("t_log", "ds0.t_log_202412, ds1.t_log_202512")
	require.NoError(t, err)
	st, _ = topo.Table("t_log")
	i, err = st.NodeFor("2024-12-24")
	require.NoError(t, err)
	assert.Equal(t, "ds0.t_log_202412", st.Nodes[i].String())
	_, err = st.NodeFor("2025-11-01")
	require.ErrorIs(t, err, shard.ErrNoNode)
	assert.Contains(t, err.Error(), "add a node for table t_log_202511")

	// The added physical tables are taken.
	err = topo.AddTable(shard.Table{Name: "other", Column: "id", Nodes: "ds1.t_log_202508"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "node ds1.t_log_202508 is already a node of table t_log")
}

func TestAddNodesErrors(t *testing.T) {
	tests := []struct {
		name  string
		table string
		expr  string
		want  string
	}{
		{"existing node", "t_log", "ds0.t_log_${2025-06..2025-07|month|200601}",
			"shardsql: table t_log: node ds0.t_log_202506 is already a node of table t_log"},
		{"existing node other case", "t_log", "ds0.T_LOG_202506",
			"node ds0.T_LOG_202506 is already a node of table t_log"},
		{"existing period on another data source", "t_log", "ds1.t_log_202506",
			"shardsql: table t_log: interval: nodes ds0.t_log_202506 and ds1.t_log_202506 both hold the month starting 2025-06-01"},
		{"node of another table", "t_log", "ds0.t_order_0",
			"node ds0.t_order_0 is already a node of table t_order"},
		{"unknown data source", "t_log", "ds9.t_log_202507",
			`shardsql: table t_log: node ds9.t_log_202507 uses data source "ds9", which is not registered (registered: ds0, ds1)`},
		{"bad suffix", "t_log", "ds0.t_log_2025x7",
			`table suffix "2025x7" is not a date in layout "200601"`},
		{"not a period start", "t_log", "ds1.t_log_archive", // suffix "rchive"
			`is not a date in layout "200601"`},
		{"malformed expression", "t_log", "ds0.t_log_${2025-07..2025-08|month|200601",
			`shardsql: table t_log: node expression "ds0.t_log_${2025-07..2025-08|month|200601": group`},
		{"empty expression", "t_log", " ",
			"shardsql: table t_log: node expression \" \": is empty"},
		{"unknown table", "t_missing", "ds0.t_missing_202501",
			"shardsql: table t_missing is not registered; call AddTable first"},
		{"hash table", "t_order", "ds0.t_order_9",
			"shardsql: table t_order uses algorithm hash, so its node set is fixed: hash, mod and range place values by the node count, and adding nodes would move rows; only shard.Interval tables can get more nodes"},
		{"mod table", "t_user", "ds0.t_user_9",
			"shardsql: table t_user uses algorithm mod, so its node set is fixed"},
		{"range table", "t_account", "ds0.t_account_9",
			"shardsql: table t_account uses algorithm range, so its node set is fixed"},
		{"bound table", "t_log_a", "ds0.t_log_a_202503",
			"shardsql: table t_log_a is bound to t_log_b; binding tables must keep the same nodes at every index, so their node sets are fixed"},
		{"broadcast table", "t_dict", "ds0.t_dict_202501",
			"shardsql: table t_dict: t_dict is a broadcast table, which is on every data source; AddNodes is for sharded Interval tables"},
		{"broadcast table's physical name", "t_log", "ds0.t_dict",
			"node ds0.t_dict is the physical table of broadcast table t_dict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := rollingTopo(t)
			require.NoError(t, topo.AddTable(shard.Table{Name: "t_order", Column: "user_id", Nodes: "ds0.t_order_${0..1}"}))
			require.NoError(t, topo.AddTable(shard.Table{Name: "t_user", Column: "id", Nodes: "ds0.t_user_${0..1}", Algorithm: shard.Mod()}))
			require.NoError(t, topo.AddTable(shard.Table{Name: "t_account", Column: "id", Nodes: "ds0.t_account_${0..1}", Algorithm: shard.Range(100)}))
			for _, name := range []string{"t_log_a", "t_log_b"} {
				require.NoError(t, topo.AddTable(shard.Table{
					Name: name, Column: "created_at",
					Nodes:     "ds0." + name + "_${2025-01..2025-02|month|200601}",
					Algorithm: shard.Interval(shard.Month, "200601"),
				}))
			}
			require.NoError(t, topo.Bind("t_log_a", "t_log_b"))
			require.NoError(t, topo.AddBroadcastTable("t_dict"))
			before := topo.Tables()

			added, err := topo.AddNodes(tt.table, tt.expr)
			require.Error(t, err)
			assert.Nil(t, added)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, before, topo.Tables(), "a failed AddNodes changes nothing")
			st, _ := topo.Table("t_log")
			assert.Len(t, st.Nodes, 6)
			// Nothing was reserved either.
			_, err = topo.AddNodes("t_log", "ds0.t_log_202507")
			assert.NoError(t, err)
		})
	}
}

func TestAddNodesConcurrentReaders(t *testing.T) {
	topo := rollingTopo(t)
	const months = 36
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				st, ok := topo.Table("t_log")
				if !assert.True(t, ok) {
					return
				}
				n := len(st.Nodes)
				// The newest node's month is read from its table name; the
				// table's algorithm must know every one of its nodes.
				last := st.Nodes[n-1].Table
				suffix := strings.TrimPrefix(last, "t_log_")
				i, err := st.NodeFor(suffix[:4] + "-" + suffix[4:] + "-15 12:00:00")
				if !assert.NoError(t, err) || !assert.Equal(t, n-1, i) {
					return
				}
				all, err := st.NodesFor(shard.ValueRange{})
				if !assert.NoError(t, err) || !assert.Len(t, all, n) {
					return
				}
				_ = topo.Tables()
			}
		})
	}
	start := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	for m := range months {
		p := start.AddDate(0, m, 0)
		_, err := topo.AddNodes("t_log", fmt.Sprintf("ds%d.t_log_%s", m%2, p.Format("200601")))
		require.NoError(t, err)
	}
	close(stop)
	wg.Wait()
	st, _ := topo.Table("t_log")
	assert.Len(t, st.Nodes, 6+months)
}
