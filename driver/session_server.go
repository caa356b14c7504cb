package driver

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/route"
)

// Session settings a session has without any SET: the servers' globals,
// or what the DSN sets at connect.
//
// Hazard (round 11's left item, reproduced by TestAttack12ServerSettings):
// the checks of session settings trusted that a session starts with
// MariaDB's compiled-in defaults. A server started with
// div_precision_increment = 8 (or a DSN with div_precision_increment=8,
// which go-sql-driver sends as SET at connect) answers AVG(n) with 8
// digits of scale where the merge above the nodes gives 4; lc_time_names
// and default_week_format alike; a session sql_mode with ANSI_QUOTES makes
// every server read "x" as a column where shardsql's parser read a
// string; one with NO_AUTO_VALUE_ON_ZERO stores 0 for DEFAULT where
// shardsql generates an id. The catalog reads each data source's session
// values at connect and its globals (schema.Source); a session's
// effective setting is its SETs, or those values (SET … = DEFAULT: the
// globals).

// serverSources returns the catalog's data sources, loading the catalog
// first when it was never loaded. A data source that did not answer is
// missing (its statements fail on it anyway); later loads are left to
// the statements that need the catalog's facts, so a server that is down
// does not make every statement wait.
func (c *Connector) serverSources(ctx context.Context) map[string]schema.Source {
	cat := c.catalog.current(c)
	if st := c.catalog.state.Load(); st == nil || st.loaded.IsZero() {
		if fresh := c.catalog.reload(ctx, c, cat, false); fresh != nil {
			cat = fresh
		}
	}
	return cat.Sources
}

// evalEffective returns the EvalVars whose value in this session is not
// the default the operators above the nodes compute with.
func (c *Conn) evalEffective(ctx context.Context) (fromSet, fromServer route.EvalVars) {
	var connect, global route.EvalVars
	for _, src := range c.c.serverSources(ctx) {
		connect |= route.EvalVarsOther(src.EvalSession)
		global |= route.EvalVarsOther(src.EvalGlobal)
	}
	return c.evalOther, global&c.evalGlobal | connect&^c.evalSet
}

// checkEval refuses a plan that computes above the nodes with a session
// variable whose value is not the default those operators use.
func (c *Conn) checkEval(ctx context.Context, p *route.Plan) error {
	if p.EvalAbove == 0 {
		return nil
	}
	if p.EvalAbove&route.EvalUnsignedSub != 0 && c.modeWord(ctx, "NO_UNSIGNED_SUBTRACTION") {
		return fmt.Errorf("%w: subtraction over rows merged from several nodes while the session's sql_mode has NO_UNSIGNED_SUBTRACTION in %q: shardsql computes above the nodes with BIGINT UNSIGNED subtraction unsigned (the default mode), one server subtracts as signed numbers (a value past 2⁶³−1 fails with 1690, a result is typed BIGINT) (CAST the operands AS SIGNED in the nodes' statement, or route the statement to one node)", route.ErrUnsupported, p.SQL)
	}
	fromSet, fromServer := c.evalEffective(ctx)
	if v := p.EvalAbove & fromSet; v != 0 {
		return fmt.Errorf("%w: AVG, division, a locale-dependent date function, WEEK(), a time-zone-dependent function (UNIX_TIMESTAMP, FROM_UNIXTIME, CONVERT_TZ, NOW, CURDATE), a string literal, or ordering or grouping over rows merged from several nodes after SET %s in %q: shardsql computes above the nodes with the default (div_precision_increment 4, lc_time_names en_US, default_week_format 0, time_zone SYSTEM, collation_connection utf8mb4_general_ci, max_sort_length 1024 or more), one server with the session's (SET it to DEFAULT, or NAMES utf8mb4 without COLLATE, give WEEK() its mode, COLLATE the literal, convert times in the nodes' statement or the application, or route the statement to one node)", route.ErrUnsupported, strings.Join(v.Names(), ", "), p.SQL)
	}
	if v := p.EvalAbove & fromServer; v != 0 {
		return fmt.Errorf("%w: AVG, division, a locale-dependent date function, WEEK(), a time-zone-dependent function (UNIX_TIMESTAMP, FROM_UNIXTIME, CONVERT_TZ, NOW, CURDATE), a string literal, or ordering or grouping over rows merged from several nodes while the servers' session %s is not the default (set globally on a server, or by the DSN) in %q: shardsql computes above the nodes with the default (div_precision_increment 4, lc_time_names en_US, default_week_format 0, time_zone SYSTEM, collation_connection utf8mb4_general_ci, max_sort_length 1024 or more), one server with its own (SET the variable to its default in the session, give WEEK() its mode, COLLATE the literal, convert times in the nodes' statement or the application, or route the statement to one node)", route.ErrUnsupported, strings.Join(v.Names(), ", "), p.SQL)
	}
	return nil
}

// sourceMode is data source src's sql_mode for this session when it set
// none of its own: the session value it starts with, or after SET
// sql_mode = DEFAULT the global.
func (c *Conn) sourceMode(src schema.Source) string {
	if c.sqlModeDefault {
		return src.SQLModeGlobal
	}
	return src.SQLModeSession
}

// modeHas reports whether sql_mode value mode has the word w (any case,
// spaces trimmed), without allocating.
func modeHas(mode, w string) bool {
	for rest := mode; rest != ""; {
		var word string
		word, rest, _ = strings.Cut(rest, ",")
		if strings.EqualFold(strings.TrimSpace(word), w) {
			return true
		}
	}
	return false
}

// checkDialect refuses a plan that shardsql parsed or rewrote while the
// session's sql_mode (from the servers) changes how the servers parse it.
// A plan that sends the caller's text unchanged to its data sources, and
// combines nothing above them, is parsed by each server alone, and runs.
func (c *Conn) checkDialect(p *route.Plan) error {
	if c.sqlModeSet && !c.sqlModeDefault {
		return nil // a SET of a literal, checked by the router
	}
	if p.Root == nil && p.DeepPage == nil && !slices.ContainsFunc(p.Units, func(u route.Unit) bool { return u.SQL != p.SQL }) {
		return nil // each server reads the caller's text itself (a passthrough, a SET)
	}
	// Not loaded for this check, which every statement makes: a data
	// source that hangs would make each wait (TestFaults). Before the
	// catalog is loaded the default data source's modes, read once with
	// WEIGHT_STRING's probe, stand for all (the DSNs usually agree).
	var words dialectWords
	if cat := c.c.catalog.current(c.c); len(cat.Sources) > 0 {
		words = *c.c.dialect.words(cat) // dialect_memo.go
	} else if c.c.probed.Load() && c.c.probedModes != nil { // written before probed
		words.add(c.c.probedModes)
	}
	w := words.session
	if c.sqlModeDefault {
		w = words.global
	}
	if words.charset != "" {
		// Hazard (review20a): a DSN's charset parameter (charset=latin1)
		// makes the servers read the statement's text, and send results,
		// in another character set: text keys were placed by their UTF-8
		// and merges compared latin1 bytes as UTF-8 (GROUP BY k split
		// 'é' from itself, joined 'é' with 'É').
		return fmt.Errorf("%w: statement parsed by shardsql while the servers' new connections have character set %s for the client, the connection or results (set by the DSN's charset parameter, or by a server that ignores the client's) in %q: shardsql places text keys and compares merged text as utf8mb4; use charset=utf8mb4 (go-sql-driver's default) in every data source's DSN", route.ErrUnsupported, words.charset, p.SQL)
	}
	if w != "" {
		return fmt.Errorf("%w: statement parsed by shardsql while the servers' session sql_mode has %s (set globally on a server, or by the DSN) in %q: shardsql parses and rewrites statements in MySQL's default dialect, the servers would read them in another; remove the mode from the servers' global sql_mode or the DSN, or SET sql_mode to a value without it", route.ErrUnsupported, strings.ToUpper(w), p.SQL)
	}
	return nil
}

// noAutoZero reports whether the session's sql_mode has
// NO_AUTO_VALUE_ON_ZERO (MariaDB then stores 0 for DEFAULT in an
// AUTO_INCREMENT column).
func (c *Conn) noAutoZero(ctx context.Context) bool {
	return c.modeWord(ctx, "NO_AUTO_VALUE_ON_ZERO")
}

// modeWord reports whether the session's sql_mode has word w: the mode
// it SET, or some data source's (DEFAULT: the global).
func (c *Conn) modeWord(ctx context.Context, w string) bool {
	if c.sqlModeSet && !c.sqlModeDefault {
		return modeHas(c.sqlMode, w)
	}
	for _, src := range c.c.serverSources(ctx) {
		if src.SQLModeKnown && modeHas(c.sourceMode(src), w) {
			return true
		}
	}
	return false
}
