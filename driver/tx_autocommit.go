package driver

import (
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// checkAutocommit refuses a data source DSN that turns autocommit off
// (go-sql-driver sends an unknown DSN parameter as SET on every new
// connection). The hazard: shardsql runs transactions itself — a
// statement outside a transaction runs on a pool connection and is meant
// to commit on its own. With autocommit off it stays open in the pooled
// connection's implicit transaction (Exec returns nil, nothing is
// committed, and reads on that connection see an old snapshot), until a
// later multi-node write's START TRANSACTION on the same connection
// silently commits it. SET autocommit through shardsql is refused by the
// router for the same reason; this is the DSN's spelling of it. (A pool
// given with AddDB is the caller's: its settings are not seen here.)
func checkAutocommit(ds, dsn string) error {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil // reported as an invalid DSN by the caller
	}
	for k, v := range cfg.Params {
		if !strings.EqualFold(k, "autocommit") {
			continue
		}
		switch strings.ToLower(strings.Trim(v, "'\"` ")) {
		case "0", "off", "false":
			return fmt.Errorf("%w: autocommit=%s in the DSN of data source %s (shardsql commits statements outside transactions and runs transactions itself: remove the parameter and use db.BeginTx)", ErrUnsupported, v, ds)
		}
	}
	return nil
}
