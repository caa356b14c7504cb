package route

import (
	"fmt"
	"strings"

	"github.com/shardsql/shardsql/merge"
	"github.com/shardsql/shardsql/shard"
)

// Kind says what a statement does, so the driver knows how to run it.
type Kind int

const (
	// KindSelect reads rows.
	KindSelect Kind = iota
	// KindInsert writes new rows (INSERT, REPLACE).
	KindInsert
	// KindUpdate changes rows.
	KindUpdate
	// KindDelete removes rows.
	KindDelete
	// KindDDL changes the schema of every node of a table.
	KindDDL
	// KindOther is any other statement sent unchanged to one data source.
	KindOther
)

var kindNames = [...]string{"select", "insert", "update", "delete", "ddl", "other"}

// String returns the kind's lower-case name.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("kind(%d)", int(k))
	}
	return kindNames[k]
}

// Unit is one statement for one data source.
type Unit struct {
	// DataSource is the name of the data source the statement runs on.
	DataSource string
	// Node is the physical table the unit addresses; empty for statements
	// on tables the topology does not know.
	Node shard.Node
	// SQL is the statement text to send, with ? placeholders.
	SQL string
	// Args are the values for SQL's placeholders, in order.
	Args []any
	// RowBound, when not 0, is how many rows the statement returns at
	// most, proven by its text: a deep page's statements (a window's or a
	// later phase's constant LIMIT, a count's one row; a UNION ALL of
	// them: their sum), a top-N scatter's node
	// statement (a constant LIMIT, unit_bound.go). The driver reads such a
	// unit whole inside sql.Conn.Raw when it runs on a pool connection of
	// its own (driver/rows_raw_scatter.go). 0: unknown.
	RowBound int
}

// Plan is the routed form of one statement: what to run where and how to
// merge it. It is plain data; the driver executes it: writes and DDL by
// Units, reads by Tree.
type Plan struct {
	// SQL is the statement as the caller wrote it.
	SQL string
	// Kind is what the statement does.
	Kind Kind
	// ImplicitCommit marks a statement the server runs only after
	// committing the session's transaction (DDL, ANALYZE/OPTIMIZE/REPAIR,
	// FLUSH, CREATE/DROP DATABASE): the driver refuses it inside a
	// transaction (driver/exec.go).
	ImplicitCommit bool
	// MayCommit marks CALL: a procedure's body may COMMIT, ROLLBACK or
	// run DDL, ending the session's transaction where it runs, which the
	// router cannot see (driver/tx_implicit_commit.go).
	MayCommit bool
	// Table is the logical sharded table the statement addresses, or "".
	Table string
	// Units are the statements to run, in node order.
	Units []Unit
	// Root is the operator tree of a SELECT: route leaves running node
	// statements and the operators combining their rows. Nil for other
	// statements and for a SELECT whose units' rows are returned one unit
	// after another (see Tree).
	Root merge.Operator
	// spec is the merge description a scatter's Root was built from (for
	// tests of the planner).
	spec *merge.Spec
	// GeneratedIDs are the keys shardsql generated for an INSERT's rows,
	// in row order.
	GeneratedIDs []int64
	// GeneratedMeet names the conflict form ("INSERT IGNORE" or "INSERT …
	// ON DUPLICATE KEY UPDATE") of an INSERT with GeneratedIDs whose rows
	// may meet existing rows by a unique key without the generated column:
	// then some generated ids name no row, and MariaDB's LastInsertId (the
	// first row it inserted, or the row it updated) is not GeneratedIDs[0].
	GeneratedMeet string
	// GeneratedPartial reports an INSERT with GeneratedIDs some of whose
	// rows carry their own key: its affected rows then do not tell
	// whether every generated row was inserted.
	GeneratedPartial bool
	// GeneratedAutoIncrement reports that the generated column is
	// AUTO_INCREMENT on the servers (by the catalog): a row inserted with
	// a generated id makes the server report that id as the statement's
	// LastInsertId. Read with GeneratedMeet (driver/result.go).
	GeneratedAutoIncrement bool
	// GeneratedMeetLastID reports an ON DUPLICATE KEY UPDATE clause that
	// calls LAST_INSERT_ID(expr), as ent's upsert does
	// (id = LAST_INSERT_ID(t.id)): a row that met an existing one makes the
	// server report expr's value, and one it inserted does not.
	GeneratedMeetLastID bool
	// GeneratedDefault marks an INSERT that filled a DEFAULT of a generated
	// column that is AUTO_INCREMENT on the servers (or of unknown type):
	// under sql_mode NO_AUTO_VALUE_ON_ZERO MariaDB stores 0 there, so the
	// driver refuses it on a session that set that mode (SQLMode).
	GeneratedDefault bool
	// ExplicitLastID is, for an INSERT or REPLACE split over several nodes
	// that gives every row's AUTO_INCREMENT column an explicit integer, the
	// last row's value: what MariaDB reports as its LastInsertId (0 when
	// unknown; never set for IGNORE or ON DUPLICATE KEY UPDATE).
	ExplicitLastID int64
	// ExplicitLastUnknown marks such an INSERT whose rows give the
	// AUTO_INCREMENT column a value shardsql cannot read as MariaDB
	// converts it: the driver then refuses LastInsertId.
	ExplicitLastUnknown bool
	// SetsSQLMode marks a SET of sql_mode to a string literal or DEFAULT,
	// and SQLMode is that value ("DEFAULT" for DEFAULT; "" may be the
	// empty mode).
	SetsSQLMode bool
	SQLMode     string
	// SetsEval are the session variables a SET assigns that change what
	// the operators above the nodes compute (div_precision_increment,
	// lc_time_names, default_week_format); EvalDefault those it sets to
	// the defaults those operators compute with (session_eval.go);
	// EvalToGlobal those it sets to DEFAULT, the servers' global values,
	// which may be others.
	SetsEval, EvalDefault, EvalToGlobal EvalVars
	// EvalAbove are those variables a SELECT may compute with above the
	// nodes (a merged AVG, expressions over merged rows): the driver
	// refuses it on a session that set one of them to another value.
	EvalAbove EvalVars
	// SchemaUnknown reports a plan that routes more widely than it would
	// with the catalog's facts about a table it lacks (see
	// ErrSchemaUnknown).
	SchemaUnknown bool
	// Broadcast marks a write to a broadcast table: the same statement on
	// every data source, to be committed everywhere or nowhere, whose
	// affected rows are those of one copy.
	Broadcast bool
	// BroadcastInsertID marks a broadcast INSERT or REPLACE on MariaDB:
	// the driver runs the first copy's unit first and, when it generated
	// AUTO_INCREMENT values, the others under SET STATEMENT insert_id =
	// its first one, so every copy's rows get the first copy's ids (see
	// route/broadcast.go).
	BroadcastInsertID bool
	// Locking marks a locking read (SELECT … FOR UPDATE, LOCK IN SHARE
	// MODE): its node statements lock the rows they read, so the driver
	// runs every one to its end even when the caller closes the rows
	// early, as one server runs its statement whole (driver/rows.go).
	Locking bool
	// Move, when set, is an UPDATE that moves rows to the node of their
	// new sharding value (dml_move.go); the driver runs it, not Units.
	Move *KeyMove
	// DeleteLimit, when set, is a DELETE … LIMIT n (no ORDER BY) reaching
	// several nodes: the driver runs Units one after the other in one
	// transaction, each with LIMIT set to what is left, and stops when
	// nothing is (dml_delete_limit.go). An UPDATE … LIMIT n (writes19)
	// has it too, with Counts: each node's matching rows are counted by a
	// locking read before its UPDATE (dml_update_limit.go).
	DeleteLimit *DeleteLimit
	// Ordered, when set, is a DELETE or UPDATE … ORDER BY … LIMIT n
	// reaching several nodes (writes19): the driver reads the first n
	// rows' keys with a locking scatter read, then runs Units with the key
	// condition (dml_ordered_limit.go).
	Ordered *OrderedWrite
	// Savepoint, when set, is a savepoint statement, which the driver
	// runs on every data source of the transaction (savepoint.go).
	Savepoint *Savepoint
	// Session says how the statement depends on the session of the
	// connection it runs on (0: not at all); the driver runs such
	// statements on the connections it keeps for the caller.
	Session SessionUses
	// DeepPage, when set, is the deep-page strategy of a scatter SELECT
	// (deep_page.go): Root is its merge.DeepPageScan operator, Units its
	// phase-1 statements.
	DeepPage *DeepPage
	// Metadata, when set, marks a metadata statement about logical tables
	// (SHOW TABLES, SHOW CREATE TABLE, information_schema lookups): the
	// driver rewrites each unit's rows as it says (route/metadata.go).
	Metadata *Metadata
	// InsertRows, for an INSERT split over nodes by its rows, holds for
	// each unit the indexes of the statement's rows it writes, in order.
	InsertRows [][]int
	// Returning, when set, is the RETURNING clause (MariaDB) appended to
	// every unit: the driver runs the units as one write and returns their
	// rows in statement order (returning.go).
	Returning *Returning
	// RowBound, for a SELECT of one unit, is how many rows it returns at
	// most, proved from the statement, the catalog and the arguments
	// (row_bound.go); 0 when nothing is proved.
	RowBound int
	// AddIfNotExists, for an ALTER TABLE of a sharded table, names the
	// columns it adds with IF NOT EXISTS, in every spelling MariaDB takes
	// (`ADD [COLUMN] IF NOT EXISTS c …`, the list `… IF NOT EXISTS (c …,
	// d …)`, comments between the words): the driver checks which node
	// tables have them before the ALTER runs (driver/ddl_if_not_exists.go).
	AddIfNotExists []string
}

// DataSources returns the distinct data sources of the plan's units in unit order.
func (p *Plan) DataSources() []string {
	var out []string
	for _, u := range p.Units {
		found := false
		for _, d := range out {
			if d == u.DataSource {
				found = true
				break
			}
		}
		if !found {
			out = append(out, u.DataSource)
		}
	}
	return out
}

// Tree returns the operator tree that reads the plan's rows: Root, or a
// route leaf returning the units' rows one unit after another.
func (p *Plan) Tree() merge.Operator {
	if p.Root != nil {
		return p.Root
	}
	return &merge.Route{Units: mergeUnits(p.Units)}
}

// mergeUnits returns units as the node statements of a route leaf.
func mergeUnits(units []Unit) []merge.Unit {
	out := make([]merge.Unit, len(units))
	for i, u := range units {
		out[i] = merge.Unit{DataSource: u.DataSource, Target: u.target(), SQL: u.SQL, Args: u.Args}
	}
	return out
}

// target names where a unit runs: its physical table, or its data source.
func (u Unit) target() string {
	if u.Node.Table != "" {
		return u.Node.String()
	}
	return u.DataSource
}

// String renders the plan for logs and Explain: its kind and table, then
// the operator tree of a SELECT, one operator per line indented under the
// operator that reads it, each route leaf's units (target: SQL [args])
// under it; for other statements the units.
func (p *Plan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", p.Kind)
	if p.Table != "" {
		fmt.Fprintf(&b, " %s", p.Table)
	}
	fmt.Fprintf(&b, " on %d unit(s)", len(p.Units))
	if p.DeleteLimit != nil {
		// The units run one after the other, each with LIMIT what is
		// left of N (dml_delete_limit.go).
		fmt.Fprintf(&b, ", node by node in one transaction, LIMIT %d in all", p.DeleteLimit.N)
		if p.DeleteLimit.Counts != nil {
			b.WriteString(", each node's matching rows counted FOR UPDATE first")
		}
	}
	if p.Ordered != nil {
		fmt.Fprintf(&b, ", the first %d rows in the order read FOR UPDATE first: %s", p.Ordered.N, p.Ordered.ReadSQL)
	}
	if p.Kind == KindSelect {
		writeTree(&b, p.Tree(), 1)
		return b.String()
	}
	for _, u := range p.Units {
		writeUnit(&b, u.target(), u.SQL, u.Args, 1)
	}
	return b.String()
}

// writeTree writes op and its inputs, depth levels deep.
func writeTree(b *strings.Builder, op merge.Operator, depth int) {
	b.WriteString("\n")
	b.WriteString(strings.Repeat("  ", depth))
	b.WriteString(op.Description())
	if r, ok := op.(*merge.Route); ok {
		for _, u := range r.Units {
			writeUnit(b, u.Target, u.SQL, u.Args, depth+1)
		}
	}
	for _, in := range op.Inputs() {
		writeTree(b, in, depth+1)
	}
}

// writeUnit writes one node statement.
func writeUnit(b *strings.Builder, target, sql string, args []any, depth int) {
	b.WriteString("\n")
	b.WriteString(strings.Repeat("  ", depth))
	b.WriteString(target)
	b.WriteString(": ")
	b.WriteString(sql)
	if len(args) > 0 {
		fmt.Fprintf(b, " %v", args)
	}
}
