package driver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// A replica whose session shardsql cannot compare with its primary's from
// their DSNs alone is compared on the servers, by the probe, before it
// takes a read: a primary or a replica given as the caller's *sql.DB
// (AddDB, AddReplicaDB), whose DSN and connection settings shardsql never
// sees, and a replica DSN that spells out a server setting (a system
// variable, charset, collation) its primary's DSN leaves to the server's
// default, which may or may not be the same value.
//
// The hazards (round 14's Left, closed in round 15): a replica pool the
// caller opened with time_zone='+05:00' beside a primary pool without it
// answered SELECT CAST(ts AS CHAR) with another hour than the primary,
// whichever server the balancer chose; and a replica DSN with
// charset=utf8mb4 beside a primary DSN without it was refused although
// both sessions were the same. Until the probe has compared the two
// sessions the replica takes no reads (the primary answers, as under a
// lag bound before the first probe); a difference ejects it for good with
// ReplicaStatus.Err saying which setting differs, as an invalid DSN does.

// sessionVars are the session variables compared: those that change what
// a read answers, plus every system variable either DSN sets.
var sessionVars = []string{
	"time_zone", "sql_mode", "character_set_client", "character_set_connection",
	"character_set_results", "collation_connection", "div_precision_increment",
	"group_concat_max_len", "lc_time_names", "sql_select_limit",
	"default_week_format", "max_sort_length",
	// review19b: a string function whose result would pass the server's
	// max_allowed_packet answers NULL with a warning (REPEAT, LPAD,
	// CONCAT, …): a replica configured with a smaller one answered NULL
	// where its primary answered the string.
	"max_allowed_packet",
}

// mariaDBSessionVars are MariaDB's own variables that change what a read
// answers: old_mode (UTF8_IS_UTF8MB3 names utf8, ZERO_DATE_TIME_CAST casts
// a TIME to a DATETIME with a zero date), default_regex_flags (REGEXP's
// matching), max_recursive_iterations (a recursive CTE stops there and
// answers what it has, without an error) and system_versioning_asof (the
// point in time a system-versioned table is read at). They are read on
// MariaDB only: on MySQL @@SESSION.old_mode is error 1193, which would
// eject every replica (review15b's Left); a MySQL server reports them as
// absent, so a MySQL replica of a MariaDB primary differs.
//
// tx_isolation (review19b): a replica configured with another isolation
// level than its primary — READ-UNCOMMITTED on a reporting replica, to
// take no locks — answered a plain read with rows of a transaction it was
// still applying, or would roll back and retry (parallel replication):
// a state no statement on the primary sees. MariaDB has the variable in
// every version (transaction_isolation is its 11.1 alias); MySQL 8 has
// only transaction_isolation, hence the MariaDB list.
var mariaDBSessionVars = []string{"old_mode", "default_regex_flags", "max_recursive_iterations", "system_versioning_asof", "tx_isolation"}

// sessionProbeArg is a time.Time argument with nanoseconds, in UTC: the
// server's copy shows go-sql-driver's loc and timeTruncate.
var sessionProbeArg = time.Date(2000, 1, 2, 3, 4, 5, 123456789, time.UTC)

// sessionFacts is what one pool's connection says of its session: the
// variables' values, then how a DATETIME value scans (parseTime, loc), how
// a time.Time argument reaches the server (loc, timeTruncate) and how a
// qualified column is named (columnsWithAlias).
type sessionFacts struct {
	names  []string
	values []string
}

// readSessionFacts reads the facts on one connection of db.
func readSessionFacts(ctx context.Context, db *sql.DB, vars []string) (sessionFacts, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return sessionFacts{}, err
	}
	defer conn.Close()
	var f sessionFacts
	sel := make([]string, len(vars))
	vals := make([]sql.NullString, len(vars))
	dest := make([]any, len(vars))
	for i, v := range vars {
		sel[i] = "@@SESSION." + v
		dest[i] = &vals[i]
	}
	if err := conn.QueryRowContext(ctx, "SELECT "+strings.Join(sel, ", ")).Scan(dest...); err != nil {
		return sessionFacts{}, err
	}
	for i, v := range vars {
		f.names = append(f.names, "@@"+v)
		f.values = append(f.values, fmt.Sprintf("%q", vals[i].String))
	}
	if err := readMariaDBFacts(ctx, conn, &f); err != nil {
		return sessionFacts{}, err
	}
	rows, err := conn.QueryContext(ctx, "SELECT TIMESTAMP'2000-01-02 03:04:05', CAST(? AS CHAR), d.x FROM (SELECT 1 AS x) AS d", sessionProbeArg)
	if err != nil {
		return sessionFacts{}, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return sessionFacts{}, err
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return sessionFacts{}, err
		}
		return sessionFacts{}, fmt.Errorf("the session probe returned no row")
	}
	var ts any
	var arg sql.NullString
	var x any
	if err := rows.Scan(&ts, &arg, &x); err != nil {
		return sessionFacts{}, err
	}
	scanned := fmt.Sprintf("%T", ts)
	if tv, ok := ts.(time.Time); ok {
		scanned = fmt.Sprintf("time.Time in %s (%s)", tv.Location(), tv.Format(time.RFC3339))
	}
	f.names = append(f.names, "a DATETIME value (parseTime, loc)", "a time.Time argument (loc, timeTruncate)", "a qualified column's name (columnsWithAlias)")
	f.values = append(f.values, scanned, fmt.Sprintf("%q", arg.String), fmt.Sprintf("%q", cols[2]))
	return f, rows.Close()
}

// readMariaDBFacts adds mariaDBSessionVars to f: their values on
// MariaDB, "absent" on another server.
func readMariaDBFacts(ctx context.Context, conn *sql.Conn, f *sessionFacts) error {
	var version string
	if err := conn.QueryRowContext(ctx, "SELECT @@version").Scan(&version); err != nil {
		return err
	}
	vals := make([]sql.NullString, len(mariaDBSessionVars))
	if strings.Contains(strings.ToLower(version), "mariadb") {
		sel := make([]string, len(mariaDBSessionVars))
		dest := make([]any, len(mariaDBSessionVars))
		for i, v := range mariaDBSessionVars {
			sel[i] = "@@SESSION." + v
			dest[i] = &vals[i]
		}
		if err := conn.QueryRowContext(ctx, "SELECT "+strings.Join(sel, ", ")).Scan(dest...); err != nil {
			return err
		}
	}
	for i, v := range mariaDBSessionVars {
		f.names = append(f.names, "@@"+v)
		if !vals[i].Valid {
			f.values = append(f.values, "absent")
			continue
		}
		f.values = append(f.values, fmt.Sprintf("%q", vals[i].String))
	}
	return nil
}

// dsnVars returns the system variables a DSN sets (its parameters that are
// not go-sql-driver's own), as identifiers safe to quote after @@SESSION.
func dsnVars(dsn string) []string {
	if dsn == "" {
		return nil
	}
	q, err := dsnParams(dsn)
	if err != nil {
		return nil
	}
	var out []string
	for k := range q {
		if driverDSNKeys[k] || isSessionDSNKey(k) || !isPlainIdent(k) {
			continue
		}
		out = append(out, k)
	}
	return out
}

func isSessionDSNKey(k string) bool {
	for _, s := range sessionDSNKeys {
		if s == k {
			return true
		}
	}
	return false
}

func isPlainIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// checkReplicaSession compares replica r's session with its primary's.
// It returns an error wrapping ErrUnsupported when they differ (for
// good: the replica stays out of reads) and another error when either
// could not be read (the next probe tries again).
func (c *Connector) checkReplicaSession(ctx context.Context, r *replica) error {
	vars := append([]string(nil), sessionVars...)
	seen := make(map[string]bool, len(vars))
	for _, v := range vars {
		seen[v] = true
	}
	for _, v := range append(dsnVars(r.primaryDSN), dsnVars(r.dsn)...) {
		if v = strings.ToLower(v); !seen[v] {
			seen[v] = true
			vars = append(vars, v)
		}
	}
	pdb, err := c.db(r.ds)
	if err != nil {
		return err
	}
	unpark := c.unparked(r.ds) // not through the gate (pin_park.go), as readPrimaryPos
	want, err := readSessionFacts(ctx, pdb, vars)
	unpark()
	if err != nil {
		return refusedCompare(r, "the primary's", err)
	}
	have, err := readSessionFacts(ctx, r.db, vars)
	if err != nil {
		return refusedCompare(r, "the replica's", err)
	}
	for i, name := range want.names {
		if have.values[i] != want.values[i] {
			return fmt.Errorf("%w: replica %s of data source %s has %s %s where its primary has %s (the replica would answer reads in another session than the primary's: give both the same settings)", ErrUnsupported, r.name, r.ds, name, have.values[i], want.values[i])
		}
	}
	return nil
}

// refusedCompare wraps a failure to read one side's session. A server's
// answer that will not change at the next probe (a variable one server
// does not have: 1193, or has only as a global: 1238) means the sessions
// cannot be compared, and the replica is ejected for good, saying why,
// rather than left waiting without a word. Any other failure is tried
// again at the next probe.
//
// Hazard (review15b): every server error used to eject for good, but most
// are a moment's state of a sound server — too many connections (1040),
// a user's connection limit (1203, 1226), a query interrupted or killed
// (1317, 1927), a shutdown under way (1053), a statement timeout (1969) —
// and one met by the first probe kept a replica whose session is its
// primary's out of reads until the connector closed.
func refusedCompare(r *replica, side string, err error) error {
	var me *mysql.MySQLError
	if errors.As(err, &me) && permanentCompareError[me.Number] {
		return fmt.Errorf("%w: replica %s of data source %s: reading %s session to compare it (check that the server answers its DSN's user, or leave the replica out): %w", ErrUnsupported, r.name, r.ds, side, err)
	}
	return fmt.Errorf("reading %s session: %w", side, err)
}

// permanentCompareError are the server errors of the session read that
// the same read meets again: the variable it names is not a session
// variable of that server.
var permanentCompareError = map[uint16]bool{
	1193: true, // ER_UNKNOWN_SYSTEM_VARIABLE
	1238: true, // ER_INCORRECT_GLOBAL_LOCAL_VAR
}
