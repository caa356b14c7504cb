// Package shard describes a shardsql topology: the physical data sources, the
// logical tables registered on them, the nodes (data source + physical table)
// each logical table is split into, and the algorithms that map a sharding
// value to one of those nodes.
//
// Besides sharded tables a topology knows binding groups (sharded tables laid
// out alike, which join node by node; see Topology.Bind) and broadcast
// tables (the same table on every data source; see
// Topology.AddBroadcastTable).
//
// A Topology is built in code and is safe for concurrent use: tables, nodes
// and data sources may be added while other goroutines read it. A
// ShardedTable is immutable once registered; Topology.AddNodes replaces it
// with a new one, so a reader sees either the old or the new table.
//
// The package does no I/O and knows nothing about SQL text.
package shard
