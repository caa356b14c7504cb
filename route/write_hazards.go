package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
)

// Writes that triggers or foreign keys on the servers turn into a change
// of a sharding column (the catalog's WriteHazards; the hazard and how it
// is read: driver/catalog_hazards.go).
//
// Hazard: the server changes the key in place, on the node of the old
// value: `UPDATE parent SET pk = 50 WHERE pk = 5` under a child's
// `FOREIGN KEY (k) REFERENCES parent (pk) ON UPDATE CASCADE` leaves the
// child's rows, now k = 50, on 5's node; a `BEFORE INSERT` trigger that
// sets NEW.k stores the row where shardsql placed it by the value given.
// Such a write is refused, whatever table it names (sharded, broadcast
// or unsharded). Until the catalog has read every data source's triggers
// and foreign keys a write is marked (schemaMissing), so the driver loads
// them and routes it again.

// checkWriteHazards refuses a write that sets off a hazard of a table it
// writes.
func (s *statement) checkWriteHazards(stmt sqlparser.Statement) error {
	if s.catalog == nil {
		return nil
	}
	if err := s.checkFunctionHazards(stmt); err != nil {
		return err
	}
	var names []sqlparser.TableName
	var events schema.WriteEvents
	set := []string{} // the columns updated; nil: not known
	setCols := func(exprs sqlparser.UpdateExprs) {
		for _, e := range exprs {
			set = append(set, e.Name.Name.Lowered())
		}
	}
	switch st := stmt.(type) {
	case *sqlparser.Insert:
		if tn, ok := st.Table.Expr.(sqlparser.TableName); ok {
			names = append(names, tn)
		}
		events = schema.WriteInsert
		if st.Action == sqlparser.ReplaceAct {
			events |= schema.WriteDelete
		}
		if len(st.OnDup) > 0 {
			events |= schema.WriteUpdate
			setCols(sqlparser.UpdateExprs(st.OnDup))
		}
	case *sqlparser.Update:
		names = writtenTables(st.TableExprs)
		events = schema.WriteUpdate
		setCols(st.Exprs)
	case *sqlparser.Delete:
		names = writtenTables(st.TableExprs)
		events = schema.WriteDelete
	case *sqlparser.CallProc:
		// Stored procedures are recorded under "procedure <name>"
		// (driver/catalog_hazards.go): CALL runs the body on one data
		// source, against its own physical tables.
		names = append(names, sqlparser.TableName{Name: sqlparser.NewIdentifierCS("procedure " + st.Name.Name.String())})
		events = schema.WriteInsert | schema.WriteUpdate | schema.WriteDelete
	default:
		return nil
	}
	if s.catalog.HazardsUnknown {
		s.schemaMissing = true
	}
	for _, n := range names {
		if n.Name.IsEmpty() {
			continue
		}
		if h, ok := s.catalog.Hazard(n.Name.String(), events, set); ok && strings.HasPrefix(n.Name.String(), "procedure ") {
			return unsupported(s.sql, "CALL of a stored procedure that names a table of the topology (%s): the default data source alone would run it, against its own physical tables; run its statements through shardsql instead", h.Why)
		} else if ok {
			return unsupported(s.sql, "write to table %s, which the servers turn into a change of a sharding column in place (%s), leaving the row on the node of its old value: drop the trigger or foreign key action on the servers, or change such keys by deleting and inserting the rows through shardsql", n.Name.String(), h.Why)
		}
	}
	return nil
}

// writtenTables returns the tables an UPDATE or DELETE names in its FROM
// part (joined tables included: a table only read counts too, which can
// only refuse more).
func writtenTables(exprs sqlparser.TableExprs) []sqlparser.TableName {
	var out []sqlparser.TableName
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n := n.(type) {
		case *sqlparser.DerivedTable:
			return false, nil // read only
		case *sqlparser.AliasedTableExpr:
			if tn, ok := n.Expr.(sqlparser.TableName); ok {
				out = append(out, tn)
			}
		}
		return true, nil
	}, exprs)
	return out
}

// functionHazardKey is the WriteHazards key of a stored function
// (driver/catalog_hazards.go).
func functionHazardKey(name string) string { return "function " + strings.ToLower(name) }

// checkFunctionHazards refuses a statement that calls a stored function
// whose body writes a table of the topology.
//
// Hazard (round 12's left item): a stored function runs where the
// statement that calls it runs — the default data source for a SELECT of
// an unsharded table or of no table, a node for a sharded one — and its
// body writes that server's physical tables alone: one copy of a
// broadcast table, one node table whatever the row's key, or a logical
// name no server holds. `SELECT bump_all()` with a body `UPDATE bcast SET
// v = v + 1` left the broadcast copies different. The catalog reads every
// data source's functions as it reads procedures; a call of a function of
// that name (qualified or not) is refused in any statement.
//
// Only a statement whose parse found a call of a function that is not a
// built-in (PrimaryOnly, cached with the parse) is walked: the others pay
// one bit test.
func (s *statement) checkFunctionHazards(stmt sqlparser.Statement) error {
	if s.ps == nil || s.ps.sessionUses()&PrimaryOnly == 0 {
		return nil
	}
	var found error
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		f, ok := n.(*sqlparser.FuncExpr)
		if !ok || userCall(f) == "" {
			return found == nil, nil
		}
		if s.catalog.HazardsUnknown {
			s.schemaMissing = true // the catalog loads them, and the statement is routed again
		}
		if h, ok := s.catalog.Hazard(functionHazardKey(f.Name.String()), schema.WriteInsert|schema.WriteUpdate|schema.WriteDelete, nil); ok {
			found = unsupported(s.sql, "call of stored function %s, whose body writes a table of the topology or reads a sharded one (%s): the server the statement runs on would write its own physical table alone; run the function's statements through shardsql instead", f.Name.String(), h.Why)
		}
		return found == nil, nil
	}, stmt)
	return found
}

// checkOpaqueFunctions is checkFunctionHazards for a statement the parser
// keeps as text (DO f(), …): a name followed by "(" in its tokens is a
// call.
func (s *statement) checkOpaqueFunctions(p *sqlparser.Parser) error {
	if s.catalog == nil {
		return nil
	}
	tok := p.NewStringTokenizer(s.sql)
	prev := ""
	for {
		typ, val := tok.Scan()
		if typ == 0 || typ == eofChar || typ == sqlparser.LEX_ERROR {
			return nil
		}
		if typ == sqlparser.COMMENT {
			continue
		}
		if typ == '(' && prev != "" {
			if s.catalog.HazardsUnknown {
				s.schemaMissing = true
			}
			if h, ok := s.catalog.Hazard(functionHazardKey(prev), schema.WriteInsert|schema.WriteUpdate|schema.WriteDelete, nil); ok {
				return unsupported(s.sql, "call of stored function %s, whose body writes a table of the topology or reads a sharded one (%s): the server the statement runs on would write its own physical table alone; run the function's statements through shardsql instead", prev, h.Why)
			}
		}
		prev = ""
		if typ == sqlparser.ID {
			prev = val
		}
	}
}
