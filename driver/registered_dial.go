package driver

import (
	"sync"
	_ "unsafe" // go:linkname: go-sql-driver's registry of dials

	"github.com/go-sql-driver/mysql"
)

// The hazard: mysql.RegisterDialContext("tcp", …) (an SSH tunnel, a
// proxy, a dialer with its own TLS) makes go-sql-driver dial every tcp DSN
// through it. shardsql dialing the sockets of its DSN pools itself
// (dialCut, cut_conn.go) would bypass it and could reach another server —
// silently. go-sql-driver offers no way to ask whether a net has a
// registered dial, so its registry is read under its own lock (the
// version is pinned in go.mod; were the symbols renamed, the build would
// fail, not a run). A net with a registered dial keeps go-sql-driver's
// dial — and its watcher for cancellation.

//go:linkname mysqlDialsLock github.com/go-sql-driver/mysql.dialsLock
var mysqlDialsLock sync.RWMutex

//go:linkname mysqlDials github.com/go-sql-driver/mysql.dials
var mysqlDials map[string]mysql.DialContextFunc

// registeredDial reports whether a dial is registered for network with
// mysql.RegisterDialContext.
func registeredDial(network string) bool {
	_, ok := registeredDialFunc(network)
	return ok
}

// registeredDialFunc returns the dial registered for network with
// mysql.RegisterDialContext, if any.
func registeredDialFunc(network string) (mysql.DialContextFunc, bool) {
	mysqlDialsLock.RLock()
	defer mysqlDialsLock.RUnlock()
	dial, ok := mysqlDials[network]
	return dial, ok
}
