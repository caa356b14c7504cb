package route

import (
	"reflect"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/shardsql/shardsql/internal/schema"
)

// passRoute is what routing a cached statement once proved about every
// later routing of it: the statement passes through unchanged to one data
// source (statement.passthrough) — a SELECT, INSERT, UPDATE or DELETE on
// tables the topology does not know, or a SELECT of no table. Routing it
// again is then the plan's few fields and this call's arguments: no
// routing statement (its ~900 bytes were the call's one allocation), no
// shape, name, comment, metadata or write-hazard check, no row-bound
// proof.
//
// The hazard is a shortcut that answers differently from the full
// routing: above all a statement sent unchanged while the full routing
// would now rewrite it for the node tables of a sharded table (a table
// added to the topology after the statement was cached, a catalog that
// now reads another spelling of the name as the logical table), or
// refuse it. What the full routing of a pass-through statement reads, and
// how the shortcut keys or excludes each input:
//   - the statement's text: the shortcut lives on the cached parse of
//     that text, and holds only when the caller's text is the cache key
//     itself (len(sql) == len(ps.sql): the key is a slice of the text).
//     A text with leading or trailing plain comments shares the parse
//     but routes in full: the comment checks (checkComments, the quoted
//     dual of passBound, mentionsNodeTable) read the whole text;
//   - the topology (its tables, physical node names, broadcast tables,
//     data sources and their order, replicas): keyed by its version,
//     which every change bumps before (or, under the same lock, after)
//     it is visible, so a routing that saw a change was keyed with a
//     version already stale;
//   - the catalog (each server's database, lower_case_table_names and
//     flavour; tables' triggers and foreign keys; the unsharded tables'
//     unique integer keys, which prove a SELECT's row bound): keyed by
//     its pointer,
//     never changed in place (the driver builds a new one on every
//     reload and after DDL); a routing that lacked a fact
//     (schemaMissing) proves nothing;
//   - the hints: Options.DataSource is keyed (it decides the data source
//     and how names resolve); ShardingValues are not keyed: a call with
//     any routes in full and proves nothing;
//   - the arguments: a passed-through statement carries them unchanged,
//     and only its row bound reads them (`LIMIT ?`, `key = ?` on an
//     unsharded table's unique integer key: passKeyBound), which the shortcut
//     computes per call from the proved rowBound. Any other read of an
//     argument's value while routing (an information_schema lookup reads
//     `table_name = ?` to decide whether it asks about a logical table:
//     metaValue; statement.value) marks the statement (argsRead) and
//     nothing is proved — the next arguments may route otherwise;
//   - the session: routing keeps none. What the statement does to it
//     (SessionUses: user variables, locks, temporary tables) is a
//     property of the parse, copied into the plan as the full routing
//     sets it; checkSession's refusals read the topology alone (keyed).
//     The driver's own session state (pins, dirty sessions) is decided
//     from the plan after routing, as before;
//   - the Router's options (WeightStrings, MaxMemoryRows, JoinBatch,
//     DeepPageKeys) and SessionTemporary (read only where a join resolves
//     an unqualified column against an unsharded table) change no
//     pass-through plan.
//
// DDL and other statements (SHOW, EXPLAIN, PREPARE, …) are not given the
// shortcut: they are not hot, and a DDL changes what the catalog says.
// When the shortcut is proved, the plan it builds is compared with the
// full routing's plan for the same call (reflect.DeepEqual, every field:
// a field a later change adds to pass-through plans makes them differ and
// the shortcut is not kept).
//
// What it cannot see: a check that a later change adds to the pass-through
// paths (routeSelect, routeInsert, routeUpdate, routeDelete, route,
// RouteWith) that reads an argument's value without going through
// statement.value or metaValue, or that reads state other than the
// inputs above. Such a check must mark argsRead, or be keyed here.
type passRoute struct {
	version uint64
	catalog *schema.Catalog
	hint    string // Options.DataSource it was proved under
	kind    Kind
	ds      string   // the unit's data source
	bound   rowBound // a SELECT's row bound (passBound), per call's arguments
	// implicitCommit, evalAbove and session are the full routing's plan
	// fields.
	implicitCommit bool
	evalAbove      EvalVars
	session        SessionUses
}

// fill builds the plan the shortcut proves, for this call's text and
// arguments, in st.
func (pr *passRoute) fill(st *PlanStore, sql string, args []any) {
	*st = PlanStore{}
	st.unit[0] = Unit{DataSource: pr.ds, SQL: sql, Args: args}
	st.plan = Plan{SQL: sql, Kind: pr.kind, ImplicitCommit: pr.implicitCommit, Units: st.unit[:1:1],
		EvalAbove: pr.evalAbove, Session: pr.session, RowBound: pr.bound.of(args)}
}

// routePassDirect routes a cached pass-through statement by its proved
// shortcut: ok is false when it has none for this topology version,
// catalog and hints, or the caller's text is not the cached text itself.
// The plan lives in opts.Store when the caller lends one (one small
// allocation otherwise).
func (r *Router) routePassDirect(ps *parsed, sql string, args []any, opts Options, version uint64) (*Plan, bool) {
	pr := ps.pass.Load()
	if pr == nil || pr.version != version || pr.catalog != opts.Catalog || pr.hint != opts.DataSource ||
		len(opts.ShardingValues) != 0 || len(sql) != len(ps.sql) {
		return nil, false
	}
	st := opts.Store
	if st == nil {
		st = new(PlanStore)
	}
	pr.fill(st, sql, args)
	return &st.plan, true
}

// learnPass proves and keeps the shortcut of a cached statement whose full
// routing (p, after every check of RouteWith) passed it through whole.
func (s *statement) learnPass(p *Plan, opts Options) {
	ps := s.ps
	if p == nil || ps == nil || !ps.cached || p != s.passed || s.schemaMissing || s.argsRead ||
		len(opts.ShardingValues) != 0 || len(s.sql) != len(ps.sql) || len(p.Units) != 1 {
		return
	}
	switch p.Kind {
	case KindSelect, KindInsert, KindUpdate, KindDelete:
	default:
		return
	}
	if pr := ps.pass.Load(); pr != nil && pr.version == s.version && pr.catalog == s.catalog && pr.hint == s.hintDS {
		return // known
	}
	pr := &passRoute{version: s.version, catalog: s.catalog, hint: s.hintDS, kind: p.Kind, ds: p.Units[0].DataSource,
		implicitCommit: p.ImplicitCommit, evalAbove: p.EvalAbove, session: p.Session}
	if sel, ok := ps.stmt.(*sqlparser.Select); ok && p.Kind == KindSelect {
		// A whole SELECT passed through: routeSelect's bound, read from
		// the text and the catalog's unsharded unique keys (keyed by
		// the catalog's pointer; a UNION's pass-through plan has none).
		pr.bound = s.passKeyBound(sel, s.shapeOf(sel), pr.ds)
	}
	var st PlanStore
	pr.fill(&st, s.sql, s.args)
	if !reflect.DeepEqual(st.plan, *p) {
		return // a field the shortcut does not build: route in full every time
	}
	ps.pass.Store(pr)
}
