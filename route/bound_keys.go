package route

import (
	"strings"

	"github.com/shardsql/shardsql/shard"
)

// Hazard: bound tables (Topology.Bind) share nodes row by row only when
// equal sharding values are placed alike. A join's equality compares by
// the columns' types, placement goes by each column's own conversion: with
// k INT bound to k VARCHAR, '07' = 7 and ' 7' = 7 in the join, but the
// text '07' hashes to another node than the integer 7, so the join run
// node by node lost those pairs (found by TestAttack8BindingJoins). An
// equality of sharding columns co-locates two bound tables only when their
// columns place equal values alike: the same kind of type (integers; text
// of one collation; binary strings; DECIMAL of one scale; one temporal
// type and precision), or both temporal and both split by time intervals,
// whose node edges fall at midnight (a DATE and the DATETIME of its
// midnight are in the same day, week, month and year).

// sameKeyPlacement reports whether equal values of a's and b's sharding
// columns are placed on the same node. Without the catalog's column types
// it answers true, as before the catalog existed (the plan is marked
// as lacking the facts).
func (s *statement) sameKeyPlacement(a, b *shard.ShardedTable) bool {
	if strings.EqualFold(a.Name, b.Name) {
		return true
	}
	ca, cb := s.column(a), s.column(b)
	if ca == nil || cb == nil {
		return true
	}
	ka, kb := keyKind(ca.DataType), keyKind(cb.DataType)
	switch {
	case ka == "" || kb == "" || ka != kb && !(ka == "time" && kb == "time"):
		return false
	case ka == "time":
		if a.Algorithm.Name() == "interval" && b.Algorithm.Name() == "interval" {
			return true
		}
		return strings.EqualFold(ca.DataType, cb.DataType) && ca.Scale == cb.Scale
	case ka == "text":
		return strings.EqualFold(ca.Collation, cb.Collation)
	case ka == "decimal":
		return ca.Scale == cb.Scale
	}
	return true
}

// keyKind classes a column's DATA_TYPE by how its values are placed: ""
// for types shardsql does not shard by.
func keyKind(dataType string) string {
	switch strings.ToLower(dataType) {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		return "int"
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		return "text"
	case "binary", "varbinary":
		return "binary"
	case "decimal":
		return "decimal"
	case "date", "datetime", "timestamp":
		return "time"
	}
	return ""
}
