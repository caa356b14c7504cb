package shardtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// ReplicaOptions configure StartMariaDBReplicated.
type ReplicaOptions struct {
	// Delay is each replica's MASTER_DELAY, rounded down to whole seconds:
	// a replica applies a transaction this long after the primary
	// committed it, to simulate replication lag.
	Delay time.Duration
}

// Replicated is a throwaway MariaDB primary with replicas that follow it
// by GTID replication. Close stops them all.
type Replicated struct {
	// Primary has the binary log on and database db.
	Primary *Server
	// Replicas replicate Primary (MASTER_USE_GTID=slave_pos), read only.
	// After a Stop and Start, or Kill and Start, a replica resumes
	// replicating by itself.
	Replicas []*Server
}

// syncTimeout bounds StartMariaDBReplicated's and Sync's wait for the
// replicas to apply what the primary has, beyond any replication delay.
const syncTimeout = 60 * time.Second

// StartMariaDBReplicated starts a MariaDB primary with database db and n
// replicas of it (servers as StartMariaDB starts them, with server ids, the
// primary's binary log and GTID replication), and waits until every replica
// has the database. It fails when MariaDB is not installed (HaveMariaDB).
func StartMariaDBReplicated(n int, db string, opts ReplicaOptions) (*Replicated, error) {
	if n < 1 {
		return nil, fmt.Errorf("shardtest: StartMariaDBReplicated: n must be at least 1, got %d", n)
	}
	if db == "" {
		return nil, errors.New("shardtest: StartMariaDBReplicated: empty database name")
	}
	bin := findMariaDB()
	if bin.err != nil {
		return nil, bin.err
	}
	servers := make([]*Server, n+1)
	errs := make([]error, n+1)
	var wg sync.WaitGroup
	for i := range servers {
		sc := serverConfig{create: i == 0, args: []string{"--server-id=" + strconv.Itoa(i+1), "--gtid-domain-id=0"}}
		if i == 0 {
			sc.args = append(sc.args, "--log-bin=mariadb-bin", "--binlog-format=ROW")
		} else {
			sc.args = append(sc.args, "--skip-log-bin", "--read-only=1", "--relay-log=relay-bin")
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			for attempt := 0; attempt < bindAttempts; attempt++ {
				servers[i], err = startMariaDBWith(bin, db, sc)
				if err == nil || !errors.Is(err, errPortTaken) {
					break
				}
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	r := &Replicated{Primary: servers[0], Replicas: servers[1:]}
	if err := errors.Join(errs...); err != nil {
		_ = closeAll(servers)
		return nil, fmt.Errorf("shardtest: StartMariaDBReplicated: %w", err)
	}
	host, port, _ := splitAddr(r.Primary.Addr())
	for _, rep := range r.Replicas {
		change := fmt.Sprintf("CHANGE MASTER TO MASTER_HOST='%s', MASTER_PORT=%d, MASTER_USER='root', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_DELAY=%d",
			host, port, int(opts.Delay/time.Second))
		if err := rep.admin(context.Background(), change, "START SLAVE"); err != nil {
			_ = r.Close()
			return nil, fmt.Errorf("shardtest: StartMariaDBReplicated: starting replication on %s: %w", rep.Addr(), err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), syncTimeout+opts.Delay)
	defer cancel()
	if err := r.Sync(ctx); err != nil {
		_ = r.Close()
		return nil, err
	}
	return r, nil
}

// splitAddr splits host:port.
func splitAddr(addr string) (string, int, error) {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			p, err := strconv.Atoi(addr[i+1:])
			return addr[:i], p, err
		}
	}
	return addr, 0, fmt.Errorf("no port in %q", addr)
}

// Close stops the replicas and the primary and removes their directories.
func (r *Replicated) Close() error {
	return closeAll(append(append([]*Server(nil), r.Replicas...), r.Primary))
}

// Sync waits until every running replica whose SQL thread runs has applied
// everything the primary has committed (MASTER_GTID_WAIT), or ctx ends.
func (r *Replicated) Sync(ctx context.Context) error {
	pos, err := r.Primary.queryString(ctx, "SELECT @@GLOBAL.gtid_binlog_pos")
	if err != nil {
		return fmt.Errorf("shardtest: Sync: reading the primary's position: %w", err)
	}
	for _, rep := range r.Replicas {
		timeout := syncTimeout.Seconds()
		if dl, ok := ctx.Deadline(); ok {
			timeout = time.Until(dl).Seconds()
		}
		got, err := rep.queryString(ctx, "SELECT MASTER_GTID_WAIT(?, ?)", pos, timeout)
		if err != nil {
			return fmt.Errorf("shardtest: Sync: replica %s: %w", rep.Addr(), err)
		}
		if got != "0" {
			return fmt.Errorf("shardtest: Sync: replica %s did not reach position %s in time", rep.Addr(), pos)
		}
	}
	return nil
}

// StopReplication stops a replica's SQL thread (STOP SLAVE SQL_THREAD): it
// keeps receiving the primary's changes but applies none, so it falls
// behind without bound, as a stuck replica does.
func (s *Server) StopReplication() error {
	return s.admin(context.Background(), "STOP SLAVE SQL_THREAD")
}

// StartReplication starts a replica's replication threads again.
func (s *Server) StartReplication() error {
	return s.admin(context.Background(), "START SLAVE")
}

// SetReplicationDelay changes a replica's MASTER_DELAY (whole seconds).
func (s *Server) SetReplicationDelay(d time.Duration) error {
	return s.admin(context.Background(), "STOP SLAVE", fmt.Sprintf("CHANGE MASTER TO MASTER_DELAY=%d", int(d/time.Second)), "START SLAVE")
}

// ComSelect returns the server's Com_select counter: how many SELECT
// statements it has run, to count where reads went.
func (s *Server) ComSelect() (int64, error) {
	db, err := sql.Open("mysql", s.DSN())
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var name string
	var n int64
	if err := db.QueryRow("SHOW GLOBAL STATUS LIKE 'Com_select'").Scan(&name, &n); err != nil {
		return 0, fmt.Errorf("shardtest: Com_select of %s: %w", s.Addr(), err)
	}
	return n, nil
}

// admin runs statements on the server without a default database.
func (s *Server) admin(ctx context.Context, stmts ...string) error {
	db, err := sql.Open("mysql", formatDSN(s.addr, ""))
	if err != nil {
		return err
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// queryString runs a one-value query on the server without a default
// database.
func (s *Server) queryString(ctx context.Context, q string, args ...any) (string, error) {
	db, err := sql.Open("mysql", formatDSN(s.addr, ""))
	if err != nil {
		return "", err
	}
	defer db.Close()
	var v sql.NullString
	if err := db.QueryRowContext(ctx, q, args...).Scan(&v); err != nil {
		return "", err
	}
	return v.String, nil
}
