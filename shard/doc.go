// Package shard describes a shardsql topology: the physical data sources, the
// logical tables registered on them, the nodes (data source + physical table)
// each logical table is split into, and the algorithms that map a sharding
// value to one of those nodes.
//
// A Topology is built in code and is safe for concurrent use: tables and data
// sources may be added while other goroutines read it. A ShardedTable is
// immutable once registered.
//
// The package does no I/O and knows nothing about SQL text.
package shard
