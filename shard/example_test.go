package shard_test

import (
	"fmt"

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
