// Package evalenv is the contract between the router and the merge
// operators for expressions shardsql evaluates above the nodes (HAVING,
// expressions over aggregates, a derived table's outer WHERE): the Vitess
// environment they are compiled in, the collation of their string
// literals, and the placeholder columns that stand for the columns of the
// rows they read.
//
// The router writes such an expression with every column reference
// replaced by Column(n) and checks with Translate, when it plans, that the
// evaluator implements it; the merge operators compile it with the
// columns' types and collations once the first row arrives.
package evalenv

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/vt/sqlparser"
	"vitess.io/vitess/go/vt/vtenv"
	"vitess.io/vitess/go/vt/vtgate/evalengine"
)

// Env is the Vitess environment shardsql evaluates with: MySQL 8.0's
// functions and collations, which MariaDB shares for what merges compute.
// It is built once, on first use, and never changes.
var Env = sync.OnceValue(func() *vtenv.Environment { return vtenv.NewTestEnv() })

// ConnectionCollation is the collation of string literals in evaluated
// expressions: the connection collation go-sql-driver sets up
// (utf8mb4_general_ci).
const ConnectionCollation = collations.ID(45)

// ColumnPrefix begins the name of every placeholder column: Column(n) is
// named ColumnPrefix followed by n. Explain output shortens it to "#".
const ColumnPrefix = "__shardsql_having_"

// Column is the placeholder for column n of the rows an evaluated
// expression reads (for HAVING, the folded row, hidden columns included).
func Column(n int) *sqlparser.ColName {
	return sqlparser.NewColName(ColumnPrefix + strconv.Itoa(n))
}

// Offset reads a placeholder column: the n of Column(n), and false for any
// other column.
func Offset(c *sqlparser.ColName) (int, bool) {
	s, ok := strings.CutPrefix(c.Name.String(), ColumnPrefix)
	if !ok || !c.Qualifier.IsEmpty() {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// Offsets lists the placeholder columns (Column) an expression reads,
// in the order a walk meets them, repeats included.
func Offsets(e sqlparser.Expr) []int {
	var out []int
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if c, ok := n.(*sqlparser.ColName); ok {
			if i, ok := Offset(c); ok {
				out = append(out, i)
			}
		}
		return true, nil
	}, e)
	return out
}

// Translate translates an expression written with Column placeholders,
// without types: the router calls it to refuse, when it plans, what the
// evaluator does not implement.
func Translate(e sqlparser.Expr) (evalengine.Expr, error) {
	return evalengine.Translate(e, &evalengine.Config{
		Environment: Env(),
		Collation:   ConnectionCollation,
		ResolveColumn: func(c *sqlparser.ColName) (int, error) {
			if n, ok := Offset(c); ok {
				return n, nil
			}
			return 0, fmt.Errorf("unknown column %s", sqlparser.String(c))
		},
	})
}
