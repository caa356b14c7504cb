package route

// withWriteRefusal refuses an UPDATE or DELETE of a sharded table that
// starts with WITH, naming what to send instead.
//
// ORMs send it for bulk writes of a table of values: bun's
// NewUpdate().Bulk() (and NewUpdate().With("_data", NewValues(&rows))) is
// `WITH _data AS (SELECT * FROM (VALUES ROW(…), …)) UPDATE t, _data SET
// t.c = _data.c WHERE t.id = _data.id`. Each node could run it against its
// own rows, but MariaDB reads neither VALUES ROW() nor WITH before UPDATE,
// so the exact result cannot be checked against it here (round 13): it is
// refused, before anything is written, with the statements that do the
// same write.
func (s *statement) withWriteRefusal(what string, sh *shape, target bool) error {
	name := sh.sharded[0].name.Name.String()
	if !target {
		// review18e: the written table is unsharded or broadcast and
		// the WITH reads the sharded one; this used to call it an
		// UPDATE of / DELETE from sharded table name.
		return unsupported(s.sql, "WITH (common table expression) reading sharded table %s before %s of another table: run the WITH … SELECT as its own statement first and pass its values as ? arguments (WHERE … IN (?, …)), in one transaction", name, what)
	}
	if what == "UPDATE" {
		return unsupported(s.sql, "WITH (common table expression) before UPDATE of sharded table %s (a bulk update from a table of values, as bun's NewUpdate().Bulk() sends): update each row by its key in one transaction (bun: NewUpdate().Model(row).WherePK() per row inside RunInTx), or write the new values with INSERT … ON DUPLICATE KEY UPDATE on a unique key that holds %s", name, sh.sharded[0].sharded.Column)
	}
	return unsupported(s.sql, "WITH (common table expression) before DELETE from sharded table %s: delete the rows by their keys (WHERE id IN (…)), or select them first", name)
}
