package shard

import "fmt"

// Table is what users register with Topology.AddTable.
type Table struct {
	// Name is the logical table name used in SQL, e.g. "t_order".
	// Lookups are case-insensitive.
	Name string
	// Column is the sharding column, e.g. "user_id".
	Column string
	// Nodes is the node expression, e.g. "ds${0..1}.t_order_${0..3}";
	// see ExpandNodes.
	Nodes string
	// Algorithm maps a sharding value to a node; nil means Hash().
	Algorithm Algorithm
	// KeyColumn and KeyGenerator, when both are set, make shardsql fill
	// KeyColumn with KeyGenerator's ids on every INSERT row that omits it
	// or gives NULL, before routing (so the table may also be sharded by
	// its generated key). package seq has Snowflake and Segment generators.
	KeyColumn    string
	KeyGenerator KeyGenerator
}

// KeyGenerator hands out unique ids for a table's key column.
type KeyGenerator interface {
	NextID() (int64, error)
}

// ShardedTable is a registered table with its nodes expanded. It is immutable
// once registered: callers must not modify it or its Nodes slice.
// Topology.AddNodes registers a new ShardedTable in its place, so a reader
// holding one sees a consistent set of nodes and algorithm.
type ShardedTable struct {
	// Name is the logical table name as registered.
	Name string
	// Column is the sharding column.
	Column string
	// Nodes are the table's nodes in expansion order, the order the
	// algorithm indexes.
	Nodes []Node
	// Algorithm maps a sharding value to an index in Nodes; for a
	// TableAlgorithm registered with AddTable it is the result of ForNodes.
	// A nil Algorithm (only possible in a ShardedTable not built by
	// AddTable) means Hash().
	Algorithm Algorithm
	// KeyColumn and KeyGenerator fill generated keys on INSERT (see Table).
	KeyColumn    string
	KeyGenerator KeyGenerator
}

// NodeFor returns the index in Nodes of the node that owns value. Errors name
// the table, column, value type and what to change.
func (st *ShardedTable) NodeFor(value any) (int, error) {
	alg := st.Algorithm
	if alg == nil {
		alg = Hash()
	}
	i, err := alg.Shard(value, len(st.Nodes))
	if err != nil {
		return 0, &contextError{
			prefix: fmt.Sprintf("shardsql: table %s, column %s: ", st.Name, st.Column),
			err:    err,
		}
	}
	if i < 0 || i >= len(st.Nodes) {
		// The value's description is formatted here only: every routed
		// statement passes above, and fmt is not free.
		what := "NULL"
		if value != nil {
			what = fmt.Sprintf("a value of type %T", value)
		}
		return 0, fmt.Errorf("shardsql: table %s, column %s: algorithm %s returned node index %d for %s, want 0 to %d; fix the algorithm",
			st.Name, st.Column, alg.Name(), i, what, len(st.Nodes)-1)
	}
	return i, nil
}

// DataSources returns the distinct data source names of its nodes in node
// order.
func (st *ShardedTable) DataSources() []string {
	var names []string
	seen := make(map[string]bool)
	for _, n := range st.Nodes {
		if !seen[n.DataSource] {
			seen[n.DataSource] = true
			names = append(names, n.DataSource)
		}
	}
	return names
}

// NodesFor returns, ascending and without repeats, the indexes in Nodes of
// the nodes that can hold a value in r. A RangeAlgorithm prunes them; for any
// other algorithm (Hash, Mod, custom ones) every node can, so NodesFor
// returns every index. An empty result means no node can hold a value in r.
// Errors name the table, column and what to change.
func (st *ShardedTable) NodesFor(r ValueRange) ([]int, error) {
	ra, ok := st.Algorithm.(RangeAlgorithm)
	if !ok {
		all := make([]int, len(st.Nodes))
		for i := range all {
			all[i] = i
		}
		return all, nil
	}
	idx, err := ra.ShardRange(r, len(st.Nodes))
	if err != nil {
		return nil, &contextError{
			prefix: fmt.Sprintf("shardsql: table %s, column %s: ", st.Name, st.Column),
			err:    err,
		}
	}
	for k, i := range idx {
		if i < 0 || i >= len(st.Nodes) || (k > 0 && i <= idx[k-1]) {
			return nil, fmt.Errorf("shardsql: table %s, column %s: algorithm %s returned node indexes %v for a range, want ascending indexes without repeats from 0 to %d; fix the algorithm",
				st.Name, st.Column, ra.Name(), idx, len(st.Nodes)-1)
		}
	}
	if idx == nil {
		idx = []int{}
	}
	return idx, nil
}
