package shard

import (
	"fmt"
	"strings"
)

// AddNodes appends the nodes of the node expression expr (see ExpandNodes)
// to the registered table, for rolling tables such as a new month of an
// Interval table, and returns the added nodes. Only Interval tables can
// grow: other algorithms place values by the node count, so adding nodes
// would move existing rows. Tables in a binding group cannot grow either,
// since their node sets must stay alike. The new nodes must use registered
// data sources and physical tables no table uses yet.
//
// The table is replaced, not modified: a *ShardedTable obtained before
// keeps its old nodes, and Table returns the new one.
func (t *Topology) AddNodes(table, expr string) ([]Node, error) {
	nodes, err := expandNodes(expr)
	if err != nil {
		return nil, fmt.Errorf("shardsql: table %s: %w", table, err)
	}
	key := strings.ToLower(table)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.version.Add(1)
	t.initLocked()
	old, ok := t.byTable[key]
	if !ok {
		if b, ok := t.bcast[key]; ok {
			return nil, fmt.Errorf("shardsql: table %s: %s is a broadcast table, which is on every data source; AddNodes is for sharded Interval tables", table, b)
		}
		return nil, fmt.Errorf("shardsql: table %s is not registered; call AddTable first", table)
	}
	alg, ok := old.Algorithm.(*boundInterval)
	if !ok {
		return nil, fmt.Errorf("shardsql: table %s uses algorithm %s, so its node set is fixed: hash, mod and range place values by the node count, and adding nodes would move rows; only shard.Interval tables can get more nodes",
			old.Name, algorithmOf(old).Name())
	}
	if _, bound := t.bindings[key]; bound {
		return nil, fmt.Errorf("shardsql: table %s is bound to %s; binding tables must keep the same nodes at every index, so their node sets are fixed",
			old.Name, strings.Join(t.groupLocked(t.bindings[key], key), ", "))
	}
	if err := t.checkNewNodesLocked(old.Name, nodes); err != nil {
		return nil, err
	}
	all := make([]Node, 0, len(old.Nodes)+len(nodes))
	all = append(append(all, old.Nodes...), nodes...)
	rebound, err := bindAlgorithm(old.Name, alg, all)
	if err != nil {
		return nil, err
	}
	st := &ShardedTable{Name: old.Name, Column: old.Column, Nodes: all, Algorithm: rebound, KeyColumn: old.KeyColumn, KeyGenerator: old.KeyGenerator}
	for _, n := range nodes {
		t.physical[physicalKey(n)] = old.Name
	}
	t.byTable[key] = st
	for i := range t.tables {
		if t.tables[i] == old {
			t.tables[i] = st
		}
	}
	return append([]Node(nil), nodes...), nil
}
