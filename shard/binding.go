package shard

import (
	"fmt"
	"strings"
)

// placementComparer is implemented by built-in algorithms whose placement
// depends on more than their name and the node count, such as Range bounds
// and Interval periods.
type placementComparer interface {
	// placementDiff describes how other places values differently, or
	// returns "" if it places every value on the same node index.
	placementDiff(other Algorithm) string
}

// Bind makes the sharded tables a binding group: tables sharded alike, so
// that a join on their sharding columns can run node by node, joining node i
// of one table with node i of the others only. The tables must be
// registered sharded tables with the same number of nodes, node i of every
// table on the same data source, and algorithms of the same Name(); for
// Range and Interval the bounds and node periods must match as well. A
// table can be in one binding group only, so bind all of a group's tables in
// one call. Names compare case-insensitively.
func (t *Topology) Bind(tables ...string) error {
	if len(tables) < 2 {
		return fmt.Errorf("shardsql: Bind needs at least two tables, got %d; pass every table of the binding group", len(tables))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.version.Add(1)
	t.initLocked()
	sts := make([]*ShardedTable, len(tables))
	for i, name := range tables {
		key := strings.ToLower(name)
		st, ok := t.byTable[key]
		if !ok {
			if b, ok := t.bcast[key]; ok {
				return fmt.Errorf("shardsql: Bind: %s is a broadcast table; only sharded tables can be bound", b)
			}
			return fmt.Errorf("shardsql: Bind: table %s is not registered; call AddTable for it before Bind", name)
		}
		for _, prev := range sts[:i] {
			if prev == st {
				return fmt.Errorf("shardsql: Bind: table %s is listed twice; list each table once", st.Name)
			}
		}
		if g, bound := t.bindings[key]; bound {
			return fmt.Errorf("shardsql: Bind: table %s is already bound to %s; a table can be in one binding group only, so bind all of its tables in one call",
				st.Name, strings.Join(t.groupLocked(g, key), ", "))
		}
		sts[i] = st
	}
	first := sts[0]
	for _, st := range sts[1:] {
		if err := sameLayout(first, st); err != nil {
			return err
		}
	}
	t.groups++
	for _, st := range sts {
		t.bindings[strings.ToLower(st.Name)] = t.groups
	}
	return nil
}

// sameLayout checks that b places every value on the same node index and
// data source as a.
func sameLayout(a, b *ShardedTable) error {
	if len(a.Nodes) != len(b.Nodes) {
		return fmt.Errorf("shardsql: Bind: table %s has %d nodes but %s has %d; binding tables need the same number of nodes",
			b.Name, len(b.Nodes), a.Name, len(a.Nodes))
	}
	for i := range a.Nodes {
		if a.Nodes[i].DataSource != b.Nodes[i].DataSource {
			return fmt.Errorf("shardsql: Bind: node %d of table %s (%s) is on data source %s but node %d of %s (%s) is on %s; binding tables need node i of every table on the same data source",
				i, b.Name, b.Nodes[i], b.Nodes[i].DataSource, i, a.Name, a.Nodes[i], a.Nodes[i].DataSource)
		}
	}
	algA, algB := algorithmOf(a), algorithmOf(b)
	if algA.Name() != algB.Name() {
		return fmt.Errorf("shardsql: Bind: table %s uses algorithm %s but %s uses %s; binding tables need the same algorithm",
			b.Name, algB.Name(), a.Name, algA.Name())
	}
	if pc, ok := algA.(placementComparer); ok {
		if diff := pc.placementDiff(algB); diff != "" {
			return fmt.Errorf("shardsql: Bind: tables %s and %s both use algorithm %s, but %s; binding tables must place every value on the same node index",
				a.Name, b.Name, algA.Name(), diff)
		}
	}
	return nil
}

// algorithmOf returns st's algorithm, Hash for nil.
func algorithmOf(st *ShardedTable) Algorithm {
	if st.Algorithm == nil {
		return Hash()
	}
	return st.Algorithm
}

// groupLocked returns the names of the tables of binding group g other than
// the one with lower-case name except, in registration order. t.mu must be
// held.
func (t *Topology) groupLocked(g int, except string) []string {
	var names []string
	for _, st := range t.tables {
		key := strings.ToLower(st.Name)
		if key != except && t.bindings[key] == g {
			names = append(names, st.Name)
		}
	}
	return names
}

// Bound reports whether sharded tables a and b are in the same binding
// group. Names compare case-insensitively, and a table is bound to itself.
func (t *Topology) Bound(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	if a == b {
		return true
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	ga, okA := t.bindings[a]
	gb, okB := t.bindings[b]
	return okA && okB && ga == gb
}
