package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// broadcastNames lists the broadcast tables named anywhere in node.
func (s *statement) broadcastNames(node sqlparser.SQLNode) []string {
	var names []string
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if tn, ok := n.(sqlparser.TableName); ok && s.topo.Broadcast(tn.Name.String()) && !contains(names, strings.ToLower(tn.Name.String())) {
			names = append(names, strings.ToLower(tn.Name.String()))
		}
		return true, nil
	}, node)
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
		if !s.topo.Broadcast(ref.name.Name.String()) {
			return nil, true, unsupported(s.sql, "write to broadcast table %s that reads %s, which is not on every data source", names[0], ref.name.Name.String())
		}
	}
	if kind != KindDDL {
		if what := s.nonDeterministic(stmt); what != "" {
			return nil, true, unsupported(s.sql, "%s in a write to broadcast table %s: each data source's copy would get its own value; compute the value in the application and pass it as an argument", what, names[0])
		}
	}
	p = &Plan{SQL: s.sql, Kind: kind, Table: names[0], Broadcast: kind != KindDDL}
	for _, ds := range s.topo.DataSources() {
		p.Units = append(p.Units, Unit{DataSource: ds.Name, SQL: s.sql, Args: s.args})
	}
	return p, true, nil
}
