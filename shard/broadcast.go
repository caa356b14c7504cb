package shard

import (
	"fmt"
	"strings"
)

// AddBroadcastTable registers a broadcast table: a table with the same name
// and the same rows on every data source, such as a small dictionary. Writes
// to it go to every data source and reads to one. The name must be new: not
// a sharded table's, not already broadcast, and not the physical table of a
// sharded table's node. Names compare case-insensitively.
func (t *Topology) AddBroadcastTable(name string) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("shardsql: broadcast table name is empty; pass the table name, e.g. \"t_dict\"")
	}
	key := strings.ToLower(name)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.version.Add(1)
	t.initLocked()
	if b, dup := t.bcast[key]; dup {
		return fmt.Errorf("shardsql: broadcast table %s: a broadcast table named %s is already registered; add each table once", name, b)
	}
	if st, ok := t.byTable[key]; ok {
		return fmt.Errorf("shardsql: broadcast table %s: %s is a sharded table; a table is either sharded or broadcast, so use another name", name, st.Name)
	}
	for _, st := range t.tables {
		for _, n := range st.Nodes {
			if strings.EqualFold(n.Table, name) {
				return fmt.Errorf("shardsql: broadcast table %s: node %s of sharded table %s has that name; a broadcast table is on every data source, so use another name",
					name, n, st.Name)
			}
		}
	}
	t.bcast[key] = name
	return nil
}

// Broadcast reports whether name, compared case-insensitively, is a
// broadcast table.
func (t *Topology) Broadcast(name string) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	_, ok := t.bcast[strings.ToLower(name)]
	return ok
}

// BroadcastName returns the broadcast table name, compared
// case-insensitively, as it was added, or false. Callers that must follow a
// server's case-sensitive table names compare it with what the SQL spells.
func (t *Topology) BroadcastName(name string) (string, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	b, ok := t.bcast[strings.ToLower(name)]
	return b, ok
}
