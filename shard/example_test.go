package shard_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/shardsql/shardsql/shard"
)

func Example() {
	topo := shard.NewTopology()
	if err := topo.AddDataSource("ds0", "app:pw@tcp(10.0.0.1:3306)/app"); err != nil {
		fmt.Println(err)
	}
	if err := topo.AddDataSource("ds1", "app:pw@tcp(10.0.0.2:3306)/app"); err != nil {
		fmt.Println(err)
	}
	err := topo.AddTable(shard.Table{
		Name:      "t_order",
		Column:    "user_id",
		Nodes:     "ds${0..1}.t_order_${0..3}",
		Algorithm: shard.Hash(),
	})
	if err != nil {
		fmt.Println(err)
	}

	st, _ := topo.Table("t_order")
	fmt.Println(len(st.Nodes), "nodes on", st.DataSources())
	for _, userID := range []int64{1, 2, 8, 10} {
		i, err := st.NodeFor(userID)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("user_id %d -> %s\n", userID, st.Nodes[i])
	}
	_, err = st.NodeFor(1.5)
	fmt.Println(err)
	// Output:
	// 8 nodes on [ds0 ds1]
	// user_id 1 -> ds1.t_order_2
	// user_id 2 -> ds1.t_order_0
	// user_id 8 -> ds0.t_order_3
	// user_id 10 -> ds0.t_order_0
	// shardsql: table t_order, column user_id: hash: cannot shard a value of type float64; use an integer or a string
}

func ExampleExpandNodes() {
	nodes, err := shard.ExpandNodes("ds0.t_log_${01..02}, ds1.t_log_${a,b}")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(nodes)
	// Output: [ds0.t_log_01 ds0.t_log_02 ds1.t_log_a ds1.t_log_b]
}

func ExampleInterval() {
	topo := shard.NewTopology()
	for _, ds := range []string{"ds0", "ds1"} {
		if err := topo.AddDataSource(ds, "app:pw@tcp("+ds+":3306)/app"); err != nil {
			fmt.Println(err)
		}
	}
	// One table per month: the first half of 2025 on ds0, the second on ds1.
	err := topo.AddTable(shard.Table{
		Name:      "t_log",
		Column:    "created_at",
		Nodes:     "ds0.t_log_${2025-01..2025-06|month|200601}, ds1.t_log_${2025-07..2025-12|month|200601}",
		Algorithm: shard.Interval(shard.Month, "200601"),
	})
	if err != nil {
		fmt.Println(err)
	}

	st, _ := topo.Table("t_log")
	i, err := st.NodeFor("2025-08-15 10:30:00")
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println("2025-08-15 10:30:00 ->", st.Nodes[i])

	// created_at >= '2025-05-20' AND created_at < '2025-07-01'
	idx, err := st.NodesFor(shard.ValueRange{
		Low:  shard.Bound{Value: "2025-05-20", Inclusive: true, Set: true},
		High: shard.Bound{Value: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), Set: true},
	})
	if err != nil {
		fmt.Println(err)
	}
	for _, i := range idx {
		fmt.Println("range ->", st.Nodes[i])
	}

	// A new year needs new nodes.
	_, err = st.NodeFor("2026-01-05")
	fmt.Println(errors.Is(err, shard.ErrNoNode), err)
	added, err := topo.AddNodes("t_log", "ds0.t_log_${2026-01..2026-03|month|200601}")
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println("added", added)
	st, _ = topo.Table("t_log")
	i, _ = st.NodeFor("2026-01-05")
	fmt.Println("2026-01-05 ->", st.Nodes[i])
	// Output:
	// 2025-08-15 10:30:00 -> ds1.t_log_202508
	// range -> ds0.t_log_202505
	// range -> ds0.t_log_202506
	// true shardsql: table t_log, column created_at: interval: no node holds 2026-01-05 00:00:00; add a node for table t_log_202601 (Topology.AddNodes)
	// added [ds0.t_log_202601 ds0.t_log_202602 ds0.t_log_202603]
	// 2026-01-05 -> ds0.t_log_202601
}
