package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// broadcastNames lists the broadcast tables named anywhere in node (for a
// DDL statement also the tables it affects, such as RENAME TABLE's pairs,
// which are not walked).
func (s *statement) broadcastNames(node sqlparser.SQLNode) []string {
	var names []string
	add := func(tn sqlparser.TableName) {
		if b := s.resolve(tn).broadcast; b != "" && !contains(names, strings.ToLower(b)) {
			names = append(names, strings.ToLower(b))
		}
	}
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if tn, ok := n.(sqlparser.TableName); ok {
			add(tn)
		}
		return true, nil
	}, node)
	if ddl, ok := node.(sqlparser.DDLStatement); ok {
		for _, tn := range ddl.AffectedTables() {
			add(tn)
		}
	}
	return names
}

// broadcastWrite sends a write on broadcast tables unchanged to every data
// source, so every copy stays the same: the driver runs the units as one
// transaction (XA when configured) and reports the rows of one copy. It
// refuses a write whose value could differ between the copies
// (nonDeterministic), and a write that also reads
// a table living on one data source only, since the other copies could
// not see it. ok is false when the statement names no broadcast table.
func (s *statement) broadcastWrite(kind Kind, stmt sqlparser.SQLNode) (p *Plan, ok bool, err error) {
	names := s.broadcastNames(stmt)
	if len(names) == 0 {
		return nil, false, nil
	}
	for _, ref := range s.shapeOf(stmt).refs {
		if s.resolve(ref.name).broadcast == "" {
			return nil, true, unsupported(s.sql, "write to broadcast table %s that reads %s, which is not on every data source (read that table with its own SELECT first and pass its values as ? arguments)", names[0], fullName(ref.name))
		}
	}
	if kind != KindDDL {
		if what := s.nonDeterministic(stmt); what != "" {
			return nil, true, unsupported(s.sql, "%s in a write to broadcast table %s: each data source's copy would get its own value; compute the value in the application and pass it as an argument", what, names[0])
		}
		if what := s.serverValue(stmt); what != "" {
			return nil, true, unsupported(s.sql, "%s left to the servers in a write to broadcast table %s: each data source's copy would compute its own value; give the column its value in the statement (computed once in the application and passed as a ? argument)", what, names[0])
		}
	}
	if ins, ok := stmt.(*sqlparser.Insert); ok && callsLastInsertIDExpr(ins) {
		// Hazard (compat15): a statement calling LAST_INSERT_ID(expr)
		// reports expr, not the first generated id, when no row was
		// inserted; the other copies then ran under SET STATEMENT
		// insert_id = the last met row's id, so their first row met
		// that row by its primary key (ent's bulk upsert of rows that all
		// exist failed with a duplicate on ds1, or changed another row).
		// One row reports its own row's id when met (the driver then
		// fixes no id: copyIDs.note), which its copies meet alike.
		if rows, ok := ins.Rows.(sqlparser.Values); !ok || len(rows) != 1 {
			return nil, true, unsupported(s.sql, "LAST_INSERT_ID(expr) in an INSERT of several rows (or from a SELECT) into broadcast table %s: the first copy's ids could not be given to the others; insert one row per statement (ent: Create instead of CreateBulk for upserts)", names[0])
		}
	}
	p = &Plan{SQL: s.sql, Kind: kind, Table: names[0], Broadcast: kind != KindDDL}
	// Hazard (compat14): each copy's server generated its own
	// AUTO_INCREMENT values. Two sessions inserting at once reached the
	// copies in different orders, so the same id named different rows on
	// different data sources (a join on ds1 then met another row than the
	// one LastInsertId named): the copies drifted apart silently. MariaDB
	// replays statement-based binlogs exactly with the first copy's
	// insert_id, which fixes the first generated value of the statement
	// and, as the consecutive lock mode makes a statement's values
	// consecutive, the rest; the driver does the same (SET STATEMENT
	// insert_id = n FOR …) for the other copies.
	p.BroadcastInsertID = kind == KindInsert && s.catalog.MariaDB()
	for _, ds := range s.topo.DataSources() {
		p.Units = append(p.Units, s.broadcastUnit(ds.Name, stmt))
	}
	return p, true, nil
}

// broadcastUnit is a broadcast write's unit for data source ds: the
// statement unchanged, or, when it qualifies a broadcast table with the
// home data source's database, printed with the table unqualified: each
// copy lives in its own data source's database, whose name may differ.
func (s *statement) broadcastUnit(ds string, stmt sqlparser.SQLNode) Unit {
	if !s.qualifiedBroadcast(stmt) {
		return Unit{DataSource: ds, SQL: s.sql, Args: s.args}
	}
	r := &renderer{s: s}
	buf := sqlparser.NewTrackedBuffer(r.format)
	buf.Myprintf("%v", stmt)
	return Unit{DataSource: ds, SQL: buf.String(), Args: r.out}
}

// qualifiedBroadcast reports whether node names a broadcast table with a
// schema qualifier.
func (s *statement) qualifiedBroadcast(node sqlparser.SQLNode) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if tn, ok := n.(sqlparser.TableName); ok && !tn.Qualifier.IsEmpty() && s.resolve(tn).broadcast != "" {
			found = true
		}
		return !found, nil
	}, node)
	return found
}

// callsLastInsertIDExpr reports whether an INSERT calls LAST_INSERT_ID
// with an argument.
func callsLastInsertIDExpr(ins *sqlparser.Insert) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if f, ok := n.(*sqlparser.FuncExpr); ok && f.Name.Lowered() == "last_insert_id" && len(f.Exprs) == 1 {
			found = true
		}
		return !found, nil
	}, ins)
	return found
}
