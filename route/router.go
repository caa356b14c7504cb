package route

import (
	"fmt"
	"strconv"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/shard"
)

// Router turns SQL text and arguments into plans for one topology. It is
// safe for concurrent use; the topology may change between calls.
type Router struct {
	topo   *shard.Topology
	parser *sqlparser.Parser
}

// New returns a Router for topo, with one SQL parser shared by all its calls.
func New(topo *shard.Topology) (*Router, error) {
	if topo == nil {
		return nil, fmt.Errorf("shardsql: route: nil topology")
	}
	p, err := sqlparser.New(sqlparser.Options{})
	if err != nil {
		return nil, fmt.Errorf("shardsql: route: creating SQL parser: %w", err)
	}
	return &Router{topo: topo, parser: p}, nil
}

// Route parses sql, finds the nodes it touches and rewrites it for each of
// them. args are the values of the statement's ? placeholders, in order.
// Statements shardsql cannot execute exactly return an error wrapping
// ErrUnsupported.
func (r *Router) Route(sql string, args []any) (*Plan, error) {
	stmt, bindVars, err := r.parser.Parse2(sql)
	if err != nil {
		if pieces, serr := r.parser.SplitStatementToPieces(sql); serr == nil && len(pieces) > 1 {
			return nil, unsupported(sql, "multiple statements in one string (send them one at a time)")
		}
		return nil, fmt.Errorf("shardsql: cannot parse %q: %w", quote(sql), err)
	}
	if err := checkArgs(sql, bindVars, args); err != nil {
		return nil, err
	}
	s := &statement{sql: sql, args: args, topo: r.topo}
	switch st := stmt.(type) {
	case *sqlparser.Select:
		return s.routeSelect(st)
	case *sqlparser.Union:
		return s.routeUnion(st)
	case *sqlparser.Insert:
		return s.routeInsert(st)
	case *sqlparser.Update:
		return s.routeUpdate(st)
	case *sqlparser.Delete:
		return s.routeDelete(st)
	case sqlparser.DDLStatement:
		return s.routeDDL(st)
	case *sqlparser.LockTables, *sqlparser.UnlockTables:
		return nil, unsupported(sql, "LOCK/UNLOCK TABLES (table locks cannot be held across pooled shard connections)")
	case *sqlparser.Begin, *sqlparser.Commit, *sqlparser.Rollback, *sqlparser.Savepoint,
		*sqlparser.SRollback, *sqlparser.Release:
		return nil, unsupported(sql, "transaction control in SQL text (use db.BeginTx, tx.Commit and tx.Rollback)")
	case *sqlparser.Set, *sqlparser.Use:
		return nil, unsupported(sql, "session state statements (SET, USE) on a pooled multi-shard connection (set session variables in each data source's DSN)")
	default:
		return s.routeOther(stmt)
	}
}

// checkArgs checks that the statement's placeholders are positional ? marks
// and that there is one argument for each.
func checkArgs(sql string, bindVars sqlparser.BindVars, args []any) error {
	for name := range bindVars {
		if _, ok := argIndex(name); !ok {
			return unsupported(sql, "named bind variable :%s (use ? placeholders)", name)
		}
	}
	if len(bindVars) != len(args) {
		return fmt.Errorf("shardsql: statement has %d ? placeholder(s) but %d argument(s) were given: %q", len(bindVars), len(args), quote(sql))
	}
	return nil
}

// argIndex maps the parser's name for the n-th ? ("v1", "v2", …) to an index into args.
func argIndex(name string) (int, bool) {
	if !strings.HasPrefix(name, "v") {
		return 0, false
	}
	n, err := strconv.Atoi(name[1:])
	if err != nil || n < 1 {
		return 0, false
	}
	return n - 1, true
}

// statement is the routing state of one Route call.
type statement struct {
	sql  string
	args []any
	topo *shard.Topology
}

// passthrough sends the statement unchanged to the default data source.
func (s *statement) passthrough(kind Kind) (*Plan, error) {
	ds := s.topo.DefaultDataSource()
	if ds == "" {
		return nil, fmt.Errorf("shardsql: no data source registered; call Topology.AddDataSource first")
	}
	return &Plan{SQL: s.sql, Kind: kind, Units: []Unit{{DataSource: ds, SQL: s.sql, Args: s.args}}}, nil
}

// routeOther handles statements with no routing of their own (SHOW,
// EXPLAIN, …): they go unchanged to the default data source unless they
// name a sharded table.
func (s *statement) routeOther(stmt sqlparser.Statement) (*Plan, error) {
	if names := s.shardedNames(stmt); len(names) > 0 {
		return nil, unsupported(s.sql, "%s statement on sharded table %s", statementName(stmt), names[0])
	}
	return s.passthrough(KindOther)
}

// statementName is a short upper-case name for a statement type, for errors.
func statementName(stmt sqlparser.Statement) string {
	name := fmt.Sprintf("%T", stmt)
	name = strings.TrimPrefix(name, "*sqlparser.")
	return strings.ToUpper(name)
}
