package shard

import (
	"reflect"
	"strconv"
)

// Algorithm maps a sharding value to a node index in [0, n), where n is the
// number of nodes of the table and node order is the node expression's
// expansion order. Implementations must be safe for concurrent use and must
// return an error, never panic, for values they cannot shard.
type Algorithm interface {
	// Name is a short lower-case name, e.g. "hash" or "mod".
	Name() string
	// Shard returns the index of the node that owns value among n nodes.
	Shard(value any, n int) (int, error)
}

// intValue classifies v as a signed or unsigned integer. Besides the built-in
// integer types it accepts defined types whose underlying kind is an integer.
func intValue(v any) (i int64, u uint64, signed, ok bool) {
	switch x := v.(type) {
	case int:
		return int64(x), 0, true, true
	case int8:
		return int64(x), 0, true, true
	case int16:
		return int64(x), 0, true, true
	case int32:
		return int64(x), 0, true, true
	case int64:
		return x, 0, true, true
	case uint:
		return 0, uint64(x), false, true
	case uint8:
		return 0, uint64(x), false, true
	case uint16:
		return 0, uint64(x), false, true
	case uint32:
		return 0, uint64(x), false, true
	case uint64:
		return 0, x, false, true
	case nil:
		return 0, 0, false, false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), 0, true, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return 0, rv.Uint(), false, true
	}
	return 0, 0, false, false
}

// canonicalBytes returns the bytes a value is hashed as: decimal text for
// integers, the raw bytes for strings and byte slices.
func canonicalBytes(v any) ([]byte, bool) {
	switch x := v.(type) {
	case string:
		return []byte(x), true
	case []byte:
		return x, true
	}
	if i, u, signed, ok := intValue(v); ok {
		if signed {
			return strconv.AppendInt(nil, i, 10), true
		}
		return strconv.AppendUint(nil, u, 10), true
	}
	if v == nil {
		return nil, false
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.Kind() == reflect.String:
		return []byte(rv.String()), true
	case rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8:
		return rv.Bytes(), true
	}
	return nil, false
}

// TableAlgorithm is an Algorithm that must see the table's nodes before use,
// for example to read the period each node holds from its table name.
// Topology.AddTable and Topology.AddNodes call ForNodes with all of the
// table's nodes, in node order, and store the returned Algorithm in
// ShardedTable.Algorithm. ForNodes must not modify nodes.
type TableAlgorithm interface {
	Algorithm
	// ForNodes returns the algorithm to use for a table with these nodes,
	// or an error saying what to change in the nodes or the algorithm.
	ForNodes(nodes []Node) (Algorithm, error)
}
