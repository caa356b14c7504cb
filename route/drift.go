package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard (ddl22): node tables of one sharded table that differ (a DDL
// that failed or was cut on some of them, or one altered behind
// shardsql's back) each sort, group and compare under their own
// definition, while the operators above the nodes merge under the
// catalog's, read from the first node table: a merged ORDER BY came back
// in no collation's order and GROUP BY split one group in two, where a
// database has one definition per table. The catalog records the first
// difference (schema.Table.Drift, driver/catalog_drift.go); a read that
// merges rows of more than one node table, or computes above them, is
// refused until they agree. A read that one node table answers whole
// runs (that node table's definition decides it, as the server's), and
// so do writes, which each node table applies under its own definition
// (the DELETE that removes the rows a failed ALTER ADD UNIQUE met must
// run), except an ORDER BY … LIMIT write, which picks its rows by a
// merged read, and an UPDATE moving rows to another node table, which
// would copy them into another definition. Lacking the table's facts (a
// DDL just dropped them), the statement is marked so that the driver loads them, and the comparison,
// and routes it again — only after a DDL that failed on some node tables
// (schema.Catalog.Unsettled): a read that needs no facts must not wait for
// a load (a hanging data source would hold it to the catalog's timeout).

// checkDrift returns the check of stmt's plan p (err: its routing's
// error), which refuses it when it merges rows of a sharded table whose
// node tables differ.
func (s *statement) checkDrift(stmt sqlparser.Statement) func(p *Plan, err error) (*Plan, error) {
	return func(p *Plan, err error) (*Plan, error) { return s.driftRefusal(stmt, p, err) }
}

// driftRefusal is checkDrift's check.
func (s *statement) driftRefusal(stmt sqlparser.Statement, p *Plan, err error) (*Plan, error) {
	if err != nil || p == nil || s.catalog == nil {
		return p, err
	}
	switch stmt.(type) {
	case *sqlparser.Select, *sqlparser.Union:
		if p.Root == nil && len(p.Units) <= 1 && p.DeepPage == nil {
			return p, nil // one node table answers it whole
		}
	default:
		if p.Ordered == nil && p.Move == nil {
			return p, nil
		}
	}
	verb := "merged"
	if p.Move != nil {
		verb = "moved"
	}
	for _, ref := range s.shapeOf(stmt).sharded {
		t, ok := s.catalog.Table(ref.sharded.Name)
		if !ok && s.catalog.Unsettled[strings.ToLower(ref.sharded.Name)] {
			s.schemaMissing = true // the driver loads them, and routes again
			continue
		}
		if ok && t.Drift != "" {
			return nil, unsupported(s.sql, "rows of sharded table %s %s while its node tables differ (their definitions differ: %s): one database has one definition per table, and node tables that sort, group and compare differently give an answer none gives; make them the same (run the DDL that failed on some of them again through shardsql, which completes it, or ALTER the node tables that differ on their data sources, then call ReloadCatalog), or fix the sharding column so that one node table answers", ref.sharded.Name, verb, t.Drift)
		}
	}
	return p, nil
}
