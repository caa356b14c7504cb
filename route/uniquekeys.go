package route

import (
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/shard"
)

// Unique keys are enforced by each physical table, so across a sharded
// table only for keys that contain the sharding column (equal keys then
// have equal sharding values and meet on one node). Hazard: REPLACE,
// INSERT IGNORE and INSERT … ON DUPLICATE KEY UPDATE decide what to do by
// looking for a conflicting row; under any other unique key that row may
// live on another node, so the statement inserts a duplicate where one
// table would have replaced, skipped or updated. They are refused unless
// the catalog shows every unique key contains the sharding column.

// conflictVerb names the conflict-handling form of an INSERT, or "".
func conflictVerb(ins *sqlparser.Insert) string {
	switch {
	case ins.Action == sqlparser.ReplaceAct:
		return "REPLACE"
	case len(ins.OnDup) > 0:
		return "INSERT … ON DUPLICATE KEY UPDATE"
	case bool(ins.Ignore):
		return "INSERT IGNORE"
	}
	return ""
}

// generatedMeet returns Plan.GeneratedMeet: the conflict form of an
// INSERT IGNORE that generated ids, or of an ON DUPLICATE KEY UPDATE that
// did when a unique key of the table lacks the generated column (or the
// keys are unknown), so that a row may be skipped or meet an existing one
// instead of being inserted. REPLACE
// inserts every row. Found by TestAttack8GeneratedIDs: INSERT IGNORE …
// VALUES (21, 'p'), (23, 'r') with (21, 'p') present reported the ignored
// row's generated id, which no row holds; MariaDB reports (23, 'r')'s.
func (s *statement) generatedMeet(ins *sqlparser.Insert, table *shard.ShardedTable, generated []int64) string {
	verb := conflictVerb(ins)
	if len(generated) == 0 || verb == "" || verb == "REPLACE" {
		return ""
	}
	if verb == "INSERT IGNORE" {
		// Hazard (ids22): IGNORE also skips a row that breaks a CHECK
		// constraint or a foreign key (in a statement of several rows),
		// whatever the unique keys: a skipped first row left
		// LastInsertId naming its generated id, which no row holds.
		return verb
	}
	ct, ok := s.catalog.Table(table.Name)
	if !ok {
		return verb
	}
	for _, ix := range ct.Indexes {
		has := false
		for _, c := range ix.Columns {
			if strings.EqualFold(c, table.KeyColumn) && !slices.ContainsFunc(ix.Prefixed, func(p string) bool { return strings.EqualFold(p, c) }) {
				has = true
			}
		}
		if !has {
			return verb
		}
	}
	return ""
}

// generatedReports sets Plan.GeneratedAutoIncrement and
// Plan.GeneratedMeetLastID of an INSERT whose rows may meet existing ones
// (Plan.GeneratedMeet): what the node's own LastInsertId then says about
// the row, so that the driver can answer a one-row upsert as MariaDB does
// (ent's OnConflict(…).UpdateNewValues().ID(ctx)) instead of refusing it.
func (s *statement) generatedReports(p *Plan, ins *sqlparser.Insert, table *shard.ShardedTable) {
	if p.GeneratedMeet == "" {
		return
	}
	if ct, ok := s.catalog.Table(table.Name); ok {
		for _, c := range ct.Columns {
			if strings.EqualFold(c.Name, table.KeyColumn) {
				p.GeneratedAutoIncrement = c.AutoIncrement
			}
		}
	}
	for _, upd := range ins.OnDup {
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			if f, ok := n.(*sqlparser.FuncExpr); ok && f.Name.Lowered() == "last_insert_id" && len(f.Exprs) > 0 {
				p.GeneratedMeetLastID = true
				return false, nil
			}
			return true, nil
		}, upd.Expr)
	}
}

// defaultGenerated reports an INSERT row that gives DEFAULT for the
// table's generated column when the column is AUTO_INCREMENT on the servers
// or the catalog does not know (Plan.GeneratedDefault).
func (s *statement) defaultGenerated(ins *sqlparser.Insert, rows sqlparser.Values, table *shard.ShardedTable) bool {
	col := insertColumn(ins.Columns, table.KeyColumn)
	if col < 0 {
		return false
	}
	found := false
	for _, row := range rows {
		if col < len(row) {
			if _, ok := row[col].(*sqlparser.Default); ok {
				found = true
			}
		}
	}
	if !found {
		return false
	}
	ct, ok := s.catalog.Table(table.Name)
	if !ok {
		return true
	}
	for _, c := range ct.Columns {
		if strings.EqualFold(c.Name, table.KeyColumn) {
			return c.AutoIncrement
		}
	}
	return true
}

// explicitLastID returns Plan.ExplicitLastID: the last row's value of the
// table's AUTO_INCREMENT column when every row gives it explicitly, for
// a plain INSERT or REPLACE that generated no ids. MariaDB reports that
// value as LastInsertId (found by TestAttack8GeneratedIDs: VALUES (1001,
// …), (1002, …), (1003, …) over nodes reported 0 where MariaDB says 1003).
// Each value is read as the column stores it (integerKey, the conversion
// that places sharding values: '24', ' 24', 24.0, []byte("24")); known is
// false when that is not certain (an expression, a fraction, text that is
// not a number): LastInsertId is then refused, never answered 0 (found by
// TestReview8ExplicitLastID: VALUES ('21', …), …, ('24', …) reported 0
// where MariaDB says 24).
func (s *statement) explicitLastID(ins *sqlparser.Insert, rows sqlparser.Values, table *shard.ShardedTable, generated []int64) (last int64, known bool) {
	if len(generated) > 0 || len(rows) == 0 || bool(ins.Ignore) || len(ins.OnDup) > 0 {
		return 0, true
	}
	ct, ok := s.catalog.Table(table.Name)
	if !ok {
		return 0, true
	}
	col, at := (*schema.Column)(nil), -1
	for i := range ct.Columns {
		if !ct.Columns[i].AutoIncrement {
			continue
		}
		if j := insertColumn(ins.Columns, ct.Columns[i].Name); j >= 0 {
			col, at = &ct.Columns[i], j
		}
	}
	if at < 0 {
		return 0, true
	}
	for _, row := range rows {
		v, ok := s.valueAt(row, at)
		if !ok {
			return 0, false
		}
		k := integerKey(col, v, keyStore)
		n, isInt := k.value.(int64)
		if k.res != keyExact || !isInt {
			return 0, false // uint64 beyond int64 included: LastInsertId is an int64
		}
		last = n
	}
	return last, true
}

// checkUniqueKeys refuses REPLACE, INSERT IGNORE and ON DUPLICATE KEY
// UPDATE on table unless every unique key of the table contains its
// sharding column.
func (s *statement) checkUniqueKeys(ins *sqlparser.Insert, table *shard.ShardedTable) error {
	verb := conflictVerb(ins)
	if verb == "" {
		return nil
	}
	ct, ok := s.catalog.Table(table.Name)
	if !ok {
		s.lacksFact()
		return unsupported(s.sql, "%s on sharded table %s whose unique keys shardsql does not know (the servers' catalog is not loaded): a conflicting row could be on another node, where the statement would not see it (use a plain INSERT, or UPDATE by the sharding column)",
			verb, table.Name)
	}
	for _, ix := range ct.Indexes {
		has := false
		for _, c := range ix.Columns {
			if strings.EqualFold(c, table.Column) {
				has = true
			}
		}
		for _, c := range ix.Prefixed {
			if strings.EqualFold(c, table.Column) {
				// UNIQUE (k(2)): 'abc' and 'abd' conflict but hash to
				// different nodes (found by the write attack suite).
				has = false
			}
		}
		if !has && s.keysAllGenerated(ins, table, ix.Columns, ix.Prefixed) {
			continue
		}
		if !has {
			return unsupported(s.sql, "%s on sharded table %s, whose unique key %s (%s) does not contain sharding column %s: a conflicting row could be on another node, where the statement would not see it (include %s in every unique key, or use a plain INSERT, or UPDATE by the sharding column%s)",
				verb, table.Name, ix.Name, strings.Join(ix.Columns, ", "), table.Column, table.Column, upsertAdvice(ins))
		}
	}
	return nil
}

// upsertAdvice adds to the refusal above what to send instead when ins has
// the shape gorm gives a saved row's associations: every ON DUPLICATE KEY
// assignment is `c = VALUES(c)`. Found by round 16: `db.Save(&user)` of
// a user loaded with Preload upserts its has-one and has-many rows with
// their ids (`INSERT INTO profiles (user_id, bio, id) VALUES (…) ON
// DUPLICATE KEY UPDATE user_id = VALUES(user_id)`), refused where the
// children are sharded by user_id under a primary key (id); the message
// did not say how to save the user.
func upsertAdvice(ins *sqlparser.Insert) string {
	if len(ins.OnDup) == 0 {
		return ""
	}
	for _, u := range ins.OnDup {
		v, ok := u.Expr.(*sqlparser.ValuesFuncExpr)
		if !ok || v.Name == nil || !v.Name.Name.Equal(u.Name.Name) {
			return ""
		}
	}
	return "; gorm sends this for the associations of a row it saves: Save with Omit(clause.Associations) and update the associated rows by their own Model(&row).Updates, or give the associated table a primary key that contains the sharding column"
}

// Hazard (compat11): gorm's Create with associations inserts the children
// with `ON DUPLICATE KEY UPDATE author_id = VALUES(author_id)`, conflicting
// on their primary key id, which the children leave out: the ids are to be
// generated. When shardsql generates that key column for every row of the
// statement, a unique key containing it can only meet a conflict if some
// row already holds a freshly generated id — the generator never issued it
// before, so such a row exists only if one was written with an explicit
// value, which a plain INSERT would miss in the same way (the caveat of
// every write of a sharded table). The clause therefore cannot act on a row
// of another node because of that key, and the statement is as exact as
// the plain INSERT. A row that carries its own key value keeps the refusal.

// keysAllGenerated reports whether unique key columns contain table's
// generated key column in full and every row of ins leaves that column to
// the generator (omitted, NULL or DEFAULT).
func (s *statement) keysAllGenerated(ins *sqlparser.Insert, table *shard.ShardedTable, columns, prefixed []string) bool {
	if table.KeyGenerator == nil || table.KeyColumn == "" {
		return false
	}
	if !slices.ContainsFunc(columns, func(c string) bool { return strings.EqualFold(c, table.KeyColumn) }) ||
		slices.ContainsFunc(prefixed, func(c string) bool { return strings.EqualFold(c, table.KeyColumn) }) {
		return false
	}
	rows, ok := ins.Rows.(sqlparser.Values)
	if !ok {
		return false
	}
	col := insertColumn(ins.Columns, table.KeyColumn)
	if col < 0 {
		return true
	}
	for _, row := range rows {
		if col >= len(row) {
			return false
		}
		if _, ok := row[col].(*sqlparser.Default); ok {
			continue
		}
		if v, ok := s.valueAt(row, col); !ok || v != nil {
			return false
		}
	}
	return true
}

// checkAutoIncrement refuses an INSERT that leaves the table's
// AUTO_INCREMENT column to the server (the column omitted, or NULL, 0 or
// DEFAULT, or an expression that may be either): every node counts on its
// own, so ids repeat across nodes. A KeyGenerator for that column fills
// omitted and NULL values before routing (run it after fillKeys).
func (s *statement) checkAutoIncrement(ins *sqlparser.Insert, rows sqlparser.Values, table *shard.ShardedTable) error {
	ct, ok := s.catalog.Table(table.Name)
	if !ok {
		s.lacksFact()
		return nil
	}
	auto := ""
	for _, c := range ct.Columns {
		if c.AutoIncrement {
			auto = c.Name
		}
	}
	if auto == "" {
		return nil
	}
	refuse := func(what string) error {
		return unsupported(s.sql, "INSERT into sharded table %s that leaves AUTO_INCREMENT column %s to the server (%s): each node counts on its own and the ids repeat across nodes (set shard.Table.KeyColumn = %q and shard.Table.KeyGenerator, for example a seq.Snowflake, or give every row its id)",
			table.Name, auto, what, auto)
	}
	col := insertColumn(ins.Columns, auto)
	if col < 0 {
		return refuse("the column is omitted")
	}
	for _, row := range rows {
		if col >= len(row) {
			continue // MySQL rejects the row count itself
		}
		if _, isDefault := row[col].(*sqlparser.Default); isDefault {
			return refuse("DEFAULT")
		}
		v, ok := s.value(row[col])
		switch {
		case !ok:
			return refuse("an expression that may be NULL or 0: " + sqlparser.String(row[col]))
		case v == nil:
			return refuse("NULL")
		case isZero(v):
			return refuse("0")
		}
	}
	return nil
}

// isZero reports a value that an AUTO_INCREMENT column reads as 0 (and so
// generates an id for, unless sql_mode has NO_AUTO_VALUE_ON_ZERO). The
// column stores a number rounded to an integer and a string by its numeric
// prefix (none is 0, allowed outside strict mode), so 0.4, '0.4', FALSE and
// 'abc' are 0 too. Found by the write attack suite: INSERT INTO t (id, k)
// VALUES (0.4, 1) then (0.4, 2) gave ids 1 and 2 on one table, and id 1
// twice on two nodes.
func isZero(v any) bool {
	switch x := v.(type) {
	case bool:
		return !x
	case string:
		return textReadsAsZero(x)
	case []byte:
		return textReadsAsZero(string(x))
	case float64:
		return math.Abs(x) < 0.5
	case float32:
		return math.Abs(float64(x)) < 0.5
	}
	t, ok := canonicalText(v)
	if !ok {
		return false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	return err != nil || math.Abs(f) < 0.5
}

// textReadsAsZero reports a string whose numeric prefix (after leading
// whitespace) rounds to 0, or that has none.
func textReadsAsZero(s string) bool {
	s = strings.TrimLeft(s, " \t\n\r")
	n, ok := scanNumber(s, 0)
	if !ok || n.digits == 0 {
		return true
	}
	r, ok := new(big.Rat).SetString(s[n.start:n.end])
	return !ok || new(big.Rat).Abs(r).Cmp(big.NewRat(1, 2)) < 0
}

// insertColumn returns the index of the column named name in an INSERT's
// column list (the last, were it listed twice, which the server refuses),
// or -1.
func insertColumn(cols sqlparser.Columns, name string) int {
	at := -1
	for i, c := range cols {
		if c.EqualString(name) {
			at = i
		}
	}
	return at
}
