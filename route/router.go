package route

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/shard"
)

// Router turns SQL text and arguments into plans for one topology. It is
// safe for concurrent use; the topology may change between calls.
type Router struct {
	topo   *shard.Topology
	parser *sqlparser.Parser
	cache  *planCache // nil when off
	// slowRender prints every node statement through the formatter
	// alone, as before render_fast.go (the tests compare the two).
	slowRender bool
	// volatile memoizes volatileExpr by a column default's text (the
	// catalog holds few distinct ones): the Router's, never global.
	volatile sync.Map
}

// DefaultCacheSize is the number of statements whose analysis a Router
// keeps unless Config says otherwise.
const DefaultCacheSize = 1000

// Config tunes a Router.
type Config struct {
	// CacheSize is how many distinct statement texts keep their parsed
	// form (least recently used first out). 0 means DefaultCacheSize, a
	// negative value turns the cache off. Statements with their values
	// written as literals are entries of their own: use ? arguments.
	CacheSize int
}

// New returns a Router for topo with the default configuration.
func New(topo *shard.Topology) (*Router, error) {
	return NewWithConfig(topo, Config{})
}

// NewWithConfig returns a Router for topo, with one SQL parser shared by
// all its calls and a plan cache.
func NewWithConfig(topo *shard.Topology, cfg Config) (*Router, error) {
	if topo == nil {
		return nil, fmt.Errorf("shardsql: route: nil topology")
	}
	p, err := sqlparser.New(sqlparser.Options{})
	if err != nil {
		return nil, fmt.Errorf("shardsql: route: creating SQL parser: %w", err)
	}
	r := &Router{topo: topo, parser: p}
	if cfg.CacheSize >= 0 {
		size := cfg.CacheSize
		if size == 0 {
			size = DefaultCacheSize
		}
		r.cache = newPlanCache(size)
	}
	return r, nil
}

// Options tune how a statement is routed.
type Options struct {
	// WeightStrings (the servers are MariaDB or MySQL) makes cross-node
	// merges compare text by the server's collation: each sort key, group
	// key, MIN/MAX and HAVING operand is fetched with a hidden COLLATION()
	// column, and the merge compares with Vitess's collations. Servers
	// without it (the embedded shards) compare text by bytes, as their
	// binary collation does.
	WeightStrings bool
	// MaxMemoryRows caps the rows a merge may hold in memory (0: the
	// merge package's default).
	MaxMemoryRows int
	// JoinBatch is how many outer rows a cross-node join looks up on the
	// inner table at once (0: merge.DefaultJoinBatch).
	JoinBatch int
	// ShardingValues are hints: for each named sharded table, the sharding
	// values that pick its nodes instead of the statement's conditions
	// (for statements that do not carry the key).
	ShardingValues map[string][]any
	// DataSource is a hint: where statements on tables the topology does
	// not know go, instead of the first data source.
	DataSource string
	// Catalog is what the servers said about the data sources and the
	// sharded tables (column types, collations, unique keys, database
	// names, table-name case). Sharding values are converted by the
	// column's type it gives; a table it lacks is unknown and routing
	// takes the conservative path (every node for reads, a refusal for
	// writes), marking the plan or error (see ErrSchemaUnknown). nil
	// means a Router used on its own: values are taken as written (Go
	// integers as integers, strings as their bytes), as before the
	// catalog existed; the driver always passes one.
	Catalog *schema.Catalog
	// DeepPageKeys says whether a deep page's phases 1 and 2 read the
	// order's keys only (docs/deep-pages.md); the zero value decides by
	// the estimated transfer.
	DeepPageKeys DeepPageKeys
	// SessionTemporary says the caller's session created (or dropped)
	// temporary tables: an unsharded table a join names may be one,
	// whose columns are not the ones the catalog read from the permanent
	// table it shadows, so its unqualified columns are refused instead of
	// resolved by the catalog (join_names.go). It changes no pass-through
	// or point plan (they resolve no column against unsharded tables).
	SessionTemporary bool
	// InterpolatedArgs says the data sources' DSNs set interpolateParams:
	// go-sql-driver writes the arguments into the statement's text, a
	// string as '4' and a []byte as _binary'4', which MariaDB rejects
	// after LIMIT and OFFSET (a syntax error), where the binary protocol
	// takes them. A LIMIT or OFFSET that shardsql reads itself (a merge's
	// page) with such an argument is then refused instead of answered.
	InterpolatedArgs bool
	// Store, when not nil, holds the plan of a cached point or
	// pass-through statement instead of an allocation of its own (see
	// PlanStore).
	Store *PlanStore
	// Memo, when not nil, is the caller's memo of the last statement
	// found in the plan cache (see ParseMemo).
	Memo *ParseMemo
}

// Route parses sql, finds the nodes it touches and rewrites it for each of
// them. args are the values of the statement's ? placeholders, in order.
// Statements shardsql cannot execute exactly return an error wrapping
// ErrUnsupported.
func (r *Router) Route(sql string, args []any) (*Plan, error) {
	return r.RouteWith(sql, args, Options{})
}

// RouteWith is Route with options.
func (r *Router) RouteWith(sql string, args []any, opts Options) (p *Plan, err error) {
	ps, err := r.parseMemo(sql, opts.Memo)
	if err != nil {
		var pe *parseError
		if !errors.As(err, &pe) {
			return nil, err
		}
		if p, ok, rerr := r.routeReturning(sql, args, opts); ok {
			return p, rerr // MariaDB's RETURNING, which the parser cannot read (returning.go)
		}
		if p, ok, rerr := r.routeIndexIfExists(sql, args, opts); ok {
			return p, rerr // MariaDB's CREATE/DROP INDEX … IF [NOT] EXISTS (ddl_index_if.go)
		}
		return r.routeUnparsed(pe, args, opts) // unparsed.go
	}
	if ps.numArgs != len(args) {
		return nil, fmt.Errorf("shardsql: statement has %d ? placeholder(s) but %d argument(s) were given: %q", ps.numArgs, len(args), quote(sql))
	}
	if ps.jsonArrow != "" && !opts.Catalog.MySQL() {
		// Hazard (attack10): without a catalog that read every server's
		// VERSION() the servers may be MariaDB, which fails the statement
		// (error 1064) where the SQL sent would answer it. Unknown is
		// refused, and the driver loads the catalog and routes again.
		if !opts.Catalog.MariaDB() {
			err := unsupported(sql, "MySQL's JSON operator %s while the servers' flavour is unknown (no catalog has read every data source's VERSION(); MariaDB has no such operator and fails with error 1064, while the SQL parser would send JSON_EXTRACT): write JSON_EXTRACT(col, path), or JSON_UNQUOTE(JSON_EXTRACT(col, path)) for ->>", ps.jsonArrow)
			if opts.Catalog != nil {
				return nil, schemaUnknownError{err}
			}
			return nil, err
		}
		return nil, unsupported(sql, "MySQL's JSON operator %s, which MariaDB does not have (it fails with error 1064; the SQL parser would send JSON_EXTRACT instead): write JSON_EXTRACT(col, path), or JSON_UNQUOTE(JSON_EXTRACT(col, path)) for ->>", ps.jsonArrow)
	}
	if ps.callSpelling != "" {
		return nil, unsupported(sql, "%s", ps.callSpelling) // call_spellings.go
	}
	stmt := ps.stmt
	version := r.topo.Version()
	if p, ok := r.routePointDirect(ps, sql, args, opts, version); ok {
		return p, nil // a cached point statement whose node SQL is known (point.go)
	}
	if p, ok := r.routePassDirect(ps, sql, args, opts, version); ok {
		return p, nil // a cached pass-through statement (pass_route.go)
	}
	s := &statement{router: r, sql: sql, args: args, topo: r.topo, weights: opts.WeightStrings, maxRows: opts.MaxMemoryRows, joinBatch: opts.JoinBatch, deepKeys: opts.DeepPageKeys, hintDS: opts.DataSource, tempTables: opts.SessionTemporary, interpolated: opts.InterpolatedArgs, ps: ps, version: version, catalog: opts.Catalog}
	defer s.markSchemaUnknown(&p, &err)
	if pr := s.pointFor(opts); pr != nil {
		// A cached point statement: the argument, the node, the memoized
		// node SQL (point.go).
		if p, ok := s.routePoint(pr); ok {
			if ps.sessionUses() == 0 {
				return p, nil
			}
			return s.checkSession(p, ps.sessionUses())
		}
	}
	for table, values := range opts.ShardingValues {
		if _, ok := r.topo.Table(table); !ok {
			return nil, fmt.Errorf("shardsql: hint for %q: not a sharded table of the topology", table)
		}
		if s.hints == nil {
			s.hints = make(map[string][]any)
		}
		s.hints[strings.ToLower(table)] = values
	}
	if err := s.checkNames(stmt, r.parser); err != nil {
		return nil, err
	}
	if sel, ok := stmt.(*sqlparser.Select); ps.sessionUses()&AssignsUserVars != 0 && len(r.topo.DataSources()) > 1 && (!ok || sel.Into == nil) {
		// checkSession refuses it whatever the plan; said first, the
		// refusal names the assignment, not what planning the SELECT
		// around it met (attack10: `SELECT @m := MAX(n)` was refused with
		// the evaluator's "expr cannot be translated"). SELECT … INTO has
		// its own refusal.
		return s.checkSession(&Plan{}, ps.sessionUses())
	}
	if opts.DataSource != "" {
		if _, ok := r.topo.DataSource(opts.DataSource); !ok {
			return nil, fmt.Errorf("shardsql: hint names unknown data source %q", opts.DataSource)
		}
	}
	p, err = s.route(stmt)
	if err == nil {
		if err = s.checkTransactional(p); err != nil { // MyISAM and other engines that keep a failed write (nontransactional.go)
			p = nil
		}
	}
	if err == nil {
		if sel, ok := stmt.(*sqlparser.Select); ok && sel.Lock != sqlparser.NoLock {
			p.Locking = true // run whole whatever the caller reads (Plan.Locking)
		}
		p.ImplicitCommit = implicitCommit(stmt)
		if _, ok := stmt.(*sqlparser.OtherAdmin); ok && p.ImplicitCommit {
			// The parser keeps DO as opaque admin text beside REPAIR and
			// OPTIMIZE, but DO commits nothing: marked as committing, DO
			// GET_LOCK(…) in a transaction that wrote on two data sources
			// was refused (review18a). Nor do ANALYZE SELECT/UPDATE/…
			// (review18d: adminCommits).
			if !r.adminCommits(sql) {
				p.ImplicitCommit = false
			}
		}
		if err = r.mariaCommentStatement(sql, p); err != nil { // first_words.go
			return nil, err
		}
		if hiddenFromParser(sql) { // replica_reads.go
			// What the server runs of the comment is unknown: it may take
			// a named lock or set a variable (SELECT 1 /*M! , GET_LOCK('a',
			// 0) */), so the session is held as for any such statement
			// (round 21: it was parked with the lock).
			p.Session |= PrimaryOnly | LeavesState
		}
		p.MayCommit = r.isCall(sql)
		p.EvalAbove = evalAbove(p, stmt)
	}
	if err == nil && ps.cached {
		s.learnPoint(p, opts)
	}
	if err == nil && ps.sessionUses() != 0 {
		p, err = s.checkSession(p, ps.sessionUses())
	}
	if err == nil && ps.cached {
		s.learnPass(p, opts) // last: the plan as returned (pass_route.go)
	}
	return p, err
}

// route routes a parsed statement by its type.
func (s *statement) route(stmt sqlparser.Statement) (*Plan, error) {
	sql := s.sql
	if p, ok, err := s.routeMetadata(stmt); ok {
		return p, err // metadata of logical tables (metadata.go)
	}
	if err := s.checkWriteHazards(stmt); err != nil {
		return nil, err // triggers and foreign keys (write_hazards.go)
	}
	if err := s.checkMinMaxInexactIn(stmt); err != nil {
		return nil, err // MIN/MAX under an inexact bound (minmax_inexact.go)
	}
	switch st := stmt.(type) {
	case *sqlparser.Select:
		return s.checkDrift(st)(s.routeSelect(st)) // drift.go
	case *sqlparser.Union:
		return s.checkDrift(st)(s.routeUnion(st))
	case *sqlparser.Insert:
		return s.routeInsert(st)
	case *sqlparser.Update:
		return s.checkDrift(st)(s.routeUpdate(st))
	case *sqlparser.Delete:
		return s.checkDrift(st)(s.routeDelete(st))
	case sqlparser.DDLStatement:
		return s.routeDDL(st)
	case *sqlparser.LockTables, *sqlparser.UnlockTables:
		return nil, unsupported(sql, "LOCK/UNLOCK TABLES (table locks cannot be held across pooled shard connections: for a migration lock use SELECT GET_LOCK(name, timeout) … RELEASE_LOCK(name), which runs on the default data source's session; to lock rows, SELECT … FOR UPDATE in a transaction)")
	case *sqlparser.Savepoint:
		return s.routeSavepoint(SavepointSet, st.Name)
	case *sqlparser.SRollback:
		return s.routeSavepoint(SavepointRollback, st.Name)
	case *sqlparser.Release:
		return s.routeSavepoint(SavepointRelease, st.Name)
	case *sqlparser.Begin, *sqlparser.Commit, *sqlparser.Rollback:
		return nil, unsupported(sql, "transaction control in SQL text (use db.BeginTx, tx.Commit and tx.Rollback)")
	case *sqlparser.Set:
		return s.routeSet(st)
	case *sqlparser.Use:
		return nil, unsupported(sql, "USE (each data source has its own database: name it in the data source's DSN, or qualify the table)")
	default:
		return s.routeOther(stmt, s.router.parser)
	}
}

// parsed is a statement's parse, kept in the plan cache: the AST (never
// modified once parsed) and its number of ? placeholders.
type parsed struct {
	sql     string
	stmt    sqlparser.Statement
	numArgs int
	// jsonArrow is MySQL's JSON operator (-> or ->>) the statement uses,
	// or "" (json_arrow.go).
	jsonArrow string
	// callSpelling, when not "", describes a call whose spelling the parser
	// loses (call_spellings.go): the statement is refused.
	callSpelling string
	// session is how the statement depends on the session, once
	// sessionKnown (see sessionUses).
	session      SessionUses
	sessionKnown bool

	// What routing derives from the AST and the topology alone, kept for
	// the topology version it was derived from.
	mu sync.Mutex
	// cached: the parse is in the plan cache, so renderings kept with it
	// serve later statements (an uncached parse keeps none).
	cached bool
	shapeK shapeKey
	shape  *shape
	// renders is read without the lock and replaced whole under it
	// (render.go).
	renders atomic.Pointer[map[renderKey]*rendered]
	// point is the shortcut routing proved for the statement (point.go).
	point atomic.Pointer[pointRoute]
	// pass is the pass-through shortcut proved for it (pass_route.go).
	pass atomic.Pointer[passRoute]
}

// sessionUses is how the statement depends on the session. A cached
// parse knows it from parse time; an uncached one (used by one routing
// only, so never read concurrently) learns it in the shape walk of the
// statement (shapeOf), or here when routing took no such walk.
func (p *parsed) sessionUses() SessionUses {
	if !p.sessionKnown {
		p.session, p.sessionKnown = sessionUsesOf(p.stmt), true
	}
	return p.session
}

// renderKey names one node rendering of a cached statement: the shape it
// was rendered from and the node.
type renderKey struct {
	shape shapeKey
	node  int
}

// rendered is the SQL of one node rendering and, for each of its ?, the
// index of the caller's argument it takes.
type rendered struct {
	sql    string
	argIdx []int
	// inOrder: argIdx is every argument of the statement in order, so
	// the node's arguments are the caller's (render shares them: nothing
	// writes a unit's arguments).
	inOrder bool
}

// parse parses sql, or returns its cached parse.
func (r *Router) parse(sql string) (*parsed, error) {
	return r.parseMemo(sql, nil)
}

// parseMemo is parse, first asking memo (when not nil) for the last
// statement it saw, and filling it with the cache's entry.
func (r *Router) parseMemo(sql string, memo *ParseMemo) (*parsed, error) {
	if r.cache != nil && memo != nil {
		if p, ok := memo.lookup(r, sql); ok {
			return p, nil
		}
	}
	key := statementKey(sql) // without leading and trailing comments (cache.go)
	if r.cache != nil {
		if e, ok := r.cache.getEntry(key); ok {
			if memo != nil {
				*memo = ParseMemo{r: r, sql: sql, e: e, st: r.cache.stripe()}
			}
			return e.p, nil
		}
	}
	stmt, bindVars, err := r.parser.Parse2(key)
	if err != nil {
		if set, ok := r.setAssignments(key); ok {
			stmt, bindVars, err = r.parser.Parse2(set)
		}
	}
	if err != nil {
		// The parser's own check for several statements (its
		// SplitStatementToPieces panics on some inputs).
		if strings.Contains(err.Error(), "Expected a single statement") {
			return nil, unsupported(sql, "multiple statements in one string (send them one at a time)")
		}
		if cs := versionedComments(sql); len(cs) > 0 {
			// The parser reads /*!100000 … as version 10000 and fails
			// where MariaDB runs the content: not the caller's mistake.
			return nil, unsupported(sql, "executable comment %s that the SQL parser reads differently from the server (write the statement without it)", cs[0])
		}
		return nil, &parseError{sql: sql, err: err}
	}
	if err := r.checkPlaceholders(key, bindVars); err != nil {
		return nil, err
	}
	p := &parsed{sql: key, stmt: stmt, numArgs: len(bindVars), jsonArrow: r.jsonArrow(key), callSpelling: r.callSpelling(key, stmt)}
	if r.cache != nil {
		p.session, p.sessionKnown = sessionUsesOf(stmt), true
		p.cached = true
		e := r.cache.put(p)
		if memo != nil {
			*memo = ParseMemo{r: r, sql: sql, e: e, st: r.cache.stripe()} // the cached entry: what the next get finds
		}
	}
	return p, nil
}

// checkPlaceholders checks that the statement's placeholders are all
// positional ? marks.
func (r *Router) checkPlaceholders(sql string, bindVars sqlparser.BindVars) error {
	if strings.IndexByte(sql, ':') < 0 {
		return nil // only a ':' writes a named bind variable: every one is a ? (the parser's v1, v2, …)
	}
	for name := range bindVars {
		if _, ok := argIndex(name); !ok {
			return unsupported(sql, "named bind variable :%s (use ? placeholders)", name)
		}
	}
	if len(bindVars) > 0 {
		// The parser names the n-th ? "v<n>", which a written ":v1" would
		// alias: count the ? marks themselves.
		marks := 0
		tok := r.parser.NewStringTokenizer(sql)
		for {
			typ, val := tok.Scan()
			if typ == 0 || typ == eofChar {
				break
			}
			if typ != sqlparser.VALUE_ARG && typ != sqlparser.LIST_ARG {
				continue // a ':' inside a string, comment or quoted name is text
			}
			if tok.Pos > 0 && sql[tok.Pos-1] == '?' {
				marks++
			} else {
				return unsupported(sql, "named bind variable %s (use ? placeholders)", val)
			}
		}
		if marks != len(bindVars) {
			return unsupported(sql, "named bind variable alongside ? placeholders (use ? only)")
		}
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
	router  *Router
	sql     string
	args    []any
	topo    *shard.Topology
	weights bool
	maxRows int
	// joinBatch is Options.JoinBatch.
	joinBatch int
	// deepKeys is Options.DeepPageKeys.
	deepKeys DeepPageKeys
	hints    map[string][]any // lower-cased table → sharding values forced by a hint
	hintDS   string           // the data source for tables the topology does not know
	ps       *parsed          // the parse, with its caches
	// passed is the plan passthrough built (the last one), and argsRead
	// records that routing read an argument's value (statement.value,
	// metaValue): what learnPass needs (pass_route.go). (Kept small: the
	// statement is a routing's one allocation, 896 bytes with these.)
	passed   *Plan
	argsRead bool
	// tempTables is Options.SessionTemporary (in argsRead's padding).
	tempTables bool
	// interpolated is Options.InterpolatedArgs (in the same padding).
	interpolated bool
	version      uint64          // the topology version routing started from
	catalog      *schema.Catalog // server facts; nil when unknown
	// schemaMissing records that a decision needed a fact the catalog
	// lacked (see ErrSchemaUnknown).
	schemaMissing bool
	// names are the caller's texts of unaliased select items (colnames.go).
	names     map[*sqlparser.AliasedExpr]string
	namesDone bool
	// one holds the first plan, unit list, node list and table list the
	// statement builds, so that routing a one-node statement allocates
	// them with the statement (newPlan, unitSlice, nodeSlice, tableSlice).
	one oneNode
}

// oneNode is the storage a statement lends its first plan and the first
// one-element unit, node and table lists it builds.
//
// The hazard: each piece is lent once. A statement may build several
// plans and lists (a UNION's parts, a join's sides, a subquery), which
// must not share storage: every later request allocates as before. The
// lent values live as long as the plan that holds them, which keeps the
// statement alive with them; nothing reads the statement through them.
type oneNode struct {
	plan                                          Plan
	unit                                          [1]Unit
	node                                          [1]int
	table                                         [1]*shard.ShardedTable
	rows                                          [1][]int
	planLent, unitLent, nodeLent, tLent, rowsLent bool
	// bools is lent in consecutive, disjoint pieces (boolSlice): node
	// sets' members, which their operations change in place as they
	// would separate allocations.
	bools     [32]bool
	boolsUsed int
	// rend is the renderer of the statement's renderings, which run one
	// after the other (newRenderer); rendBusy while one uses it.
	rend     renderer
	rendBusy bool
}

// boolSlice returns n false bools, from the statement's storage while it
// lasts.
func (s *statement) boolSlice(n int) []bool {
	if used := s.one.boolsUsed; n <= len(s.one.bools)-used {
		s.one.boolsUsed += n
		return s.one.bools[used : used+n : used+n]
	}
	return make([]bool, n)
}

// newPlan returns a zero plan in the statement's storage the first time,
// a new allocation after.
func (s *statement) newPlan() *Plan {
	if s.one.planLent {
		return new(Plan)
	}
	s.one.planLent = true
	return &s.one.plan
}

// rowLists returns an empty list of row lists of capacity n (an INSERT's
// rows per node): the statement's own storage for the first of one.
func (s *statement) rowLists(n int) [][]int {
	if n == 1 && !s.one.rowsLent {
		s.one.rowsLent = true
		return s.one.rows[:0:1]
	}
	return make([][]int, 0, n)
}

// unitSlice returns an empty unit list of capacity n: the statement's
// own storage for the first list of one unit.
func (s *statement) unitSlice(n int) []Unit {
	if n == 1 && !s.one.unitLent {
		s.one.unitLent = true
		return s.one.unit[:0:1]
	}
	return make([]Unit, 0, n)
}

// nodeSlice returns the node list of one node i: the statement's own
// storage the first time.
func (s *statement) nodeSlice(i int) []int {
	if s.one.nodeLent {
		return []int{i}
	}
	s.one.nodeLent = true
	s.one.node[0] = i
	return s.one.node[:1:1]
}

// tableSlice returns an empty table list: the statement's own storage
// (capacity one) the first time; appending a second table allocates.
func (s *statement) tableSlice() []*shard.ShardedTable {
	if s.one.tLent {
		return nil
	}
	s.one.tLent = true
	return s.one.table[:0:1]
}

// passthrough sends the statement unchanged to the default data source.
func (s *statement) passthrough(kind Kind) (*Plan, error) {
	ds := s.topo.DefaultDataSource()
	if s.hintDS != "" {
		ds = s.hintDS
	}
	if ds == "" {
		return nil, fmt.Errorf("shardsql: no data source registered; call Topology.AddDataSource first")
	}
	p := s.newPlan()
	*p = Plan{SQL: s.sql, Kind: kind, Units: append(s.unitSlice(1), Unit{DataSource: ds, SQL: s.sql, Args: s.args})}
	s.passed = p
	return p, nil
}

// routeOther handles statements with no routing of their own (SHOW,
// EXPLAIN, …): they go unchanged to the default data source unless they
// name a sharded table (or, in the text the parser keeps opaque, a
// broadcast table, whose copies a data-changing LOAD DATA would split).
func (s *statement) routeOther(stmt sqlparser.Statement, p *sqlparser.Parser) (*Plan, error) {
	if ps, ok := stmt.(*sqlparser.PrepareStmt); ok {
		if err := s.checkPrepareText(ps); err != nil {
			return nil, err // prepare_text.go
		}
	}
	if _, ok := stmt.(*sqlparser.OtherAdmin); ok {
		if err := s.checkOpaqueFunctions(p); err != nil {
			return nil, err // DO f(), kept as text (write_hazards.go)
		}
	}
	if names := s.shardedNames(stmt); len(names) > 0 {
		return nil, unsupported(s.sql, "%s statement on sharded table %s (the servers hold only its node tables: run it on each data source's own connection, once per node table)", statementName(stmt), names[0])
	}
	if name, err := s.mentionsLogical(p, s.sql); err != nil {
		return nil, err
	} else if name != "" {
		return nil, unsupported(s.sql, "%s statement naming %s (run it on each data source's own connection)", statementName(stmt), name)
	}
	if name := s.mentionsNodeTable(s.sql); name != "" {
		// A node table by its physical name (names_physical.go), found in
		// the text as for statements the parser cannot read.
		return nil, unsupported(s.sql, "%s statement naming %s, a node table of a sharded table (run it on each data source's own connection)", statementName(stmt), name)
	}
	return s.passthrough(KindOther)
}

// statementName is a short upper-case name for a statement type, for
// errors: "DROP TABLE", "EXPLAIN".
func statementName(stmt sqlparser.Statement) string {
	name := strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%T", stmt), "*sqlparser."), "Stmt")
	var b strings.Builder
	for i, r := range name {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// mentionsLogical scans the text of a statement the parser keeps opaque
// (OPTIMIZE, REPAIR, LOAD DATA, …) for a name of a sharded or broadcast
// table, resolved as statement.resolve does: an identifier spelled like one
// counts unless the server would read it as another table (another
// schema's, or another case on a case-sensitive server). It errs on the
// side of refusing: a token in any position counts (keywords, strings). It returns the
// logical table named, or the refusal for a name it cannot resolve.
func (s *statement) mentionsLogical(p *sqlparser.Parser, text string) (string, error) {
	tok := p.NewStringTokenizer(text)
	var prev, prev2 string // the identifiers or punctuation before this token
	for {
		typ, val := tok.Scan()
		if typ == 0 || typ == eofChar {
			return "", nil
		}
		tn := sqlparser.TableName{Name: sqlparser.NewIdentifierCS(val)}
		if prev == "." && prev2 != "" {
			tn.Qualifier = sqlparser.NewIdentifierCS(prev2)
		}
		if val != "" {
			r := s.resolve(tn)
			if r.unknown != "" {
				return "", unsupported(s.sql, "%s", r.unknown)
			}
			if r.sharded != nil {
				return r.sharded.Name, nil
			}
			if r.broadcast != "" {
				return r.broadcast, nil
			}
		}
		prev2, prev = prev, val
		if typ == '.' {
			prev = "."
		}
	}
}

// eofChar is the tokenizer's end-of-input token.
const eofChar = 0x100

// implicitCommit reports a statement before which the server commits the
// session's transaction.
func implicitCommit(stmt sqlparser.Statement) bool {
	switch st := stmt.(type) {
	case *sqlparser.CreateTable:
		return !st.Temp // CREATE/DROP TEMPORARY TABLE do not commit
	case *sqlparser.DropTable:
		return !st.Temp
	case sqlparser.DDLStatement, sqlparser.DBDDLStatement, *sqlparser.OtherAdmin, *sqlparser.Analyze, *sqlparser.Flush:
		return true
	}
	return false
}
