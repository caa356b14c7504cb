package driver

import (
	"context"
	"database/sql"
)

// takeMemo is what take looked up for the data source the Conn last took a
// connection of (issue 16, round 14): its pool, the pool's autocommit
// check, gate and parking list. A point statement's take made five map
// lookups for them (the topology's data source under its read lock, the
// opened pools, and three sync.Maps, the autocommit one twice) on every
// statement, since a Conn's pins are released when database/sql takes it
// back.
//
// The hazards, and how each is kept:
//   - A data source replaced (AddDB, AddDataSource): the topology's
//     version changes, and the memo is used only under the version it was
//     made under. A DSN pool opened since: the pools' map (Connector.opened)
//     is replaced whole, and the memo only holds for the map it was made
//     with; a closed Connector stores nil there, which never holds.
//   - The autocommit check of the pool (pool_autocommit.go) can fail later:
//     its answer is read again each time, as checkPoolAutocommit's hot path
//     reads it, and a pool without one read yet takes the full path.
//   - A pool without a gate (unlimited: gateFor answers nil and keeps
//     nothing) may get a limit later: it is never memoized.
//   - Gates, parking lists and autocommit checks are kept per data source
//     name for the Connector's life (never replaced), so the pointers stay
//     the ones the lookups return.
type takeMemo struct {
	ds       string
	version  uint64
	opened   *map[string]*sql.DB
	fromTopo bool // the pool is the topology's (AddDB), not an opened one
	db       *sql.DB
	ac       *autocommitCheck
	gate     *gate
	park     *parkList
}

// takeTargets returns data source ds's pool, gate and parking list, and
// refuses a pool whose autocommit is off, as take's lookups do.
func (c *Conn) takeTargets(ctx context.Context, ds string) (*sql.DB, *gate, *parkList, error) {
	m := &c.takeMemo
	if m.db != nil && m.ds == ds && m.version == c.c.topo.Version() {
		if m.fromTopo || (m.opened != nil && m.opened == c.c.opened.Load()) {
			if r := m.ac.read.Load(); r != nil && r.db == m.db {
				if r.err != nil {
					return nil, nil, nil, r.err
				}
				return m.db, m.gate, m.park, nil
			}
		}
	}
	*m = takeMemo{}
	version := c.c.topo.Version() // before the lookups: a change after them is seen next time
	db, err := c.c.db(ds)
	if err != nil {
		return nil, nil, nil, err
	}
	// Read after the lookups: the map that holds the pool db opened.
	opened := c.c.opened.Load()
	if err := c.c.checkPoolAutocommit(ctx, ds, db); err != nil { // pool_autocommit.go
		return nil, nil, nil, err
	}
	g := c.c.gateFor(ds, db)
	park := c.c.parkOf(ds)
	if g == nil {
		return db, g, park, nil
	}
	v, ok := c.c.autocommits.Load(ds)
	if !ok {
		return db, g, park, nil
	}
	src, known := c.c.topo.DataSource(ds)
	*m = takeMemo{ds: ds, version: version, opened: opened, fromTopo: known && src.DB != nil && src.DB == db,
		db: db, ac: v.(*autocommitCheck), gate: g, park: park}
	return db, g, park, nil
}
