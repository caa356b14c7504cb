// Command xacrash is the coordinator process TestXACrashRecovery kills: it
// runs one XA transaction over two data sources and exits with status 3
// at the protocol stage named by SHARDSQL_XA_CRASH (status 4 if the stage
// never comes, 2 on an error before it).
//
// It is a program of its own rather than the test binary re-executed,
// because the driver's test binary links go-mysql-server (the embedded
// shards), whose ICU regex package compiles a WebAssembly module at init:
// 2 s per process start, 15–20 s under the race detector, which made the
// crash test the slowest in CI.
package main

import (
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "xacrash:", err)
		os.Exit(2)
	}
	os.Exit(4) // the stage never came
}

func run() error {
	stage := os.Getenv("SHARDSQL_XA_CRASH")
	base, err := strconv.Atoi(os.Getenv("SHARDSQL_XA_BASE"))
	if stage == "" || err != nil {
		return fmt.Errorf("SHARDSQL_XA_CRASH and SHARDSQL_XA_BASE must be set (base: %v)", err)
	}
	// The same topology as the test's xaTopology: t_xa by Mod over 2 data
	// sources × 2 tables.
	topo := shard.NewTopology()
	for i, dsn := range strings.Split(os.Getenv("SHARDSQL_XA_DSNS"), ",") {
		if err := topo.AddDataSource(fmt.Sprintf("ds%d", i), dsn); err != nil {
			return err
		}
	}
	if err := topo.AddTable(shard.Table{Name: "t_xa", Column: "user_id", Nodes: "ds${0..1}.t_xa_${0..1}", Algorithm: shard.Mod()}); err != nil {
		return err
	}
	c, err := driver.NewConnector(topo, driver.WithXA(), driver.WithXAStageHook(func(s string) {
		if s == stage {
			os.Exit(3)
		}
	}))
	if err != nil {
		return err
	}
	db := sql.OpenDB(c)
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	for i, user := range []int{0, 1, 2, 3} {
		if _, err := tx.Exec("INSERT INTO t_xa (id, user_id) VALUES (?, ?)", base+i, user); err != nil {
			return err
		}
	}
	return tx.Commit()
}
