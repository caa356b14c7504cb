package route

import (
	"errors"
	"fmt"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Hazard (compat14): MariaDB's CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX IF
// NOT EXISTS i ON t (…) and DROP INDEX IF EXISTS i ON t, which bun sends
// on MariaDB (NewCreateIndex().IfNotExists(): its dialect enables the
// feature for MariaDB) and hand-written migrations use to run again, are
// not read by the parser at all. Such a statement naming a sharded or
// broadcast table was refused, so a bun migration creating an index ran
// on one database and failed through shardsql; sent to one data source it
// would have indexed one node table only.
//
// The statement is routed without its IF [NOT] EXISTS words, which the
// parser reads in full, so every check of DDL applies (other tables named,
// foreign keys, physical names, several sharded tables); each unit then
// gets the caller's text with only the table's name replaced by the
// unit's node table (a sharded table) or unchanged (a broadcast or
// unsharded table, sent as written to each of its data sources). A
// qualified table name of the topology, or a unit whose text the plan
// changed otherwise, leaves the statement refused as before.

// indexIfExists is the split of a CREATE/DROP INDEX … IF [NOT] EXISTS
// statement: the text without the IF [NOT] EXISTS words, and the span
// of the ON table's name in the original text.
type indexIfExists struct {
	stripped             string
	tableStart, tableEnd int
	qualified            bool
}

// splitIndexIfExists recognises CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX IF
// NOT EXISTS name ON table … and DROP INDEX IF EXISTS name ON table … with
// the parser's tokenizer (comments skipped, names quoted or not).
func splitIndexIfExists(p *sqlparser.Parser, sql string) (indexIfExists, bool) {
	type token struct {
		typ        int
		word       string
		start, end int
	}
	tok := p.NewStringTokenizer(sql)
	var toks []token
	for len(toks) < 12 {
		before := tok.Pos
		typ, val := tok.Scan()
		if typ == 0 || typ == eofChar || typ == sqlparser.LEX_ERROR {
			break
		}
		if typ == sqlparser.COMMENT {
			continue
		}
		span := strings.TrimLeft(sql[before:tok.Pos], " \t\r\n")
		toks = append(toks, token{typ: typ, word: strings.ToLower(val), start: tok.Pos - len(span), end: tok.Pos})
	}
	words := func(i int, want ...string) bool {
		if i+len(want) > len(toks) {
			return false
		}
		for k, w := range want {
			if toks[i+k].word != w {
				return false
			}
		}
		return true
	}
	var ifAt, after int
	switch {
	case words(0, "create"):
		i := 1
		if words(i, "unique") || words(i, "fulltext") || words(i, "spatial") {
			i++
		}
		if !words(i, "index", "if", "not", "exists") {
			return indexIfExists{}, false
		}
		ifAt, after = i+1, i+4
	case words(0, "drop", "index", "if", "exists"):
		ifAt, after = 2, 4
	default:
		return indexIfExists{}, false
	}
	// name ON table [. table]
	if !words(after+1, "on") || after+2 >= len(toks) {
		return indexIfExists{}, false
	}
	tb := toks[after+2]
	out := indexIfExists{tableStart: tb.start, tableEnd: tb.end}
	if after+3 < len(toks) && toks[after+3].typ == '.' {
		out.qualified = true
	}
	out.stripped = sql[:toks[ifAt].start] + sql[toks[after-1].end:]
	return out, true
}

// routeIndexIfExists plans a CREATE/DROP INDEX … IF [NOT] EXISTS statement
// (see the hazard above); ok is false when sql is not one, or one this
// path cannot carry (routeUnparsed then decides).
func (r *Router) routeIndexIfExists(sql string, args []any, opts Options) (p *Plan, ok bool, err error) {
	split, ok := splitIndexIfExists(r.parser, sql)
	if !ok {
		return nil, false, nil
	}
	inner, err := r.RouteWith(split.stripped, args, opts)
	if err != nil {
		if _, perr := r.parse(split.stripped); perr != nil {
			return nil, false, nil // not a statement the parser reads without the words either
		}
		// review20b: the refusal quoted the statement without its IF
		// [NOT] EXISTS words ("CREATE INDEX  i ON t …"), which the caller
		// never wrote: it quotes the caller's.
		if tail := fmt.Sprintf(" in %q", quote(split.stripped)); errors.Is(err, ErrUnsupported) && strings.HasSuffix(err.Error(), tail) {
			what := strings.TrimSuffix(strings.TrimPrefix(err.Error(), ErrUnsupported.Error()+": "), tail)
			err = unsupported(sql, "%s", what)
		}
		return nil, true, err
	}
	if inner.Kind != KindDDL {
		return nil, false, nil
	}
	units := make([]Unit, len(inner.Units))
	for i, u := range inner.Units {
		switch {
		case u.Node.Table != "" && !split.qualified:
			u.SQL = sql[:split.tableStart] + "`" + u.Node.Table + "`" + sql[split.tableEnd:]
		case u.Node.Table == "" && u.SQL == split.stripped:
			u.SQL = sql
		default:
			return nil, false, nil
		}
		units[i] = u
	}
	p = new(Plan)
	*p = *inner
	p.SQL, p.Units = sql, units
	return p, true, nil
}
