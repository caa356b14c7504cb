// Package shardtest starts throwaway MySQL-protocol servers for tests and
// examples, in the spirit of net/http/httptest.
//
// Two kinds of server are available:
//
//   - embedded servers (StartEmbedded, Embedded): in-process
//     github.com/dolthub/go-mysql-server engines with in-memory databases.
//     They need nothing installed and start in milliseconds, but they are not
//     MySQL: some functions, collations and error messages differ.
//   - MariaDB servers (StartMariaDB, MariaDB): real mariadbd processes, each
//     with its own temporary data directory, started from the mariadbd and
//     mariadb-install-db binaries found on the machine.
//
// Every server holds exactly one database and hands out a DSN for
// github.com/go-sql-driver/mysql; see Server.DSN. shardtest depends on no
// other package of this module.
package shardtest

import (
	"sync"

	"github.com/go-sql-driver/mysql"
)

// Server is one running MySQL-protocol server (embedded or MariaDB) with one
// database. A Server is safe for concurrent use.
type Server struct {
	addr string
	db   string
	dsn  string

	// dir is the temporary directory of a MariaDB server ("" when embedded).
	dir string

	stop      func() error
	closeOnce sync.Once
	closeErr  error
}

func newServer(addr, db, dir string, stop func() error) *Server {
	return &Server{addr: addr, db: db, dsn: formatDSN(addr, db), dir: dir, stop: stop}
}

// formatDSN builds the DSN documented on Server.DSN.
func formatDSN(addr, db string) string {
	cfg := mysql.NewConfig()
	cfg.User = "root"
	cfg.Net = "tcp"
	cfg.Addr = addr
	cfg.DBName = db
	cfg.ParseTime = true
	return cfg.FormatDSN()
}

// DSN returns a github.com/go-sql-driver/mysql data source name for the
// server's database, connecting as root with an empty password over TCP:
//
//	root@tcp(127.0.0.1:PORT)/app?parseTime=true
//
// parseTime=true makes DATE and DATETIME columns scan into time.Time. All
// other parameters keep the driver's defaults; in particular
// interpolateParams is false, so queries with arguments are sent as
// server-side prepared statements (COM_STMT_PREPARE / COM_STMT_EXECUTE).
// Callers may append further parameters with "&name=value".
func (s *Server) DSN() string { return s.dsn }

// Addr returns the server's TCP address, "127.0.0.1:PORT".
func (s *Server) Addr() string { return s.addr }

// Database returns the name of the server's database.
func (s *Server) Database() string { return s.db }

// Close stops the server and removes its temporary files. Connections that
// are still open are cut off or left to fail. Close is idempotent: later calls
// return the result of the first.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.stop != nil {
			s.closeErr = s.stop()
		}
	})
	return s.closeErr
}

// closeAll closes every non-nil server and returns the first error.
func closeAll(servers []*Server) error {
	var first error
	for _, s := range servers {
		if s == nil {
			continue
		}
		if err := s.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
