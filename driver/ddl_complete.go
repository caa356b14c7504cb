package driver

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
)

// DDL cannot be rolled back, and a sharded table's DDL runs once per node
// table: one that fails on some nodes (a unique index the rows of one node
// violate, a lock wait timeout, a full disk) stays applied on the others.
// The metadata lookups then refuse the table (metadata_nodes.go) and say
// to run the DDL again where it failed.
//
// Hazard (compat15): run again through shardsql, the statement failed on
// every node that already had the change ("Duplicate key name",
// "Duplicate column name"), so the retry a migration tool makes after the
// cause is fixed (golang-migrate's Force then Up, goose's Up) failed for
// ever, although it completed the change: one database, whose failed
// DDL changed nothing, runs it without error. Now a sharded table's DDL
// that failed only with errors saying the change is already there, on
// some of its node tables but not all, succeeds when the node tables'
// definitions then agree: the statement completed what the earlier run
// left half done. A DDL that fails on every node (the change was already
// everywhere: one database fails it too), fails otherwise, or leaves the
// node tables different keeps its error, which then says where it
// applied and where not.

// alreadyApplied are the MariaDB errors a DDL meets where its change is
// already made.
var alreadyApplied = map[uint16]bool{
	1050: true, // ER_TABLE_EXISTS_ERROR
	1051: true, // ER_BAD_TABLE_ERROR (DROP TABLE of a table already dropped)
	1060: true, // ER_DUP_FIELDNAME
	1061: true, // ER_DUP_KEYNAME
	1091: true, // ER_CANT_DROP_FIELD_OR_KEY
	1826: true, // ER_FK_DUP_NAME
	// ER_BAD_FIELD_ERROR: a CHANGE or RENAME COLUMN run again where the
	// column was renamed already. Hazard (round 16): without it the retry
	// of `ADD UNIQUE uv (v), CHANGE n m …` that failed on some node tables
	// failed for ever where one database runs it. A column name wrong
	// everywhere fails on every node (as one database); a node table
	// without the change keeps the definitions different (error kept).
	1054: true,
}

// ddlOutcome decides the error of a sharded table's DDL whose units
// failed (err joins the failing units' errors; the others ran). In a
// transaction too (goose runs each migration in one): each server
// commits its part of the transaction before the DDL, failed or not, and
// the definitions are read on the transaction's connections.
func (c *Conn) ddlOutcome(ctx context.Context, p *route.Plan, err error) error {
	if p.Kind != route.KindDDL || len(p.Units) < 2 {
		return err
	}
	st, ok := c.c.topo.Table(p.Table)
	if !ok || len(st.Nodes) != len(p.Units) {
		return err
	}
	failed := unitErrors(err)
	if len(failed) == len(p.Units) {
		return err // nowhere applied: as one database
	}
	done := true
	for _, f := range failed {
		var me *mysql.MySQLError
		if !errors.As(f, &me) || !alreadyApplied[me.Number] {
			done = false
		}
	}
	if done && c.checkNodeDefinitions(ctx, p, "sharded", "node tables", st.Name, st.Nodes) == nil {
		held, rerr := c.leftoverRows(ctx, p, failed, st.Name, st.Nodes)
		if rerr == nil && held == "" {
			held, rerr = c.keptColumnValues(ctx, p, failed, st.Name, st.Nodes)
			if rerr == nil && held == "" {
				return nil
			}
			if rerr != nil {
				return fmt.Errorf("%w\nshardsql: the DDL of sharded table %s failed on %d of its %d node tables with a duplicate column, and its values could not be compared with the column's DEFAULT (%v): drop the column where it is left, or add it on the node tables' own connections",
					err, st.Name, len(failed), len(p.Units), rerr)
			}
			return fmt.Errorf("%w\nshardsql: ADD COLUMN of sharded table %s found the column already on node table %s holding values other than its DEFAULT: it may be left by a DROP COLUMN that failed there rather than by an earlier run of this ALTER, and one database would give the new column its DEFAULT in every row (or fail: the column exists); drop the column there (or run the DROP again) and repeat this ALTER",
				err, st.Name, held)
		}
		if held != "" {
			return fmt.Errorf("%w\nshardsql: CREATE TABLE of sharded table %s found node table %s already there, holding rows: it may be left by a DROP TABLE that failed there rather than by an earlier run of this CREATE, and one database would fail this CREATE (the table exists); drop or empty it if it is a leftover, or create the missing node tables on their own connections",
				err, st.Name, held)
		}
	}
	return fmt.Errorf("%w\nshardsql: the DDL of sharded table %s failed on %d of its %d node tables and stays applied on the others; fix the cause and run the same statement again: shardsql completes it where it failed (errors saying the change is already there are ignored once every node table's definition agrees)",
		err, st.Name, len(failed), len(p.Units))
}

// Hazard (review15b): IF [NOT] EXISTS makes a node table where the
// change looks already there answer with a note, not an error, whatever
// that node table's definition is. A DDL left applied on some node tables
// (ADD COLUMN c VARCHAR(5)), followed by `ADD COLUMN IF NOT EXISTS c INT`,
// added an INT column to the others and succeeded: the node tables stayed
// different, where one database has one definition (the earlier one), and
// writes then failed or were cut on some node tables only. So a sharded
// table's DDL that says IF [NOT] EXISTS is followed by a comparison of its
// node tables' definitions (DDL is rare: one SHOW CREATE TABLE per node
// table), and a difference is an error naming it; the DDL ran on every
// node table, so running it again changes nothing.

// ifExists finds IF EXISTS or IF NOT EXISTS in a statement's text (in a
// comment or a string too: that costs only the comparison).
var ifExists = regexp.MustCompile(`(?i)\bif\s+(not\s+)?exists\b`)

// ddlIfExistsOutcome checks the node tables of a sharded table (the copies
// of a broadcast table) after its DDL with IF [NOT] EXISTS ran without
// error on every one.
func (c *Conn) ddlIfExistsOutcome(ctx context.Context, p *route.Plan) error {
	if p.Kind != route.KindDDL || len(p.Units) < 2 || !ifExists.MatchString(p.SQL) {
		return nil
	}
	kind, what, name := "sharded", "node tables", p.Table
	var nodes []shard.Node
	if st, ok := c.c.topo.Table(p.Table); ok {
		name, nodes = st.Name, st.Nodes
	} else if _, ok := c.c.topo.BroadcastName(p.Table); ok {
		// A broadcast table's copies, one per data source, each under
		// the name the statement gave (as checkMetadataNodes reads them).
		kind, what = "broadcast", "copies"
		for _, ds := range c.c.topo.DataSources() {
			nodes = append(nodes, shard.Node{DataSource: ds.Name, Table: p.Table})
		}
	}
	if len(nodes) != len(p.Units) {
		return nil
	}
	diff, err := c.nodeDifference(ctx, p, name, nodes)
	if err != nil {
		return err
	}
	if diff != "" {
		return fmt.Errorf("%w: IF [NOT] EXISTS in a DDL of %s table %s whose %s differ: it ran on each, skipping its change where something of that name was there, and they still differ: %s (one database has one definition: make them the same — compare SHOW CREATE TABLE on each data source) in %q",
			ErrUnsupported, kind, name, what, diff, p.SQL)
	}
	return nil
}

// leftoverRows returns the first node table holding a row when a failing
// unit's error is 1050 (the CREATE TABLE found the node table there).
//
// Hazard (review15b): completion cannot tell a node table that an
// earlier run of this CREATE made from one that another statement left:
// `DROP TABLE t` that failed on one node table, then `CREATE TABLE t`,
// succeeded with that node table's old rows, where one database fails
// the CREATE (the table exists). A node table this CREATE made is empty;
// one that holds rows is refused (the check reads every node table: the
// ones just made are empty).
func (c *Conn) leftoverRows(ctx context.Context, p *route.Plan, failed []error, logical string, nodes []shard.Node) (string, error) {
	created := false
	for _, f := range failed {
		var me *mysql.MySQLError
		if errors.As(f, &me) && me.Number == 1050 { // ER_TABLE_EXISTS_ERROR
			created = true
		}
	}
	if !created {
		return "", nil
	}
	for _, n := range nodes {
		if held, err := c.nodeRow(ctx, p, logical, n, "SELECT 1 FROM "+quoteIdent(n.Table)+" LIMIT 1"); err != nil || held {
			return n.String(), err
		}
	}
	return "", nil
}

// unitErrors splits the error of a plan's units into one per failing unit.
func unitErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// Hazard (ddl22): the units of a DDL run one after another (on a Conn's
// pins, in a transaction) stop at a failure that is not the server's
// answer (a killed session, a lost data source), since the connection is
// gone. The error returned was that unit's alone: the units that never
// ran, and the server errors of earlier units, were left out, and the
// outcome said the DDL "failed on 1 of its 4 node tables and stays
// applied on the others" when two of them never had it. The error now
// joins every failing unit's and one per unit not run, so the count and
// the places named are the node tables' own.

// errDDLNotRun is the error of a DDL's unit that did not run because an
// earlier unit's connection failed.
var errDDLNotRun = errors.New("not run: the DDL stopped at an earlier node table's connection failure, so this node table does not have the change")

// ddlStopped returns err, the error of unit i of plan p, which stopped the
// units there: for a DDL joined with the errors of earlier units (earlier)
// and one errDDLNotRun per unit after it.
func ddlStopped(p *route.Plan, i int, err error, earlier []error) error {
	if p.Kind != route.KindDDL {
		return err
	}
	all := append(earlier, err)
	for _, u := range p.Units[i+1:] {
		all = append(all, unitError(u, errDDLNotRun))
	}
	return errors.Join(all...)
}

// ddlGoesOn reports whether a DDL's units after a failing one still run:
// the failure is the server's answer (the connection is sound), and DDL,
// which cannot be rolled back, is attempted on every node table, as the
// parallel path does.
func ddlGoesOn(p *route.Plan, err error) bool {
	var me *mysql.MySQLError
	return p.Kind == route.KindDDL && errors.As(err, &me)
}

// Hazard (round 16): completion took a column that another statement left
// for one an earlier run of this ADD COLUMN made. `DROP COLUMN c` applied
// on some node tables and failed on the others, then `ADD COLUMN c` of
// the same definition added c (its DEFAULT in every row) where it was
// dropped and met 1060 where it was kept, whose old values stayed: the
// definitions agreed and the ALTER succeeded, where one database gives
// the new column its DEFAULT everywhere. A column an earlier run of this
// ADD made holds its DEFAULT in every row (until writes change it); one
// that holds anything else keeps the error. The check reads every node
// table (the ones just added hold the DEFAULT); a DEFAULT evaluated per
// row or at the time (RAND(), NOW()) or a NOT NULL column without one
// (DEFAULT() fails) is refused too: over-refusal, only after a failure.

// dupColumn reads the column of ER_DUP_FIELDNAME's message.
var dupColumn = regexp.MustCompile(`^Duplicate column name '(.*)'$`)

// keptColumnValues returns the first node table whose column, met by a
// failing unit's 1060 (ER_DUP_FIELDNAME), holds a value other than the
// column's DEFAULT.
func (c *Conn) keptColumnValues(ctx context.Context, p *route.Plan, failed []error, logical string, nodes []shard.Node) (string, error) {
	cols := map[string]bool{}
	var order []string
	for _, f := range failed {
		var me *mysql.MySQLError
		if !errors.As(f, &me) || me.Number != 1060 {
			continue
		}
		m := dupColumn.FindStringSubmatch(me.Message)
		if m == nil {
			return "", fmt.Errorf("unexpected duplicate column message %q", me.Message)
		}
		if !cols[m[1]] {
			cols[m[1]] = true
			order = append(order, m[1])
		}
	}
	for _, col := range order {
		for _, n := range nodes {
			if held, err := c.nodeRow(ctx, p, logical, n, notDefaultRow(n.Table, col)); err != nil || held {
				return n.String(), err
			}
		}
	}
	return "", nil
}

// notDefaultRow is a statement returning a row of node table table whose
// column col holds a value other than the column's DEFAULT.
func notDefaultRow(table, col string) string {
	q := quoteIdent(col)
	return "SELECT 1 FROM " + quoteIdent(table) + " WHERE NOT (" + q + " <=> DEFAULT(" + q + ")) LIMIT 1"
}

// quoteIdent writes name as a backquoted identifier.
func quoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}
