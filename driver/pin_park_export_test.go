package driver

import (
	"context"
	"database/sql"
	"time"
)

// ParkState reports, for the shardsql connector behind db, how many
// connections of data source ds are parked (pin_park.go) and how many
// parked connections failed their liveness check so far.
func ParkState(ctx context.Context, db *sql.DB, ds string) (parked int, discards int64, err error) {
	err = withConnector(ctx, db, func(c *Connector) error {
		if v, ok := c.parks.Load(ds); ok {
			parked = int(v.(*parkList).n.Load())
		}
		discards = c.parkDiscards.Load()
		return nil
	})
	return parked, discards, err
}

// ParkCounter returns a function reporting how many connections of a data
// source are parked on the connector behind db, usable after db is closed.
func ParkCounter(ctx context.Context, db *sql.DB) (func(ds string) int, error) {
	c, err := connectorOf(ctx, db)
	if err != nil {
		return nil, err
	}
	return func(ds string) int {
		if v, ok := c.parks.Load(ds); ok {
			return int(v.(*parkList).n.Load())
		}
		return 0
	}, nil
}

// SetParkTick sets the period of the parking timers of the connector behind
// db, for its lists now and later (pin_park.go: parkTick otherwise).
func SetParkTick(ctx context.Context, db *sql.DB, d time.Duration) error {
	return withConnector(ctx, db, func(c *Connector) error {
		c.parkTickFor.Store(int64(d))
		c.parks.Range(func(_, v any) bool {
			l := v.(*parkList)
			l.mu.Lock()
			l.period = d
			l.mu.Unlock()
			return true
		})
		return nil
	})
}

// StaleReads reports how many reads of the connector behind db found a
// parked connection dead by their own failure and ran again (stale_read.go).
func StaleReads(ctx context.Context, db *sql.DB) (n int64, err error) {
	err = withConnector(ctx, db, func(c *Connector) error {
		n = c.staleReads.Load()
		return nil
	})
	return n, err
}
