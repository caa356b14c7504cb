package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/shard"
)

// tableRef is one table named in a FROM, INTO or UPDATE clause.
type tableRef struct {
	expr    *sqlparser.AliasedTableExpr
	name    sqlparser.TableName
	sharded *shard.ShardedTable // nil for tables the topology does not know
}

// qualifier is the name columns of this table are qualified with: its alias
// if it has one, its name otherwise.
func (t tableRef) qualifier() string {
	if t.expr != nil && !t.expr.As.IsEmpty() {
		return t.expr.As.String()
	}
	return t.name.Name.String()
}

// shape is what routing needs to know about a statement's structure.
type shape struct {
	refs     []tableRef
	sharded  []tableRef
	subquery bool // a subquery or derived table
	join     bool // a JOIN or several tables in FROM
	union    bool
	with     bool // a common table expression
	window   bool // a window function
	// aliased holds the sharded tables given an alias, lower-cased: a
	// qualifier spelled like such a table names its alias.
	aliased map[string]bool
	// unresolved is the refusal for a table name that cannot be resolved
	// without the servers' catalog, or nil.
	unresolved error
	// needsCatalog reports a name resolved without the catalog facts that
	// decide it (see resolved.needsCatalog).
	needsCatalog bool
	// refsBuf and shardedBuf are refs' and sharded's first storage (a
	// statement on one table allocates no lists of its own).
	refsBuf, shardedBuf [1]tableRef
}

// shapeOf walks node and records its tables and the constructs that decide
// whether a sharded statement can run exactly.
func (s *statement) shapeOf(node sqlparser.SQLNode) *shape {
	top := s.ps != nil && node == sqlparser.SQLNode(s.ps.stmt)
	if top {
		s.ps.mu.Lock()
		sh, k := s.ps.shape, s.ps.shapeK
		s.ps.mu.Unlock()
		if sh != nil && k == s.shapeKey() {
			return sh
		}
	}
	var sw *sessionWalk
	if top && !s.ps.sessionKnown {
		sw = new(sessionWalk) // an uncached parse: its session uses in the same walk
	}
	sh := s.walkShape(node, sw)
	if sw != nil {
		s.ps.session, s.ps.sessionKnown = sw.uses(), true
	}
	if top {
		s.ps.mu.Lock()
		s.ps.shape, s.ps.shapeK = sh, s.shapeKey()
		s.ps.mu.Unlock()
	}
	return sh
}

// walkShape computes shapeOf, and with sw the statement's session uses
// (sessionUsesOf's walk descends as this one does). The result is shared
// through the cache: it must not be modified.
func (s *statement) walkShape(node sqlparser.SQLNode, sw *sessionWalk) *shape {
	sh := &shape{}
	tableName := func(n sqlparser.TableName) resolved {
		r := s.resolve(n)
		if r.unknown != "" && sh.unresolved == nil {
			sh.unresolved = unsupported(s.sql, "%s", r.unknown)
		}
		sh.needsCatalog = sh.needsCatalog || r.needsCatalog
		return r
	}
	// table is a name in a table position (not a column's qualifier, which
	// may be an alias): a node table's physical name is refused
	// (names_physical.go).
	table := func(n sqlparser.TableName) resolved {
		r := tableName(n)
		if !r.logical() && r.unknown == "" && sh.unresolved == nil {
			if what := s.physicalTable(n); what != "" {
				sh.unresolved = s.physicalRefusal(n, what)
			}
		}
		return r
	}
	var visit func(n sqlparser.SQLNode) (bool, error)
	visit = func(n sqlparser.SQLNode) (bool, error) {
		if sw != nil {
			sw.node(n)
		}
		switch n := n.(type) {
		case *sqlparser.ColName:
			// What Walk would visit below it that matters is its
			// qualifier: resolving it here saves boxing three names.
			tableName(n.Qualifier)
			return false, nil
		case *sqlparser.AliasedExpr:
			// Only its expression matters: its alias is a name, which
			// Walk would box.
			_ = walk(visit, n.Expr)
			return false, nil
		case sqlparser.TableName:
			table(n)
		case *sqlparser.AliasedTableExpr:
			// Only its table or derived table matters below it, not the
			// alias, partitions, index hints or column names Walk would
			// box: the table is resolved here, a derived table walked.
			tn, ok := n.Expr.(sqlparser.TableName)
			if !ok {
				_ = walk(visit, n.Expr)
				return false, nil
			}
			ref := tableRef{expr: n, name: tn}
			if st := table(tn).sharded; st != nil { // resolved once
				ref.sharded = st
				if sh.sharded == nil {
					sh.sharded = sh.shardedBuf[:0:1] // full once appended: a later append copies
				}
				sh.sharded = append(sh.sharded, ref)
				if !n.As.IsEmpty() {
					if sh.aliased == nil {
						sh.aliased = make(map[string]bool)
					}
					sh.aliased[strings.ToLower(tn.Name.String())] = true
				}
			}
			if sh.refs == nil {
				sh.refs = sh.refsBuf[:0:1]
			}
			sh.refs = append(sh.refs, ref)
			return false, nil
		case *sqlparser.Subquery, *sqlparser.DerivedTable:
			sh.subquery = true
		case *sqlparser.JoinTableExpr:
			sh.join = true
		case *sqlparser.Union:
			sh.union = true
		case *sqlparser.With:
			if n != nil && len(n.CTEs) > 0 {
				sh.with = true
			}
		case *sqlparser.OverClause:
			if n != nil {
				sh.window = true
			}
		}
		return true, nil
	}
	_ = walk(visit, node)
	return sh
}

// shapeKey is what a statement's shape depends on besides its text: the
// topology version, the catalog (names resolve by the servers' databases and
// case rules) and the data source unqualified unknown names go to.
type shapeKey struct {
	version uint64
	catalog *schema.Catalog
	home    string
}

func (s *statement) shapeKey() shapeKey {
	return shapeKey{version: s.version, catalog: s.catalog, home: s.hintDS}
}

// checkSingleTable returns an error unless the statement (an UPDATE or
// DELETE: kind) touches exactly one sharded table once, without the
// constructs that need cross-node work (write_reads_refusal.go says what
// each refusal advises). from is the number of top-level table
// expressions in its FROM clause; target whether the written table is the
// sharded one.
func (s *statement) checkSingleTable(sh *shape, from int, kind string, target bool) error {
	return s.writeReadRefusal(kind, sh, from, target)
}
