package route

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shard"
)

// SessionUses is a set of the ways a statement depends on the session of
// the server connection it runs on. The driver runs such a statement on
// the connection it keeps per data source for the caller's *sql.Conn or
// transaction, so it sees that session exactly as with go-sql-driver. A
// statement that reaches several nodes runs on several sessions (or several
// times on one): its answer would depend on which, so the router refuses it.
type SessionUses uint32

const (
	// UsesUserVars reads or assigns @user variables.
	UsesUserVars SessionUses = 1 << iota
	// UsesSystemVars reads session system variables (@@x, @@session.x).
	UsesSystemVars
	// UsesLastInsertID calls LAST_INSERT_ID().
	UsesLastInsertID
	// UsesStatementHistory reads the previous statement's outcome:
	// FOUND_ROWS(), ROW_COUNT().
	UsesStatementHistory
	// CalcFoundRows counts the rows for FOUND_ROWS() (SQL_CALC_FOUND_ROWS).
	CalcFoundRows
	// UsesConnectionID calls CONNECTION_ID().
	UsesConnectionID
	// UsesLocks calls GET_LOCK and the other named-lock functions, held by
	// the session.
	UsesLocks
	// UsesSequences calls LASTVAL or PREVIOUS VALUE FOR (MariaDB sequences).
	UsesSequences
	// UsesTemporary creates or drops a temporary table, which only its
	// session sees.
	UsesTemporary
	// AssignsUserVars assigns @user variables outside SET (:=, INTO @v),
	// on the one data source the statement runs on.
	AssignsUserVars
	// TableFree marks a statement that names no table (SELECT
	// FOUND_ROWS(), SELECT @v): it may run on any data source, so the
	// driver sends one that reads the previous statement's outcome to the
	// data source that statement ran on.
	TableFree
	// SetsUserVars is a SET statement (of @user variables, and maybe of
	// system variables too).
	SetsUserVars
	// SetsSystemVars is a SET statement that changes session system
	// variables, which change what later statements mean on every node.
	SetsSystemVars
	// UsesFoundRows calls FOUND_ROWS(), which answers for the previous
	// SELECT on its session (not the previous statement, as ROW_COUNT()
	// does): the driver sends it where that SELECT ran.
	UsesFoundRows
	// UsesRowCount calls ROW_COUNT(), which answers for the previous
	// statement on its session.
	UsesRowCount
)

// Changes reports whether the statement leaves state in the session
// beyond the statement's own outcome: variables, temporary tables, named
// locks. A server connection holding such state is not given to anyone
// else (the driver closes it when the session ends).
func (u SessionUses) Changes() bool {
	return u&(SetsUserVars|SetsSystemVars|AssignsUserVars|UsesTemporary|UsesLocks|UsesSequences|LeavesState) != 0
}

// Depends reports whether the statement depends on the session (anything
// but TableFree, PrimaryOnly and LeavesState).
func (u SessionUses) Depends() bool {
	return u&^(TableFree|PrimaryOnly|LeavesState|CallsSequence) != 0
}

// what names the first use in the set, for errors.
func (u SessionUses) what() string {
	switch {
	case u&UsesUserVars != 0:
		return "user variable"
	case u&UsesSystemVars != 0:
		return "session system variable"
	case u&UsesLastInsertID != 0:
		return "LAST_INSERT_ID()"
	case u&UsesStatementHistory != 0:
		return "FOUND_ROWS() or ROW_COUNT()"
	case u&CalcFoundRows != 0:
		return "SQL_CALC_FOUND_ROWS"
	case u&UsesConnectionID != 0:
		return "CONNECTION_ID()"
	case u&UsesLocks != 0:
		return "named lock function (GET_LOCK family)"
	case u&UsesSequences != 0:
		return "LASTVAL()"
	case u&UsesTemporary != 0:
		return "temporary table"
	}
	return "session state"
}

// sessionFuncs maps the lower-cased names of functions whose result depends
// on the session to the use they record.
var sessionFuncs = map[string]SessionUses{
	"last_insert_id": UsesLastInsertID,
	"found_rows":     UsesStatementHistory | UsesFoundRows,
	"row_count":      UsesStatementHistory | UsesRowCount,
	"connection_id":  UsesConnectionID,
	"lastval":        UsesSequences,
	"nextval":        0, // changes the sequence, not the session: routed as any function
}

// lockFuncs are MariaDB's named-lock functions. The parser reads them as
// a LockingFunc when spelled bare, but as a plain FuncExpr when the name is
// quoted (`GET_LOCK`('a', 0)), which MariaDB runs as the same built-in:
// recorded by name too, so every spelling holds its session (round 21: a
// quoted GET_LOCK recorded nothing, its connection was parked or pooled
// with the lock — the next session held it, the caller's RELEASE_LOCK ran
// elsewhere — and its bounded read skipped the liveness check and could
// run twice). A qualified name (db.GET_LOCK) is a stored function
// (userCall: PrimaryOnly).
var lockFuncs = map[string]bool{"get_lock": true, "release_lock": true, "is_free_lock": true, "is_used_lock": true, "release_all_locks": true}

// sessionUsesOf walks a parsed statement once (the result is cached with
// the parse) and records how it depends on the session, and whether only a
// primary may run it (PrimaryOnly): one walk for both, since uncached
// routing pays for every walk of the AST. An uncached parse leaves it to
// walkShape, whose walk of the statement collects it too (sessionWalk).
func sessionUsesOf(stmt sqlparser.Statement) SessionUses {
	var w sessionWalk
	var visit func(n sqlparser.SQLNode) (bool, error)
	visit = func(n sqlparser.SQLNode) (bool, error) {
		w.node(n)
		switch n := n.(type) {
		case *sqlparser.ColName:
			// Its qualifier is the only part of it that matters here:
			// not walking into it saves boxing its three names.
			return false, nil
		case *sqlparser.AliasedExpr:
			// Only its expression matters: its alias is a name, which
			// Walk would box.
			_ = walk(visit, n.Expr)
			return false, nil
		case *sqlparser.AliasedTableExpr:
			// Only its table or derived table matters, not the alias,
			// partitions, index hints or column names Walk would box.
			if _, ok := n.Expr.(sqlparser.TableName); !ok {
				_ = walk(visit, n.Expr)
			}
			return false, nil
		}
		return true, nil
	}
	_ = walk(visit, stmt)
	return w.uses()
}

// sessionWalk collects SessionUses from the nodes of a walk that visits
// every node except the names below a column, a select expression's alias
// and an aliased table's alias, partitions, hints and column names — the
// walk of sessionUsesOf and of walkShape, which descend alike.
type sessionWalk struct {
	u     SessionUses
	named bool // a table other than DUAL was named
}

// node records what n says about the session.
func (w *sessionWalk) node(n sqlparser.SQLNode) {
	if primaryOnlyNode(n) { // replica_reads.go
		w.u |= PrimaryOnly
	}
	if leavesStateNode(n) { // session_opaque.go
		w.u |= LeavesState
	}
	w.u |= diagnosticsNode(n) // session_diagnostics.go
	switch n := n.(type) {
	case *sqlparser.ColName:
		w.tableName(n.Qualifier)
	case *sqlparser.AliasedTableExpr:
		if tn, ok := n.Expr.(sqlparser.TableName); ok {
			w.tableName(tn)
		}
	case *sqlparser.Variable:
		switch n.Scope {
		case sqlparser.VariableScope:
			w.u |= UsesUserVars
		case sqlparser.SessionScope, sqlparser.NoScope:
			w.u |= UsesSystemVars
			if name := n.Name.Lowered(); name == "identity" || name == "last_insert_id" {
				// Both are LAST_INSERT_ID() (round 15: after an INSERT
				// whose keys shardsql generated, SELECT @@identity went
				// to the default data source and answered 0 where one
				// server answers the id; LAST_INSERT_ID() is refused
				// there, and read where the server generated it).
				w.u |= UsesLastInsertID
			}
		}
	case *sqlparser.AssignmentExpr:
		w.u |= UsesUserVars | AssignsUserVars
	case *sqlparser.SelectInto:
		if len(n.VarList) > 0 {
			w.u |= UsesUserVars | AssignsUserVars
		}
	case sqlparser.TableName:
		w.tableName(n)
	case *sqlparser.FuncExpr:
		name := n.Name.Lowered()
		w.u |= sessionFuncs[name]
		if sequenceFuncs[name] {
			w.u |= CallsSequence
		}
		if name == "last_insert_id" && len(n.Exprs) > 0 {
			w.u |= SetsLastInsertID
		}
		if lockFuncs[name] && n.Qualifier.IsEmpty() {
			w.u |= UsesLocks
		}
	case *sqlparser.LockingFunc:
		w.u |= UsesLocks
	case *sqlparser.Select:
		if n.SQLCalcFoundRows {
			w.u |= CalcFoundRows
		}
	case *sqlparser.CreateTable:
		if n.Temp {
			w.u |= UsesTemporary
		}
	case *sqlparser.DropTable:
		if n.Temp {
			w.u |= UsesTemporary
		}
	}
}

func (w *sessionWalk) tableName(n sqlparser.TableName) {
	if !n.Name.IsEmpty() && !strings.EqualFold(n.Name.String(), "dual") {
		w.named = true
	}
}

// uses is what the walk found.
func (w *sessionWalk) uses() SessionUses {
	if !w.named {
		return w.u | TableFree
	}
	return w.u
}

// checkSession refuses a plan that reaches several nodes when its
// statement depends on the session: each node's session would answer for
// its own part (LAST_INSERT_ID, FOUND_ROWS, @v of another value, a lock
// taken once per node) and the merged result would match no single one.
func (s *statement) checkSession(p *Plan, uses SessionUses) (*Plan, error) {
	p.Session |= uses
	if err := s.checkSequence(p, uses); err != nil {
		return nil, err
	}
	if uses&AssignsUserVars != 0 && len(s.topo.DataSources()) > 1 {
		return nil, unsupported(s.sql, "assigning a user variable outside SET (it would change on one data source only: assign it with SET @v = ?, which shardsql sends to every data source)")
	}
	if uses&UsesLocks != 0 && uses&TableFree == 0 && len(p.Units) == 1 && p.Units[0].DataSource != s.topo.DefaultDataSource() {
		// Named locks belong to a server: SELECT GET_LOCK(…) naming no
		// table takes them on the default data source, where RELEASE_LOCK
		// must find them.
		return nil, unsupported(s.sql, "named lock function in a statement on data source %s (locks are taken on the default data source %s: call GET_LOCK and RELEASE_LOCK in statements naming no table)", p.Units[0].DataSource, s.topo.DefaultDataSource())
	}
	if len(p.Units) <= 1 || !uses.Depends() || p.Session&(SetsUserVars|SetsSystemVars) != 0 {
		return p, nil
	}
	if p.Broadcast && uses&SetsLastInsertID != 0 && !(uses &^ (UsesLastInsertID | SetsLastInsertID)).Depends() {
		// A broadcast write's LAST_INSERT_ID(expr) (ent's upsert, the
		// counter idiom): the argument-less call is refused before this
		// (nonDeterministic), and expr has the same value on every copy,
		// so every copy's session is left the same value — the first
		// copy's result reports it, as one server would.
		return p, nil
	}
	what := uses.what()
	if uses&UsesUserVars != 0 && p.Table != "" {
		return nil, unsupported(s.sql, "%s in a statement on sharded table %s that reaches %d nodes (a @variable cannot route: pass its value as a ? argument, or add a sharding condition that picks one node)", what, p.Table, len(p.Units))
	}
	return nil, unsupported(s.sql, "%s in a statement that reaches %d nodes (each node's session would answer for its own part: run it where it reaches one node, or read the value on its own and pass it as a ? argument)", what, len(p.Units))
}

// routeSet routes a SET statement. shardsql keeps one server connection per
// data source for a *sql.Conn or a transaction, so a SET runs on each of
// them and later statements see the same session wherever they go:
//
//   - @user variables set to a literal, a ? argument, NULL, or arithmetic of
//     those (an expression calling a function, reading a column, a
//     subquery or another variable could give each data source another
//     value, and is refused);
//   - session system variables (SET x, SET SESSION x, SET @@x, SET NAMES,
//     SET CHARACTER SET) to such values or DEFAULT.
//
// Refused: GLOBAL and PERSIST scopes (they change the servers, not the
// session), SET TRANSACTION and autocommit or transaction variables (use
// db.BeginTx with sql.TxOptions: shardsql runs transactions itself), and
// insert_id / last_insert_id (the driver answers LAST_INSERT_ID() itself
// after INSERTs whose keys it generates).
func (s *statement) routeSet(set *sqlparser.Set) (*Plan, error) {
	uses := SetsUserVars
	for _, e := range set.Exprs {
		name := e.Var.Name.Lowered()
		switch e.Var.Scope {
		case sqlparser.VariableScope:
		case sqlparser.NoScope, sqlparser.SessionScope:
			uses |= SetsSystemVars
			switch {
			case name == "autocommit" || strings.HasPrefix(name, "transaction_") || strings.HasPrefix(name, "tx_") || name == "completion_type":
				return nil, unsupported(s.sql, "SET %s (shardsql runs transactions itself: use db.BeginTx with sql.TxOptions)", name)
			case name == "insert_id" || name == "last_insert_id" || name == "identity":
				return nil, unsupported(s.sql, "SET %s (use Result.LastInsertId and ? arguments)", name)
			case (name == "sql_log_bin" && !isOn(e.Expr) || name == "gtid_seq_no") && s.topo.HasReplicas():
				// Read-your-writes trusts the binary log: a write left out
				// of it (sql_log_bin = 0) never reaches the replicas that
				// later reads of its rows use, and one given an older
				// sequence number (gtid_seq_no) looks applied before it is
				// (found by TestAttack8Replicas).
				return nil, unsupported(s.sql, "SET %s while the topology has read replicas (the write would not reach them as read-your-writes expects, and later reads from them would miss it): write through the binary log, or run such maintenance on the servers directly", name)
			case name == "sql_select_limit":
				return nil, unsupported(s.sql, "SET sql_select_limit (it would limit each node's rows, not the result: write LIMIT in the statement)")
			case (name == "names" || name == "charset" || name == "character_set_client" || name == "character_set_connection") && !isUTF8MB4(e.Expr) && !s.utf8mb4Default(e.Expr),
				name == "collation_connection" && !isUTF8MB4Collation(e.Expr) && !s.utf8mb4Default(e.Expr):
				// Text sharding values are hashed as the UTF-8 the
				// statement carries; under another client or
				// connection character set the server converts the
				// literal first ('é' under SET NAMES latin1 is stored as
				// 'Ã©'), so the row lands where no read of its stored
				// value looks (found by the write attack suite).
				return nil, unsupported(s.sql, "SET %s to a character set other than utf8mb4 (the server would convert text literals, and text sharding values would be stored other than shardsql places them): keep utf8mb4, and convert text in the application", name)
			case name == "character_set_results" && !isUTF8MB4(e.Expr) && !s.utf8mb4Default(e.Expr):
				// Hazard (review20a): the merges read text as utf8mb4;
				// under NULL or latin1 the servers send 'ä' as the byte
				// E4, which ORDER BY, GROUP BY, MIN/MAX and filters above
				// the nodes compared as invalid UTF-8 (groups split, rows
				// out of order).
				return nil, unsupported(s.sql, "SET character_set_results to a character set other than utf8mb4 (rows merged from several nodes are compared and computed as utf8mb4 text): keep utf8mb4, and convert text in the application")
			case name == "time_zone":
				if err := s.checkTimeZone(e.Expr); err != nil {
					return nil, err
				}
			case name == "sql_mode" && !plainSQLMode(e.Expr):
				return nil, unsupported(s.sql, "SET sql_mode to modes that change how statements parse (ANSI, ANSI_QUOTES, PIPES_AS_CONCAT, NO_BACKSLASH_ESCAPES, IGNORE_SPACE, HIGH_NOT_PRECEDENCE, ORACLE and other compatibility modes), or to a value shardsql cannot read: shardsql parses and rewrites statements as MySQL's default dialect; write the modes as a string literal")
			}
		case sqlparser.NextTxScope:
			return nil, unsupported(s.sql, "SET TRANSACTION (use db.BeginTx with sql.TxOptions)")
		default:
			return nil, unsupported(s.sql, "SET of a GLOBAL or PERSIST variable (it changes the servers, not this session: set it on each server)")
		}
		if !constantExpr(e.Expr) {
			return nil, unsupported(s.sql, "SET %s to an expression that could differ between data sources (use literals or ? arguments)", sqlparser.String(e.Var))
		}
	}
	sources := s.topo.DataSources()
	if len(sources) == 0 {
		return s.passthrough(KindOther)
	}
	p := &Plan{SQL: s.sql, Kind: KindOther, Session: uses}
	p.SQLMode, p.SetsSQLMode = sqlModeSet(set)
	p.SetsEval, p.EvalDefault, p.EvalToGlobal = evalVarsSet(set, s.sql)
	for _, ds := range sources {
		p.Units = append(p.Units, Unit{DataSource: ds.Name, SQL: s.sql, Args: s.args})
	}
	return p, nil
}

// sqlModeSet returns Plan.SQLMode and SetsSQLMode of a SET: the last
// sql_mode it sets, written as a string literal, or "DEFAULT".
func sqlModeSet(set *sqlparser.Set) (mode string, ok bool) {
	for _, e := range set.Exprs {
		if e.Var.Scope == sqlparser.VariableScope || e.Var.Name.Lowered() != "sql_mode" {
			continue
		}
		switch v := e.Expr.(type) {
		case *sqlparser.Default:
			mode, ok = "DEFAULT", true
		case *sqlparser.Literal:
			if v.Type == sqlparser.StrVal {
				mode, ok = v.Val, true
			}
		}
	}
	return mode, ok
}

// isOn reports a value written as 1 or ON (a literal).
func isOn(e sqlparser.Expr) bool {
	switch e := e.(type) {
	case *sqlparser.Literal:
		return e.Val == "1" || strings.EqualFold(e.Val, "on")
	case *sqlparser.ColName:
		return e.Qualifier.IsEmpty() && e.Name.EqualString("on")
	case sqlparser.BoolVal:
		return bool(e)
	}
	return false
}

// isUTF8MB4 reports a character set name written as utf8mb4 (a literal;
// SET NAMES utf8mb4 COLLATE … parses as its character set).
func isUTF8MB4(e sqlparser.Expr) bool {
	lit, ok := e.(*sqlparser.Literal)
	return ok && lit.Type == sqlparser.StrVal && strings.EqualFold(lit.Val, "utf8mb4")
}

// utf8mb4Default reports DEFAULT where every data source's catalog entry
// says what DEFAULT may set a connection's character set or collation to
// (the global client and connection settings, the database's) is utf8mb4.
// Without the catalog's word it is false: a server configured for latin1
// would convert text literals (attack10; before, DEFAULT was always
// refused).
func (s *statement) utf8mb4Default(e sqlparser.Expr) bool {
	if _, ok := e.(*sqlparser.Default); !ok {
		return false
	}
	for _, ds := range s.topo.DataSources() {
		src, ok := s.catalog.Source(ds.Name)
		if !ok || src.DefaultCharsets == nil {
			s.lacksFact()
			return false
		}
		for _, cs := range src.DefaultCharsets {
			if l := strings.ToLower(cs); l != "utf8mb4" && !strings.HasPrefix(l, "utf8mb4_") {
				return false
			}
		}
	}
	return true
}

// isUTF8MB4Collation reports a collation name of utf8mb4 written as a
// literal (collation_connection sets character_set_connection too).
func isUTF8MB4Collation(e sqlparser.Expr) bool {
	lit, ok := e.(*sqlparser.Literal)
	return ok && lit.Type == sqlparser.StrVal && strings.HasPrefix(strings.ToLower(lit.Val), "utf8mb4_")
}

// checkTimeZone refuses SET time_zone to a zone other than the data
// sources' own when a sharded table is sharded by a TIMESTAMP column. The
// server reads and prints a TIMESTAMP in the session's zone, and shardsql
// places it by that wall clock: after SET time_zone = '+09:00', INSERT …
// '2025-07-01 05:00:00' stored the instant 2025-06-30 20:00 UTC in July's
// table, where a read in any other session, of '2025-06-30 20:00:00',
// does not look (found by the write attack suite). A zone equal to every
// data source's (as the catalog read it) changes nothing.
func (s *statement) checkTimeZone(e sqlparser.Expr) error {
	var timestamp *shard.ShardedTable
	unknown := false
	for _, t := range s.topo.Tables() {
		if ct, ok := s.catalog.Table(t.Name); ok {
			if col, ok := ct.Column(t.Column); ok {
				if col.DataType == "timestamp" {
					timestamp, unknown = t, false
					break
				}
				continue
			}
		}
		// The catalog does not know the column's type: not loaded yet,
		// dropped from it after DDL, or the table not created yet — and a
		// table created after this SET would keep the session's zone. A
		// hash or mod key is never a time value; any other algorithm may
		// place a TIMESTAMP, so the SET is refused unless a reloaded
		// catalog shows the column is not one.
		if t.Algorithm == nil || t.Algorithm.Name() == "hash" || t.Algorithm.Name() == "mod" {
			continue
		}
		s.lacksFact()
		if timestamp == nil {
			timestamp, unknown = t, true
		}
	}
	if timestamp == nil {
		return nil
	}
	if lit, ok := e.(*sqlparser.Literal); ok && lit.Type == sqlparser.StrVal {
		same := true
		for _, ds := range s.topo.DataSources() {
			src, ok := s.catalog.Source(ds.Name)
			if !ok || !strings.EqualFold(src.TimeZone, lit.Val) {
				same = false
			}
		}
		if same {
			return nil
		}
	}
	if unknown {
		return unsupported(s.sql, "SET time_zone while the type of %s.%s, the sharding column of a time-sharded table, is not known (the table does not exist yet, or its columns could not be read): a TIMESTAMP column would place rows written in one zone where reads in another do not look; set the zone in every data source's DSN (time_zone parameter) instead", timestamp.Name, timestamp.Column)
	}
	return unsupported(s.sql, "SET time_zone while table %s is sharded by TIMESTAMP column %s (the server reads a TIMESTAMP in the session's zone and shardsql places it by that wall clock, so rows written in one zone would be where reads in another do not look): set the zone in every data source's DSN (time_zone parameter) instead", timestamp.Name, timestamp.Column)
}

// dialectModes are the sql_mode words that change how the servers parse
// statements: shardsql parses and renders node statements in the default
// dialect, so the servers would read them differently.
var dialectModes = []string{"ANSI", "PIPES_AS_CONCAT", "NO_BACKSLASH_ESCAPES", "IGNORE_SPACE",
	"HIGH_NOT_PRECEDENCE", "ORACLE", "MSSQL", "DB2", "POSTGRESQL", "MAXDB", "EMPTY_STRING_IS_NULL", "SIMULTANEOUS_ASSIGNMENT"}

// DialectModeIn returns the first word of sql_mode value mode (its
// comma-separated words, spaces trimmed, any case) that holds a dialect
// mode, "" when none does. It allocates nothing: the driver asks it for
// every statement it parsed.
func DialectModeIn(mode string) string {
	for rest := mode; rest != ""; {
		var w string
		w, rest, _ = strings.Cut(rest, ",")
		w = strings.TrimSpace(w)
		for _, d := range dialectModes {
			if containsFold(w, d) {
				return w
			}
		}
	}
	return ""
}

// containsFold reports whether s holds sub without regard to case
// (strings.EqualFold's folding).
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// plainSQLMode reports whether e is a sql_mode that keeps the default
// dialect: DEFAULT, or a string literal without a dialect mode.
func plainSQLMode(e sqlparser.Expr) bool {
	switch v := e.(type) {
	case *sqlparser.Default:
		return true
	case *sqlparser.Literal:
		if v.Type != sqlparser.StrVal {
			return false
		}
		return DialectModeIn(v.Val) == ""
	}
	return false
}

// constantExpr reports whether e has the same value on every server:
// literals, ? arguments, NULL, DEFAULT, and arithmetic over them.
func constantExpr(e sqlparser.Expr) bool {
	ok := true
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n.(type) {
		case *sqlparser.Literal, *sqlparser.Argument, *sqlparser.NullVal, *sqlparser.Default, sqlparser.BoolVal,
			*sqlparser.UnaryExpr, *sqlparser.BinaryExpr:
			return true, nil
		}
		ok = false
		return false, nil
	}, e)
	return ok
}

// setAssignments rewrites MySQL's `:=` in a SET statement to `=`, which
// the parser reads (it takes `:=` only in expressions): the text parsed is
// this one, the text sent to the servers the caller's. ok is false when sql
// is not a SET statement or has no `:=` outside quotes.
func (r *Router) setAssignments(sql string) (string, bool) {
	tok := r.parser.NewStringTokenizer(sql)
	typ, val := tok.Scan()
	if typ == 0 || typ == eofChar || !strings.EqualFold(val, "set") {
		return "", false
	}
	var b strings.Builder
	last := 0
	for {
		start := tok.Pos
		typ, _ := tok.Scan()
		if typ == 0 || typ == eofChar {
			break
		}
		if tok.Pos-start >= 2 && strings.HasSuffix(sql[start:tok.Pos], ":=") {
			b.WriteString(sql[last : tok.Pos-2])
			b.WriteString(" =")
			last = tok.Pos
		}
	}
	if last == 0 {
		return "", false
	}
	b.WriteString(sql[last:])
	return b.String(), true
}
