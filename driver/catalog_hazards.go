package driver

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/route"
	"github.com/shardsql/shardsql/shard"
)

// Triggers and foreign keys that change sharding columns.
//
// Hazard (round 11's left item, reproduced on MariaDB 10.11 by
// TestAttack12Hazards): shardsql places a row by the sharding value a
// statement writes. Objects created on the servers directly can change
// that value in place, and the row then stays on the node of its old
// value, where a read by its new one never looks:
//   - a BEFORE INSERT or BEFORE UPDATE trigger on a node table that sets
//     NEW.<key>;
//   - a trigger whose body writes a node table by its physical name (the
//     row goes where the trigger's server is, not where its key belongs);
//   - a foreign key from a node table's sharding column into a parent
//     (a broadcast or unsharded table, each copy with its own children)
//     with ON UPDATE CASCADE/SET NULL/SET DEFAULT, or ON DELETE SET
//     NULL/SET DEFAULT: an UPDATE or DELETE of the parent rewrites the
//     child's key on every server, in place; chains of cascades through
//     other tables alike.
//
// The catalog reads them from every data source (triggers are per server
// and per node table) and records, per table as statements write it, which
// writes set them off (schema.Catalog.WriteHazards); the router refuses
// those writes (route/write_hazards.go).

// hazardFacts is what one data source said about its triggers and foreign
// keys, as write hazards by the name statements write.
type hazardFacts map[string][]schema.WriteHazard

// queryHazards reads the triggers and foreign keys of ds's database and
// returns the write hazards they make for the topology's tables.
func queryHazards(ctx context.Context, db *sql.DB, ds string, lowerCase int, topo *shard.Topology) (hazardFacts, error) {
	// The node tables on this data source: physical name → logical table.
	nodes := make(map[string]*shard.ShardedTable)
	var nodeNames []string
	for _, t := range topo.Tables() {
		for _, n := range t.Nodes {
			if n.DataSource == ds {
				nodes[strings.ToLower(n.Table)] = t
				nodeNames = append(nodeNames, strings.ToLower(n.Table))
			}
		}
	}
	sort.Strings(nodeNames)
	node := func(physical string) *shard.ShardedTable {
		if lowerCase == 0 {
			for _, t := range topo.Tables() {
				for _, n := range t.Nodes {
					if n.DataSource == ds && n.Table == physical {
						return t
					}
				}
			}
			return nil
		}
		return nodes[strings.ToLower(physical)]
	}
	// written returns the name statements write a physical table by.
	written := func(physical string) string {
		if t := node(physical); t != nil {
			return strings.ToLower(t.Name)
		}
		return strings.ToLower(physical)
	}
	out := make(hazardFacts)
	add := func(physical string, ev schema.WriteEvents, cols []string, why string) {
		name := written(physical)
		out[name] = append(out[name], schema.WriteHazard{Events: ev, Columns: cols, Why: why})
	}
	// Routines first: a trigger calling a refused one is refused too.
	if err := queryProcedures(ctx, db, ds, topo, nodeNames, out); err != nil {
		return nil, err
	}
	routines := make(map[string]string, len(out))
	for k, hs := range out {
		if len(hs) > 0 {
			routines[k] = hs[0].Why
		}
	}
	if err := queryTriggers(ctx, db, ds, topo, node, nodeNames, routines, add); err != nil {
		return nil, err
	}
	if err := queryForeignKeys(ctx, db, ds, node, add); err != nil {
		return nil, err
	}
	return out, nil
}

// queryTriggers records the triggers that set a node table's sharding
// column (BEFORE INSERT/UPDATE naming NEW.<key>) or whose body names a
// node table. Both tests read the body's words: a body that only reads
// NEW.<key> counts too, which can only refuse more.
//
// Hazard (review13a): a trigger on a table that is not broadcast fires on
// the one data source its table's write reaches; one whose body writes a
// broadcast table (directly, or calling a routine recorded in routines by
// its procedureKey or functionKey) changed that copy alone. Those are
// recorded too; a trigger on a broadcast table fires on every copy.
func queryTriggers(ctx context.Context, db *sql.DB, ds string, topo *shard.Topology, node func(string) *shard.ShardedTable, nodeNames []string,
	routines map[string]string, add func(string, schema.WriteEvents, []string, string)) error {
	rows, err := db.QueryContext(ctx, `SELECT TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_TIMING, ACTION_STATEMENT
		FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE()`)
	if err != nil {
		return fmt.Errorf("shardsql: data source %s: reading triggers: %w", ds, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, event, table, timing, body string
		if err := rows.Scan(&name, &event, &table, &timing, &body); err != nil {
			return fmt.Errorf("shardsql: data source %s: reading triggers: %w", ds, err)
		}
		var ev schema.WriteEvents
		switch strings.ToUpper(event) {
		case "INSERT":
			ev = schema.WriteInsert
		case "UPDATE":
			ev = schema.WriteUpdate
		case "DELETE":
			ev = schema.WriteDelete
		}
		words := bodyWords(body)
		if t := node(table); t != nil && strings.EqualFold(timing, "BEFORE") && ev != schema.WriteDelete &&
			words["new."+strings.ToLower(t.Column)] {
			add(table, ev, nil, fmt.Sprintf("trigger %s (BEFORE %s on %s.%s) sets sharding column %s through NEW.%s", name, strings.ToUpper(event), ds, table, t.Column, t.Column))
			continue
		}
		for _, n := range nodeNames {
			if words[n] {
				add(table, ev, nil, fmt.Sprintf("trigger %s (%s %s on %s.%s) writes node table %s directly", name, strings.ToUpper(timing), strings.ToUpper(event), ds, table, n))
				break
			}
		}
		if topo.Broadcast(table) {
			// Hazard (ids22): a trigger on a broadcast table fires on
			// every copy, and a body calling UUID(), RAND() or NOW(6)
			// (`SET NEW.u = UUID()`) gave each copy its own value: the
			// copies drifted apart silently. Its writes are refused.
			f := route.BodyNonDeterministic(body)
			for _, w := range slices.Sorted(maps.Keys(words)) {
				if why, ok := routines[volatileKey(w)]; ok && f == "" {
					f = "stored function " + w + " (" + why + ")"
				}
			}
			if f != "" {
				add(table, ev, nil, fmt.Sprintf("trigger %s (%s %s on %s.%s) of broadcast table %s calls %s, which gives each copy its own value (drop the trigger and compute the value in the application)", name, strings.ToUpper(timing), strings.ToUpper(event), ds, table, table, f))
			}
			continue
		}
		writes := slices.ContainsFunc(writeWords, func(w string) bool { return words[w] })
		for _, w := range slices.Sorted(maps.Keys(words)) {
			why, routine := routines[procedureKey(w)]
			if !routine {
				why, routine = routines[functionKey(w)]
			}
			if routine || writes && topo.Broadcast(w) {
				if !routine {
					why = "broadcast table " + w
				}
				add(table, ev, nil, fmt.Sprintf("trigger %s (%s %s on %s.%s) writes one copy of a table of the topology (%s)", name, strings.ToUpper(timing), strings.ToUpper(event), ds, table, why))
				break
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("shardsql: data source %s: reading triggers: %w", ds, err)
	}
	return nil
}

// bodyWords returns the lower-case words of a trigger body, backquotes
// and spaces around a dot dropped, so that `NEW`.`k` and NEW . k read as
// "new.k".
func bodyWords(body string) map[string]bool {
	var b strings.Builder
	for _, r := range strings.ToLower(body) {
		if r != '`' {
			b.WriteRune(r)
		}
	}
	text := b.String()
	out := make(map[string]bool)
	// Hazard (round 16): `SET NEW\t.k = …`, `NEW\n.k`, `NEW/* c */.k`,
	// `NEW#…\n.k` and `NEW/*!.k*/` are NEW.k to the server, and only
	// spaces around the dot were joined: a BEFORE INSERT trigger setting
	// the sharding column so spelled went unseen, and its rows were stored
	// under keys that route elsewhere. The words of each reading are
	// added (comments dropped, executable comments opened, whitespace of
	// every kind joined at dots); more words can only refuse more.
	noComments := bodyComment.ReplaceAllString(text, " ")
	for _, v := range []string{text, noComments, bodyLineComment.ReplaceAllString(noComments, " "), bodyExecComment.ReplaceAllString(text, " ")} {
		v = bodyDot.ReplaceAllString(v, ".")
		for _, w := range strings.FieldsFunc(v, func(r rune) bool {
			return r != '_' && r != '$' && r != '.' && !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}) {
			out[w] = true
			// a qualified name db.t counts as t too
			if i := strings.LastIndexByte(w, '.'); i >= 0 && !strings.HasPrefix(w, "new.") && !strings.HasPrefix(w, "old.") {
				out[w[i+1:]] = true
			}
		}
	}
	return out
}

var (
	bodyComment     = regexp.MustCompile(`(?s)/\*.*?\*/`)
	bodyLineComment = regexp.MustCompile(`(?m)(--[ \t]|#).*$`)
	bodyExecComment = regexp.MustCompile(`/\*(m?!\d*)?|\*/`)
	bodyDot         = regexp.MustCompile(`\s*\.\s*`)
)

// fkEdge is one foreign key: child columns referencing parent columns.
type fkEdge struct {
	name, child, parent string
	cols, refs          []string // lower case
	onUpdate, onDelete  string   // upper case rules
}

// rewrites reports whether a rule changes the child's columns in place.
func rewrites(rule string) bool {
	return rule == "CASCADE" || rule == "SET NULL" || rule == "SET DEFAULT"
}

// queryForeignKeys records the parents whose UPDATE or DELETE rewrites a
// sharding column through a chain of foreign key actions.
func queryForeignKeys(ctx context.Context, db *sql.DB, ds string, node func(string) *shard.ShardedTable, add func(string, schema.WriteEvents, []string, string)) error {
	rows, err := db.QueryContext(ctx, `SELECT k.CONSTRAINT_NAME, k.TABLE_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE
		FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r
		  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
		WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL AND k.REFERENCED_TABLE_SCHEMA = DATABASE()
		ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`)
	if err != nil {
		return fmt.Errorf("shardsql: data source %s: reading foreign keys: %w", ds, err)
	}
	defer rows.Close()
	var edges []*fkEdge
	for rows.Next() {
		var name, child, col, parent, ref, upd, del string
		if err := rows.Scan(&name, &child, &col, &parent, &ref, &upd, &del); err != nil {
			return fmt.Errorf("shardsql: data source %s: reading foreign keys: %w", ds, err)
		}
		if n := len(edges); n == 0 || edges[n-1].name != name || edges[n-1].child != child {
			edges = append(edges, &fkEdge{name: name, child: child, parent: parent, onUpdate: strings.ToUpper(upd), onDelete: strings.ToUpper(del)})
		}
		e := edges[len(edges)-1]
		e.cols = append(e.cols, strings.ToLower(col))
		e.refs = append(e.refs, strings.ToLower(ref))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("shardsql: data source %s: reading foreign keys: %w", ds, err)
	}
	// keyCols: per physical table, the columns whose change moves a
	// sharding value without shardsql (the node tables' sharding
	// columns, then every parent column a rewriting action carries into
	// them). gone: the tables a row deletion of which rewrites a key
	// (through SET NULL/SET DEFAULT, or a CASCADE into such a table).
	keyCols := make(map[string]map[string]string) // table → column → why
	gone := make(map[string]string)
	for _, e := range edges {
		for _, tb := range []string{e.child, e.parent} {
			if t := node(tb); t != nil && keyCols[tb] == nil {
				keyCols[tb] = map[string]string{strings.ToLower(t.Column): fmt.Sprintf("sharding column %s of %s.%s", t.Column, ds, tb)}
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, e := range edges {
			for i, c := range e.cols {
				why, ok := keyCols[e.child][c]
				if !ok {
					continue
				}
				if rewrites(e.onUpdate) {
					if keyCols[e.parent] == nil {
						keyCols[e.parent] = make(map[string]string)
					}
					if _, seen := keyCols[e.parent][e.refs[i]]; !seen {
						keyCols[e.parent][e.refs[i]] = fmt.Sprintf("foreign key %s (ON UPDATE %s) into %s", e.name, e.onUpdate, why)
						changed = true
					}
				}
				if e.onDelete == "SET NULL" || e.onDelete == "SET DEFAULT" {
					if _, seen := gone[e.parent]; !seen {
						gone[e.parent] = fmt.Sprintf("foreign key %s (ON DELETE %s) into %s", e.name, e.onDelete, why)
						changed = true
					}
				}
			}
			if why, ok := gone[e.child]; ok && e.onDelete == "CASCADE" {
				if _, seen := gone[e.parent]; !seen {
					gone[e.parent] = fmt.Sprintf("foreign key %s (ON DELETE CASCADE) into %s, whose %s", e.name, e.child, why)
					changed = true
				}
			}
		}
	}
	tables := make([]string, 0, len(keyCols)+len(gone))
	for tb := range keyCols {
		tables = append(tables, tb)
	}
	for tb := range gone {
		if keyCols[tb] == nil {
			tables = append(tables, tb)
		}
	}
	sort.Strings(tables)
	for _, tb := range tables {
		cols := make([]string, 0, len(keyCols[tb]))
		for c, why := range keyCols[tb] {
			if strings.HasPrefix(why, "foreign key") { // not the seed: a node table's own key
				cols = append(cols, c)
			}
		}
		sort.Strings(cols)
		if len(cols) > 0 {
			add(tb, schema.WriteUpdate, cols, fmt.Sprintf("updating %s.%s.%s rewrites a sharding value in place: %s", ds, tb, cols[0], keyCols[tb][cols[0]]))
		}
		if why, ok := gone[tb]; ok {
			add(tb, schema.WriteDelete, nil, fmt.Sprintf("deleting from %s.%s rewrites a sharding value in place: %s", ds, tb, why))
		}
	}
	return nil
}

// procedureKey is the WriteHazards key of a stored procedure: CALL runs it
// on one data source, so a body naming a table of the topology reads or
// writes that server's physical table alone (one broadcast copy, one node
// table, or a logical name no server holds).
func procedureKey(name string) string { return "procedure " + strings.ToLower(name) }

// functionKey is the WriteHazards key of a stored function (read by
// route/write_hazards.go checkFunctionHazards).
func functionKey(name string) string { return "function " + strings.ToLower(name) }

// volatileKey is the WriteHazards key under which a stored function whose
// value differs from server to server is recorded (read by route's
// nonDeterministic for broadcast writes, route.VolatileFunctionKey).
func volatileKey(name string) string { return route.VolatileFunctionKey(name) }

// writeWords are the words of a routine body that write (a CALL may).
var writeWords = []string{"insert", "update", "delete", "replace", "call", "truncate"}

// queryProcedures records the stored procedures whose body names a
// sharded, broadcast or node table (as a word), or cannot be read
// (ROUTINE_DEFINITION is NULL without the privilege to see it), and the
// stored functions whose body writes one (names it, and has a word that
// writes), names a sharded or node table, or cannot be read. A function
// only reading a broadcast table still runs.
func queryProcedures(ctx context.Context, db *sql.DB, ds string, topo *shard.Topology, nodeNames []string, out hazardFacts) error {
	rows, err := db.QueryContext(ctx, `SELECT ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION FROM information_schema.ROUTINES
		WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION')`)
	if err != nil {
		return fmt.Errorf("shardsql: data source %s: reading procedures and functions: %w", ds, err)
	}
	defer rows.Close()
	type routine struct {
		name, what string
		function   bool
		words      map[string]bool
		why        string
		volatile   string // the function whose value differs from server to server it calls (ids22)
	}
	var routines []routine
	for rows.Next() {
		var name, kind string
		var body sql.NullString
		if err := rows.Scan(&name, &kind, &body); err != nil {
			return fmt.Errorf("shardsql: data source %s: reading procedures and functions: %w", ds, err)
		}
		function := strings.EqualFold(kind, "FUNCTION")
		what := "procedure"
		if function {
			what = "function"
		}
		r := routine{name: name, what: what, function: function}
		if !body.Valid {
			r.why = fmt.Sprintf("%s %s on %s, whose body the catalog cannot read", what, name, ds)
		} else {
			r.words = bodyWords(body.String)
			r.volatile = route.BodyNonDeterministic(body.String)
			writes := !function || slices.ContainsFunc(writeWords, func(w string) bool { return r.words[w] })
			for w := range r.words {
				// a function reading a sharded table (by its logical name,
				// which no server holds) or a node table reads one
				// server's rows: counted whether it writes or not (round
				// 13, TestAttack13StoredFunctions: h_fnode)
				_, sharded := topo.Table(w)
				node := slices.Contains(nodeNames, w)
				if writes && (sharded || node || topo.Broadcast(w)) || function && (sharded || node) {
					r.why = fmt.Sprintf("%s %s on %s names table %s", what, name, ds, w)
					break
				}
			}
		}
		routines = append(routines, r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("shardsql: data source %s: reading procedures and functions: %w", ds, err)
	}
	// Hazard (review13a): a routine that calls a hazardous one names no
	// table of the topology itself — `CREATE FUNCTION f() … BEGIN CALL
	// p(); RETURN 1; END` with p updating a broadcast table, or `RETURN
	// g() + 1` with g doing so: SELECT f() updated one broadcast copy. A
	// body naming a hazardous routine (as a word, as tables are read) is
	// one too, to a fixed point.
	for changed := true; changed; {
		changed = false
		for i := range routines {
			r := &routines[i]
			if r.why != "" {
				continue
			}
			for _, callee := range routines {
				if callee.why != "" && r.words[strings.ToLower(callee.name)] {
					r.why = fmt.Sprintf("%s %s on %s calls %s %s, which is refused (%s)", r.what, r.name, ds, callee.what, callee.name, callee.why)
					changed = true
					break
				}
			}
		}
	}
	// Hazard (ids22): a stored function computing its value with RAND(),
	// UUID() or NOW() (or calling one that does) gives each copy of a
	// broadcast table its own value when a broadcast write calls it
	// (route's nonDeterministic reads volatileKey).
	for changed := true; changed; {
		changed = false
		for i := range routines {
			r := &routines[i]
			if r.volatile != "" {
				continue
			}
			for _, callee := range routines {
				if callee.function && callee.volatile != "" && r.words[strings.ToLower(callee.name)] {
					r.volatile = fmt.Sprintf("%s, through function %s", callee.volatile, callee.name)
					changed = true
					break
				}
			}
		}
	}
	for _, r := range routines {
		if r.function && r.volatile != "" {
			k := volatileKey(r.name)
			out[k] = append(out[k], schema.WriteHazard{Events: schema.WriteInsert | schema.WriteUpdate | schema.WriteDelete, Why: fmt.Sprintf("function %s on %s calls %s", r.name, ds, r.volatile)})
		}
	}
	for _, r := range routines {
		if r.why != "" {
			k := procedureKey(r.name)
			if r.function {
				k = functionKey(r.name)
			}
			out[k] = append(out[k], schema.WriteHazard{Events: schema.WriteInsert | schema.WriteUpdate | schema.WriteDelete, Why: r.why})
		}
	}
	return nil
}
