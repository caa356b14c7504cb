package route

import (
	"fmt"
	"testing"
)

func TestZZScratch(t *testing.T) {
	topo := testTopology(t)
	st, _ := topo.Table("t_order")
	for _, v := range []any{int64(0), int64(1), int64(2), int64(3), int64(4), int64(5), int64(6), int64(7), int64(8), int64(9), int64(10), int64(11), int64(12), int64(-1), "1", "2", "a", "abc", uint64(18446744073709551615)} {
		i, err := st.NodeFor(v)
		fmt.Printf("%#v -> %d %v %v\n", v, i, st.Nodes[i], err)
	}
}
