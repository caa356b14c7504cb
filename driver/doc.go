// Package driver is shardsql's database/sql driver: it routes each
// statement with package route, runs the resulting units on per-data-source
// go-sql-driver/mysql pools in parallel, and merges their results with
// package merge.
//
// Open a *sql.DB over a topology with sql.OpenDB(connector), or register
// the topology under a name and use sql.Open("shardsql", name).
package driver
