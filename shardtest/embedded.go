package shardtest

import (
	"errors"
	"fmt"
	"net"
	"sync"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/memory"
	"github.com/dolthub/go-mysql-server/server"
	"github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/vitess/go/mysql"
	"github.com/sirupsen/logrus"
)

// quietLogrus lowers the level of the global logrus logger once.
var quietLogrus sync.Once

// silenceEngineLogs keeps go-mysql-server from logging every connection and
// every failed query. go-mysql-server logs through the global logrus logger
// and offers no per-server logger, so the first StartEmbedded call raises the
// global logrus level to Error if it was more verbose. A program that wants
// go-mysql-server's logs back can call logrus.SetLevel after StartEmbedded.
func silenceEngineLogs() {
	quietLogrus.Do(func() {
		if logrus.GetLevel() > logrus.ErrorLevel {
			logrus.SetLevel(logrus.ErrorLevel)
		}
	})
}

// StartEmbedded starts n in-process go-mysql-server servers. Each has its own
// engine, its own in-memory storage and its own free port on 127.0.0.1, and
// holds one empty database named db. Clients log in as root with an empty
// password (see Server.DSN). Data lives only as long as the server.
//
// go-mysql-server's memory storage does not support concurrent writers, so
// each server runs statements that may write one at a time (read-only
// statements — SELECT, SHOW, DESCRIBE, EXPLAIN — still run in parallel).
// Autocommit statements from many connections are therefore safe. Explicit
// transactions are not isolated from each other: when two concurrent
// transactions change the same table, the last to commit wins and the other's
// changes are lost. Use MariaDB servers to test concurrent transactions. A
// connection that stops reading a large result set while another connection
// waits to write holds up the writer, and any reader that comes after it.
//
// StartEmbedded has no testing dependency and suits example programs; tests
// should prefer Embedded. The caller must Close every server.
//
// go-mysql-server logs through the global logrus logger; the first call
// raises the global logrus level to Error (it never lowers it).
func StartEmbedded(n int, db string) ([]*Server, error) {
	if n < 1 {
		return nil, fmt.Errorf("shardtest: StartEmbedded: n must be at least 1, got %d", n)
	}
	if db == "" {
		return nil, errors.New("shardtest: StartEmbedded: empty database name")
	}
	silenceEngineLogs()
	servers := make([]*Server, 0, n)
	for i := 0; i < n; i++ {
		s, err := startEmbedded(db)
		if err != nil {
			_ = closeAll(servers)
			return nil, fmt.Errorf("shardtest: start embedded server %d of %d: %w", i+1, n, err)
		}
		servers = append(servers, s)
	}
	return servers, nil
}

// startEmbedded starts one go-mysql-server server on a free loopback port.
func startEmbedded(db string) (*Server, error) {
	mdb := memory.NewDatabase(db)
	mdb.BaseDatabase.EnablePrimaryKeyIndexes()
	pro := memory.NewDBProvider(mdb)
	engine := sqle.NewDefault(pro)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	cfg := server.Config{
		Protocol: "tcp",
		Address:  ln.Addr().String(),
		Listener: ln,
	}
	var mu sync.RWMutex
	serialize := func(h mysql.Handler) (mysql.Handler, error) {
		return serialHandler{Handler: h, mu: &mu}, nil
	}
	srv, err := server.NewServerWithHandler(cfg, engine, sql.NewContext, memory.NewSessionBuilder(pro), nil, serialize)
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("new go-mysql-server server: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Start() // returns once the listener is closed
	}()
	stop := func() error {
		err := srv.Close()
		<-done
		engine.Close()
		if err != nil {
			return fmt.Errorf("shardtest: close embedded server %s: %w", cfg.Address, err)
		}
		return nil
	}
	return newServer(cfg.Address, db, "", stop), nil
}
