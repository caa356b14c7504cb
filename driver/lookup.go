package driver

import (
	"context"
	"database/sql"
	"errors"
)

// connectorProbe is the context key of a Ping that asks the shardsql Conn
// behind a *sql.DB for its Connector instead of pinging; its value is a
// **Connector to fill.
type connectorProbe struct{}

// connectorOf finds the shardsql Connector behind db, also when db was
// opened from a wrapping connector (otelsql, sqlcommenter, …), whose
// driver.Conn is the wrapper's and not a *Conn.
//
// The choice: database/sql does not hand out a *sql.DB's connector, and
// asserting the driver.Conn's type fails on every wrapper. A registry
// (*sql.DB or driver → Connector) would be package-level mutable state and
// still miss a DB opened from a wrapped connector. Instead the question
// travels the way statements do: a Ping whose context carries a slot,
// which every wrapper forwards to the Conn below it with the context's
// values (wrappers derive their contexts from the caller's), and which
// the shardsql Conn answers by filling the slot without pinging. No state
// is kept anywhere; the plain case is a type assertion on the Conn.
func connectorOf(ctx context.Context, db *sql.DB) (*Connector, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var found *Connector
	_ = conn.Raw(func(dc any) error {
		if c, ok := dc.(*Conn); ok {
			found = c.c
		}
		return nil
	})
	if found != nil {
		return found, nil
	}
	if err := conn.PingContext(context.WithValue(ctx, connectorProbe{}, &found)); err != nil {
		return nil, err
	}
	if found == nil {
		return nil, errors.New("shardsql: needs a *sql.DB opened with the shardsql driver or from its Connector (a wrapping driver must forward Ping with its context)")
	}
	return found, nil
}

// probed answers a connectorProbe Ping: it reports whether ctx carries one,
// after filling it with c's Connector.
func (c *Conn) probed(ctx context.Context) bool {
	slot, ok := ctx.Value(connectorProbe{}).(**Connector)
	if ok && slot != nil {
		*slot = c.c
	}
	return ok
}
