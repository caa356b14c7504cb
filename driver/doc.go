// Package driver is shardsql's database/sql driver: it routes each
// statement with package route, runs the resulting units on per-data-source
// go-sql-driver/mysql pools in parallel, and merges their results with
// package merge.
//
// Open a *sql.DB over a topology with sql.OpenDB(connector), or register
// the topology under a name and use sql.Open("shardsql", name).
//
// # Sessions
//
// A *sql.Conn or *sql.Tx of shardsql keeps one server connection per data
// source it reaches until it is closed or ends, so statements that reach one
// data source see one session, as with go-sql-driver: user variables set
// with SET (sent to every data source), SET SESSION, LAST_INSERT_ID(),
// SQL_CALC_FOUND_ROWS with FOUND_ROWS(), ROW_COUNT(), CONNECTION_ID(),
// GET_LOCK and RELEASE_LOCK, temporary tables. A statement naming no table
// that reads FOUND_ROWS(), ROW_COUNT() or LAST_INSERT_ID() goes to the data
// source where the statement it reads about ran. Statements that reach
// several nodes and depend on the session are refused (each node's
// session would answer for its own part). A session that set variables,
// created temporary tables or took locks closes its server connections
// when it ends, rather than passing that state to the pool's next user.
//
// # Pools
//
// Each data source opened from a DSN has its own go-sql-driver pool, sized
// by WithMaxOpenConns, WithMaxIdleConns, WithConnMaxLifetime and
// WithConnMaxIdleTime (finite defaults: DefaultMaxOpenConns,
// DefaultMaxIdleConns). The *sql.DB's own SetMaxOpenConns and the like
// bound shardsql's logical connections, not server ones.
package driver
