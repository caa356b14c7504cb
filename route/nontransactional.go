package route

// checkTransactional refuses a write to a sharded table that reaches
// several node tables (or moves rows between them) when the table's
// engine does not roll back.
//
// The hazard (review17a): a write reaching several nodes runs as one
// internal transaction (a savepoint per participant inside the caller's
// transaction), so that a failure on one node undoes the others — all
// of it or none, as one table. A MyISAM (Aria, MEMORY, …) node table
// keeps what it wrote whatever the rollback says: `INSERT … VALUES (1, …),
// (1, …), (2, …), (3, …)` on a MyISAM table fails at its second row and
// one database keeps row 1 only (MyISAM stops at the failing row), while
// the nodes of 2 and 3 kept theirs; `UPDATE t SET n = n + 100` failing
// on one row (TINYINT out of range) kept one node's updates and not
// another's, where one table keeps the rows before the failing one in
// its own order. Which rows a partial statement leaves cannot be made
// the same across nodes, and whether a statement will fail is not known
// before it runs, so every such write is refused, also the ones that
// would succeed. A write reaching one node runs there as on one table.
func (s *statement) checkTransactional(p *Plan) error {
	if p == nil || p.Table == "" || p.Broadcast || s.catalog == nil {
		return nil
	}
	switch p.Kind {
	case KindInsert, KindUpdate, KindDelete:
	default:
		return nil
	}
	if len(p.Units) < 2 && p.Move == nil {
		return nil
	}
	t, ok := s.catalog.Table(p.Table)
	if !ok || !t.NonTransactional() {
		return nil
	}
	return unsupported(s.sql, "write to sharded table %s reaching several node tables, whose engine %s does not roll back (a failure on one node would keep the other nodes' changes, unlike one table): run it per node (WHERE naming one node's keys, one node's rows per INSERT), or convert the table to InnoDB",
		p.Table, t.Engine)
}
