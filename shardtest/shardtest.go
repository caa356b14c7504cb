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
// other public package of this module.
//
// For fault tests, a MariaDB server can be stopped or killed and started
// again with its data (Server.Stop, Server.Kill, Server.Start), BlackHole
// gives an address that accepts connections and never answers, like a
// server that hangs, and a Proxy in front of a server cuts, hangs or
// delays a connection at a chosen SQL message.
package shardtest

import (
	"errors"
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
	// proc is the mariadbd process of a MariaDB server (nil when embedded).
	proc *mariadbProc

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

// Close stops the server (if it is running) and removes its temporary files,
// the data directory included. Connections that are still open are cut off or
// left to fail. Close is idempotent: later calls return the result of the
// first. A closed server cannot be started again.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.stop != nil {
			s.closeErr = s.stop()
		}
	})
	return s.closeErr
}

// Stop stops a MariaDB server as a crash test needs: it sends SIGTERM and
// waits for mariadbd to exit (sending SIGKILL if it has not exited after 15
// seconds), keeping the data directory, so Start can bring the same server
// back. Open connections are cut off; new ones are refused while the server
// is stopped. Stopping a stopped server does nothing. Stop returns an error
// for embedded servers and after Close.
func (s *Server) Stop() error {
	if s.proc == nil {
		return errors.New("shardtest: Stop: only MariaDB servers can be stopped and restarted")
	}
	return s.proc.Stop()
}

// Kill kills a MariaDB server with SIGKILL, as a crash or a power cut of
// the server would (with the server's settings, committed and prepared
// transactions survive), waits for it to exit and keeps its data
// directory for Start. Killing a stopped server does nothing. Kill returns
// an error for embedded servers and after Close.
func (s *Server) Kill() error {
	if s.proc == nil {
		return errors.New("shardtest: Kill: only MariaDB servers can be killed and restarted")
	}
	return s.proc.Kill()
}

// Start starts a server stopped by Stop (or Kill) again, on the same address and data
// directory (the database and its data are kept; the DSN stays valid), and
// waits up to a minute until it accepts connections. Starting a running
// server does nothing. Start returns an error for embedded servers, after
// Close, and if mariadbd cannot start (for example because another process
// took the port meanwhile); the error quotes the end of its error log.
func (s *Server) Start() error {
	if s.proc == nil {
		return errors.New("shardtest: Start: only MariaDB servers can be stopped and restarted")
	}
	return s.proc.Start()
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
