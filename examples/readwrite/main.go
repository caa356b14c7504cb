// Command readwrite shows read/write splitting with read-your-writes: a
// table sharded over one data source that has a read replica one second
// behind its primary. Reads with no recent write go to the replica; a read
// right after a write goes to the primary, or to the replica once it has
// applied the write; a token carries the write's position to a second
// *sql.DB (another process, in real life).
//
// It starts a throwaway MariaDB primary and replica, so it needs MariaDB
// installed (mariadbd and mariadb-install-db); without it, it says so and
// exits 0:
//
//	go run ./examples/readwrite
//
// Or point it at a primary and a replica of it (MariaDB GTID replication):
//
//	go run ./examples/readwrite -primary 'app:pw@tcp(db1:3306)/app' -replica 'app:pw@tcp(db2:3306)/app'
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
	"github.com/shardsql/shardsql/shardtest"
)

func main() {
	primary := flag.String("primary", "", "go-sql-driver DSN of the primary (default: a throwaway MariaDB)")
	replica := flag.String("replica", "", "go-sql-driver DSN of a replica of the primary")
	flag.Parse()
	if err := run(context.Background(), *primary, *replica); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, primaryDSN, replicaDSN string) error {
	if primaryDSN == "" || replicaDSN == "" {
		if !shardtest.HaveMariaDB() {
			fmt.Println("readwrite needs MariaDB for a real primary and replica, and mariadbd is not installed:")
			fmt.Println("install mariadb-server, or pass -primary and -replica DSNs. Nothing to do.")
			return nil
		}
		fmt.Println("starting a MariaDB primary and a replica with MASTER_DELAY=1 …")
		cluster, err := shardtest.StartMariaDBReplicated(1, "app", shardtest.ReplicaOptions{Delay: time.Second})
		if err != nil {
			return err
		}
		defer cluster.Close()
		primaryDSN, replicaDSN = cluster.Primary.DSN(), cluster.Replicas[0].DSN()
	}

	topo := shard.NewTopology()
	if err := topo.AddDataSource("ds0", primaryDSN); err != nil {
		return err
	}
	if err := topo.AddReplica("ds0", replicaDSN); err != nil {
		return err
	}
	if err := topo.AddTable(shard.Table{Name: "t_post", Column: "author_id", Nodes: "ds0.t_post_${0..3}"}); err != nil {
		return err
	}
	open := func() (*sql.DB, error) {
		c, err := driver.NewConnector(topo, driver.WithReplicaProbeInterval(100*time.Millisecond))
		if err != nil {
			return nil, err
		}
		db := sql.OpenDB(c)
		// Warm opens connections and waits for the first probe: a
		// replica takes no reads until its session is compared with
		// its primary's.
		if err := driver.Warm(ctx, db, 2); err != nil {
			_ = db.Close()
			return nil, err
		}
		return db, nil
	}
	db, err := open()
	if err != nil {
		return err
	}
	defer db.Close()

	if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS t_post (id BIGINT PRIMARY KEY, author_id BIGINT NOT NULL, title VARCHAR(100))"); err != nil {
		return err
	}
	fmt.Println("waiting for the replica to apply the CREATE TABLE …")
	time.Sleep(1500 * time.Millisecond)

	read := func(ctx context.Context, db *sql.DB, label string) error {
		var trace []driver.ReadServer
		var n int
		if err := db.QueryRowContext(driver.WithReadTrace(ctx, &trace), "SELECT COUNT(*) FROM t_post WHERE author_id = ?", 7).Scan(&n); err != nil {
			return err
		}
		s := trace[0]
		where := "primary " + s.Server
		if s.Replica {
			where = "replica " + s.Server
		} else if s.Reason != "" {
			where += " (" + s.Reason + ")"
		}
		fmt.Printf("%-34s %d post(s), read on %s\n", label+":", n, where)
		return nil
	}

	if err := read(ctx, db, "before any post"); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO t_post (id, author_id, title) VALUES (1, 7, 'hello')"); err != nil {
		return err
	}
	if err := read(ctx, db, "right after publishing"); err != nil {
		return err
	}

	// Another *sql.DB knows nothing of the write: without a token it reads
	// the lagging replica; with the token, it sees the post.
	token, err := driver.WriteToken(ctx, db)
	if err != nil {
		return err
	}
	fmt.Printf("write token: %s\n", token)
	other, err := open()
	if err != nil {
		return err
	}
	defer other.Close()
	if err := read(ctx, other, "another DB, no token"); err != nil {
		return err
	}
	after, err := driver.ReadAfter(ctx, token)
	if err != nil {
		return err
	}
	if err := read(after, other, "another DB, with the token"); err != nil {
		return err
	}

	fmt.Println("waiting for the replica to apply the post …")
	time.Sleep(1500 * time.Millisecond)
	if err := read(ctx, db, "a moment later"); err != nil {
		return err
	}
	if err := read(driver.WithPrimary(ctx), db, "with driver.WithPrimary"); err != nil {
		return err
	}
	plan, err := driver.ExplainRead(ctx, db, "SELECT title FROM t_post WHERE author_id = ?", 7)
	if err != nil {
		return err
	}
	fmt.Println("\nExplainRead:\n" + plan)
	return nil
}
