package driver

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// A replica answers reads its primary would answer, so its connections must
// start with the primary's session: the same system variables (time_zone,
// sql_mode, … given as DSN parameters, which go-sql-driver sends as SET at
// connect), the same character set and collation, and the same conversion
// of the values (loc, parseTime, columnsWithAlias).
//
// The hazard (found by TestFaults14Replicas/session_DSN): a primary DSN with
// time_zone='+05:00' and a replica DSN without it. SELECT CAST(ts AS CHAR)
// on a TIMESTAMP column answered 12:00:00 on the primary and 07:00:00 on
// the replica, the server's own time zone: the same statement gave another
// answer depending on which server the balancer chose, where one MariaDB
// through go-sql-driver always answers 12:00:00. parseTime missing from
// the replica's DSN made the same column scan as []byte on one server and
// time.Time on the other; PIPES_AS_CONCAT in sql_mode turns || into CONCAT.
//
// So a replica DSN takes each of these settings from its primary's DSN
// when it does not give the setting itself; a replica DSN that gives one
// with another value (or a client-side setting its primary does not set)
// is a configuration shardsql cannot read exactly from: the replica takes
// no reads and ReplicaStatus says why, as for an invalid DSN. A primary or
// a replica given as a *sql.DB (AddDB, AddReplicaDB), and a replica DSN
// that sets a server setting its primary leaves to the server, are
// compared on the servers by the probe before the replica takes a read
// (replica_session_check.go).

// sessionDSNKeys are go-sql-driver's DSN parameters that change what a
// read answers or how its values convert. Every parameter go-sql-driver
// does not know is a system variable it sets at connect (Config.Params).
//
// timeTruncate is one (review14): go-sql-driver truncates time.Time
// arguments to it before the server compares them, so ts = ? with
// 12:00:00.5 matched a 12:00:00 row on a primary with timeTruncate=1s and
// nothing on its replica without it.
var sessionDSNKeys = []string{"charset", "collation", "loc", "parseTime", "columnsWithAlias", "timeTruncate"}

// driverDSNKeys are go-sql-driver's other parameters: they change how the
// client connects, never what a read answers.
var driverDSNKeys = map[string]bool{
	"allowAllFiles": true, "allowCleartextPasswords": true, "allowFallbackToPlaintext": true,
	"allowNativePasswords": true, "allowOldPasswords": true, "checkConnLiveness": true,
	"clientFoundRows": true, "compress": true, "connectionAttributes": true,
	"interpolateParams": true, "maxAllowedPacket": true, "multiStatements": true,
	"readTimeout": true, "rejectReadOnly": true, "serverPubKey": true, "timeout": true,
	"tls": true, "writeTimeout": true,
}

// dsnParams returns the parameters a DSN gives (its text after '?'),
// unescaped as go-sql-driver reads them.
func dsnParams(dsn string) (url.Values, error) {
	i := strings.LastIndexByte(dsn, '?')
	if i < 0 || strings.LastIndexByte(dsn, '/') > i {
		return url.Values{}, nil
	}
	return url.ParseQuery(dsn[i+1:])
}

// sessionParams returns the session settings a DSN gives, by name.
func sessionParams(dsn string) (map[string]string, error) {
	q, err := dsnParams(dsn)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string)
	for k, v := range q {
		if driverDSNKeys[k] || len(v) == 0 {
			continue
		}
		out[k] = v[len(v)-1]
	}
	return out, nil
}

// replicaSessionDSN returns replica DSN dsn with the session settings of
// primary DSN primary it does not give itself, or an error naming a
// setting it gives with another value than the primary's. check is true
// when the DSNs cannot tell whether the sessions are the same: the
// primary is the caller's pool (primary == ""), or the replica sets a
// server setting the primary leaves to the server's default; the probe
// then compares them on the servers (replica_session_check.go).
func replicaSessionDSN(primary, dsn string) (full string, check bool, err error) {
	if primary == "" {
		return dsn, true, nil // the primary is the caller's pool: not known
	}
	want, err := sessionParams(primary)
	if err != nil {
		return "", false, fmt.Errorf("the primary's DSN: %w", err)
	}
	have, err := sessionParams(dsn)
	if err != nil {
		return "", false, err
	}
	var add []string
	for k, v := range want {
		hv, ok := have[k]
		switch {
		case !ok:
			add = append(add, k+"="+url.QueryEscape(v))
		case hv != v && !sameSessionValue(k, hv, v):
			return "", false, fmt.Errorf("%w: replica DSN parameter %s=%s where its primary's DSN has %s=%s (the replica would answer reads in another session than the primary's: give the replica the primary's value, or leave the parameter out and shardsql takes the primary's)", ErrUnsupported, k, hv, k, v)
		}
	}
	for k, v := range have {
		if _, ok := want[k]; ok || isKnownDefault(k, v) {
			continue
		}
		if !clientSideKeys[k] {
			// A server setting the primary leaves to the server: the
			// same value or not, the servers say (round 15; refused
			// before, though often the same).
			check = true
			continue
		}
		return "", false, fmt.Errorf("%w: replica DSN parameter %s=%s that its primary's DSN does not set (the replica would answer reads in another session than the primary's: set it on the primary too, or leave it out)", ErrUnsupported, k, v)
	}
	if len(add) == 0 {
		return dsn, check, nil
	}
	sort.Strings(add) // a stable DSN
	sep := "?"
	if q := strings.LastIndexByte(dsn, '?'); q >= 0 && strings.LastIndexByte(dsn, '/') < q {
		sep = "&"
		if strings.HasSuffix(dsn, "?") || strings.HasSuffix(dsn, "&") {
			sep = ""
		}
	}
	return dsn + sep + strings.Join(add, "&"), check, nil
}

// clientSideKeys are the session parameters go-sql-driver applies in the
// client: a replica DSN that sets one its primary leaves out differs from
// it for certain (the primary has go-sql-driver's default).
var clientSideKeys = map[string]bool{"loc": true, "parseTime": true, "columnsWithAlias": true, "timeTruncate": true}

// sameSessionValue reports whether two spellings of go-sql-driver's own
// parameter k mean the same (parseTime=1 and parseTime=true).
func sameSessionValue(k, a, b string) bool {
	switch k {
	case "parseTime", "columnsWithAlias":
		return readDSNBool(a) == readDSNBool(b)
	case "charset", "collation":
		return strings.EqualFold(a, b)
	case "timeTruncate":
		da, erra := time.ParseDuration(a)
		db, errb := time.ParseDuration(b)
		return erra == nil && errb == nil && da == db
	}
	return false
}

// isKnownDefault reports whether a replica's parameter k=v that its
// primary leaves out is go-sql-driver's default anyway.
func isKnownDefault(k, v string) bool {
	switch k {
	case "parseTime", "columnsWithAlias":
		return !readDSNBool(v)
	case "loc":
		return v == "UTC"
	case "timeTruncate":
		d, err := time.ParseDuration(v)
		return err == nil && d == 0
	}
	return false
}

// readDSNBool reads a boolean DSN value as go-sql-driver does.
func readDSNBool(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true":
		return true
	}
	return false
}

// replicaConfig parses a replica's DSN after giving it its primary's
// session settings (replicaSessionDSN).
func replicaConfig(primary, dsn string) (*mysql.Config, bool, error) {
	if _, err := mysql.ParseDSN(dsn); err != nil {
		return nil, false, fmt.Errorf("shardsql: replica: invalid DSN: %w", err)
	}
	full, check, err := replicaSessionDSN(primary, dsn)
	if err != nil {
		return nil, false, fmt.Errorf("shardsql: replica: %w", err)
	}
	cfg, err := mysql.ParseDSN(full)
	if err != nil {
		return nil, false, fmt.Errorf("shardsql: replica: invalid DSN: %w", err)
	}
	return cfg, check, nil
}
