package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard: the SQL parser reads some MySQL 8 functions as nodes of their own
// rather than as a generic call (REGEXP_LIKE as *RegexpLikeExpr, ANY_VALUE
// as an aggregate, ST_LATITUDE as a point property, …). MariaDB has none of
// them: it resolves the name to a stored function of the current schema,
// or fails with error 1305. Judged by the node's type alone such a call
// looked built-in, so a stored function of that name that writes ran on a
// replica, and a scatter answered `SELECT ANY_VALUE(n) FROM t` where
// MariaDB fails. These nodes count as calls of user functions.

// userCall returns the printed call when n calls a function MariaDB does
// not define as a built-in (builtins.go), or "".
func userCall(n sqlparser.SQLNode) string {
	switch n := n.(type) {
	case *sqlparser.FuncExpr:
		if !n.Qualifier.IsEmpty() || !builtinCall(n) {
			return sqlparser.String(n)
		}
	case *sqlparser.AnyValue, *sqlparser.RegexpLikeExpr, *sqlparser.PerformanceSchemaFuncExpr,
		*sqlparser.GTIDFuncExpr, *sqlparser.JSONSchemaValidFuncExpr,
		*sqlparser.JSONSchemaValidationReportFuncExpr, *sqlparser.JSONStorageFreeExpr,
		*sqlparser.JSONStorageSizeExpr, *sqlparser.GeoHashFromPointExpr,
		*sqlparser.GeoHashFromLatLongExpr, *sqlparser.GeomFromGeoHashExpr:
		return sqlparser.String(n)
	case *sqlparser.PointPropertyFuncExpr:
		if n.Property == sqlparser.Latitude || n.Property == sqlparser.Longitude {
			return sqlparser.String(n)
		}
	}
	return ""
}

// builtinCall reports whether MariaDB reads call f as its built-in
// function. GEOMETRYCOLLECTION is grammar in MariaDB, built in only with
// arguments: GEOMETRYCOLLECTION() reaches a stored function.
func builtinCall(f *sqlparser.FuncExpr) bool {
	name := strings.ToLower(f.Name.String())
	if name == "geometrycollection" && len(f.Exprs) == 0 {
		return false
	}
	return builtinFunctions[name]
}
