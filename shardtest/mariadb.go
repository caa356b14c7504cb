package shardtest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
)

const (
	// startTimeout bounds how long one mariadbd may take to accept connections.
	startTimeout = 60 * time.Second
	// stopTimeout is how long Close waits after SIGTERM before sending SIGKILL.
	stopTimeout = 15 * time.Second
	// bindAttempts is how often a server is retried on a new port when the
	// chosen port was taken between choosing it and mariadbd binding it.
	bindAttempts = 3
	// logTail is how many bytes of the error log are quoted in errors.
	logTail = 2000
)

// mariaDBBinaries holds the paths found by findMariaDB.
type mariaDBBinaries struct {
	server    string // mariadbd, or mysqld if that is MariaDB
	installDB string // mariadb-install-db or mysql_install_db
	err       error
}

var (
	lookupOnce   sync.Once
	lookupResult mariaDBBinaries
)

// findMariaDB looks for the MariaDB binaries once and caches the result.
func findMariaDB() mariaDBBinaries {
	lookupOnce.Do(func() { lookupResult = lookMariaDB() })
	return lookupResult
}

// lookBinary finds name on PATH or, since PATH often lacks the sbin
// directories, in the usual installation directories.
func lookBinary(name string) (string, bool) {
	if p, err := exec.LookPath(name); err == nil {
		return p, true
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

func lookMariaDB() mariaDBBinaries {
	var b mariaDBBinaries
	if p, ok := lookBinary("mariadbd"); ok {
		b.server = p
	} else if p, ok := lookBinary("mysqld"); ok && isMariaDB(p) {
		b.server = p
	}
	if p, ok := lookBinary("mariadb-install-db"); ok {
		b.installDB = p
	} else if p, ok := lookBinary("mysql_install_db"); ok {
		b.installDB = p
	}
	switch {
	case b.server == "":
		b.err = errors.New("shardtest: " + notFoundMessage)
	case b.installDB == "":
		b.err = errors.New("shardtest: mariadb-install-db not found on PATH; install mariadb-server to run MariaDB tests")
	}
	return b
}

// isMariaDB reports whether the server binary at path is MariaDB.
func isMariaDB(path string) bool {
	out, err := exec.Command(path, "--version").CombinedOutput()
	return err == nil && bytes.Contains(out, []byte("MariaDB"))
}

// HaveMariaDB reports whether the MariaDB server binary (mariadbd, or a
// mysqld that is MariaDB) and mariadb-install-db were found on PATH or in
// /usr/sbin, /usr/local/sbin, /usr/bin or /usr/local/bin. The lookup runs once
// per process.
func HaveMariaDB() bool { return findMariaDB().err == nil }

// StartMariaDB starts n throwaway mariadbd processes in parallel and creates
// database db on each.
//
// Each server gets a temporary directory holding a data directory
// initialised by mariadb-install-db, its socket, pid file and error log. It
// listens on a free port on 127.0.0.1 and runs with --no-defaults,
// --skip-grant-tables (root logs in over TCP with no password; GRANT and
// CREATE USER do not work), character set utf8mb4 with MariaDB's default collation utf8mb4_general_ci,
// small InnoDB buffers and durability turned off, as --user=root when the
// process runs as root. StartMariaDB waits up to a minute for each server to
// accept connections; on failure the error quotes the end of its error log.
//
// The caller must Close every server: Close sends SIGTERM, waits, sends
// SIGKILL if the server has not exited, and removes the temporary directory.
// Servers are not stopped if the calling process dies without closing them.
// For fault tests, Server.Stop stops a server and keeps its data directory,
// and Server.Start brings it back on the same address with the same data.
func StartMariaDB(n int, db string) ([]*Server, error) {
	if n < 1 {
		return nil, fmt.Errorf("shardtest: StartMariaDB: n must be at least 1, got %d", n)
	}
	if db == "" {
		return nil, errors.New("shardtest: StartMariaDB: empty database name")
	}
	bin := findMariaDB()
	if bin.err != nil {
		return nil, bin.err
	}
	servers := make([]*Server, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := startMariaDBRetry(bin, db)
			if err != nil {
				errs[i] = fmt.Errorf("shardtest: start MariaDB server %d of %d: %w", i+1, n, err)
				return
			}
			servers[i] = s
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		_ = closeAll(servers)
		return nil, err
	}
	return servers, nil
}

// errPortTaken reports that mariadbd could not bind its port.
var errPortTaken = errors.New("port already in use")

func startMariaDBRetry(bin mariaDBBinaries, db string) (*Server, error) {
	var err error
	for attempt := 0; attempt < bindAttempts; attempt++ {
		var s *Server
		s, err = startMariaDB(bin, db)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	return nil, err
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	return port, nil
}

// startMariaDB initialises a data directory and starts one mariadbd on it.
func startMariaDB(bin mariaDBBinaries, db string) (s *Server, err error) {
	return startMariaDBWith(bin, db, serverConfig{create: true, args: []string{"--skip-log-bin"}})
}

// serverConfig is what differs between plain servers and the primaries and
// replicas of replica.go: extra mariadbd arguments, and whether database
// db is created at start (a replica receives it from its primary).
type serverConfig struct {
	args   []string
	create bool
}

// startMariaDBWith is startMariaDB with a serverConfig.
func startMariaDBWith(bin mariaDBBinaries, db string, sc serverConfig) (s *Server, err error) {
	dir, err := os.MkdirTemp("", "shardtest-mariadb-")
	if err != nil {
		return nil, fmt.Errorf("create temp dir: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(dir)
		}
	}()
	datadir := filepath.Join(dir, "data")
	errLog := filepath.Join(dir, "error.log")

	innodb := []string{
		"--innodb-buffer-pool-size=32M",
		"--innodb-log-file-size=16M",
		"--innodb-log-buffer-size=4M",
		"--innodb-doublewrite=0",
		"--innodb-flush-log-at-trx-commit=2",
		"--innodb-use-native-aio=0",
	}
	var asRoot []string
	if os.Geteuid() == 0 {
		asRoot = []string{"--user=root"}
	}

	install := append([]string{
		"--no-defaults",
		"--datadir=" + datadir,
		"--tmpdir=" + dir, // its own: concurrent bootstraps in a shared /tmp have collided
		"--auth-root-authentication-method=normal",
		"--skip-test-db",
		"--skip-name-resolve",
	}, asRoot...)
	install = append(install, innodb...)
	if out, err := exec.Command(bin.installDB, install...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%s: %w\n%s", filepath.Base(bin.installDB), err, tail(out))
	}

	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := append([]string{
		"--no-defaults",
		"--datadir=" + datadir,
		"--bind-address=127.0.0.1",
		"--port=" + strconv.Itoa(port),
		"--socket=" + filepath.Join(dir, "mariadb.sock"),
		"--pid-file=" + filepath.Join(dir, "mariadb.pid"),
		"--log-error=" + errLog,
		"--tmpdir=" + dir,
		"--skip-grant-tables",
		"--skip-name-resolve",
		"--performance-schema=0",
		"--character-set-server=utf8mb4",
		"--collation-server=utf8mb4_general_ci",
	}, asRoot...)
	args = append(args, innodb...)
	args = append(args, sc.args...)

	proc := &mariadbProc{server: bin.server, args: args, addr: addr, db: db, dir: dir, errLog: errLog}
	if err := proc.launch(); err != nil {
		return nil, err
	}
	if err := waitReady(addr, db, sc.create, proc.exited); err != nil {
		return nil, proc.startFailed(err)
	}
	s = newServer(addr, db, dir, proc.close)
	s.proc = proc
	return s, nil
}

// mariadbProc is one mariadbd process on a fixed port and data directory. It
// may be stopped and started again any number of times until it is closed.
type mariadbProc struct {
	server string   // the mariadbd binary
	args   []string // its arguments, the same at every start
	addr   string
	db     string
	dir    string // the temporary directory holding the datadir
	errLog string

	mu      sync.Mutex // serialises launch, stop, close (held while waiting)
	cmd     *exec.Cmd  // nil while stopped
	exited  chan struct{}
	waitErr error // cmd.Wait's result, set before exited is closed
	closed  bool
}

// launch starts mariadbd without waiting for it to accept connections.
func (p *mariadbProc) launch() error {
	cmd := exec.Command(p.server, p.args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.server, err)
	}
	exited := make(chan struct{})
	go func() {
		p.waitErr = cmd.Wait()
		close(exited)
	}()
	p.cmd, p.exited = cmd, exited
	return nil
}

// startFailed stops a server that did not become ready and returns err with
// the end of its error log.
func (p *mariadbProc) startFailed(err error) error {
	select {
	case <-p.exited:
		err = fmt.Errorf("mariadbd exited (%v): %w", p.waitErr, err)
	default:
		_ = stopProcess(p.cmd, p.exited)
	}
	p.cmd = nil
	logText, _ := os.ReadFile(p.errLog)
	if bytes.Contains(logText, []byte("Address already in use")) {
		err = fmt.Errorf("%w: %w", errPortTaken, err)
	}
	return fmt.Errorf("%w; end of %s:\n%s", err, p.errLog, tail(logText))
}

// stop stops the running process, if any; the caller holds p.mu.
func (p *mariadbProc) stop() error {
	if p.cmd == nil {
		return nil
	}
	err := stopProcess(p.cmd, p.exited)
	p.cmd = nil
	if err != nil {
		return fmt.Errorf("shardtest: stop mariadbd on %s: %w", p.addr, err)
	}
	return nil
}

// Stop stops the server and keeps its data directory.
func (p *mariadbProc) Stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return fmt.Errorf("shardtest: Stop: server on %s is closed", p.addr)
	}
	return p.stop()
}

// Kill kills the running process with SIGKILL, as a crash does, and waits
// for it to exit.
func (p *mariadbProc) Kill() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return fmt.Errorf("shardtest: Kill: server on %s is closed", p.addr)
	}
	if p.cmd == nil {
		return nil
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("shardtest: kill mariadbd on %s: %w", p.addr, err)
	}
	<-p.exited
	p.cmd = nil
	return nil
}

// Start starts a stopped server again on its port and data directory.
func (p *mariadbProc) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
		return fmt.Errorf("shardtest: Start: server on %s is closed", p.addr)
	case p.cmd != nil:
		return nil // already running
	}
	if err := p.launch(); err != nil {
		return fmt.Errorf("shardtest: restart mariadbd on %s: %w", p.addr, err)
	}
	if err := waitReady(p.addr, p.db, false, p.exited); err != nil {
		return fmt.Errorf("shardtest: restart mariadbd on %s: %w", p.addr, p.startFailed(err))
	}
	return nil
}

// close stops the server and removes its temporary directory.
func (p *mariadbProc) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	stopErr := p.stop()
	if err := os.RemoveAll(p.dir); err != nil {
		return fmt.Errorf("shardtest: remove %s: %w", p.dir, err)
	}
	return stopErr
}

// waitReady pings the server until it answers, then creates database db
// if create is set.
func waitReady(addr, db string, create bool, exited <-chan struct{}) error {
	cfg := mysql.NewConfig()
	cfg.User = "root"
	cfg.Net = "tcp"
	cfg.Addr = addr
	cfg.Timeout = 5 * time.Second
	cfg.Logger = &mysql.NopLogger{}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return fmt.Errorf("driver config: %w", err)
	}
	pool := sql.OpenDB(connector)
	defer pool.Close()

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := pool.PingContext(ctx)
		if err == nil {
			break
		}
		select {
		case <-exited:
			return fmt.Errorf("server exited before accepting connections: %w", err)
		case <-ctx.Done():
			return fmt.Errorf("server did not accept connections within %v: %w", startTimeout, err)
		case <-tick.C:
		}
	}
	if !create {
		return nil
	}
	if _, err := pool.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(db)); err != nil {
		return fmt.Errorf("create database %s: %w", db, err)
	}
	return nil
}

// stopProcess sends SIGTERM, waits up to stopTimeout for the process to exit
// and then kills it.
func stopProcess(cmd *exec.Cmd, exited <-chan struct{}) error {
	select {
	case <-exited:
		return nil
	default:
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("send SIGTERM: %w", err)
	}
	// A server paused by Pause handles SIGTERM only once continued.
	_ = cmd.Process.Signal(syscall.SIGCONT)
	timer := time.NewTimer(stopTimeout)
	defer timer.Stop()
	select {
	case <-exited:
		return nil
	case <-timer.C:
	}
	if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("send SIGKILL: %w", err)
	}
	<-exited
	return fmt.Errorf("no exit within %v of SIGTERM, killed", stopTimeout)
}

// quoteIdent quotes a MySQL identifier with backticks.
func quoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// tail returns the last logTail bytes of b.
func tail(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > logTail {
		b = append([]byte("..."), b[len(b)-logTail:]...)
	}
	return string(b)
}
