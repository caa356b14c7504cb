package driver

import (
	"context"
	"database/sql"
	"time"
)

type primaryKey struct{}

// WithPrimary returns a context under which every statement runs on the
// primaries, never on a replica: for reads that must see writes made
// elsewhere than through this *sql.DB (another process without a token,
// a direct connection to the server).
func WithPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

type tokenKey struct{}

// ReadAfter returns a context under which reads see every write that token
// covers: a replica serves them only once it has applied those writes,
// otherwise the primary does. token comes from WriteToken, usually in
// another process (the request after a write, on another instance).
// Positions of data sources this topology does not have are ignored.
func ReadAfter(ctx context.Context, token string) (context.Context, error) {
	pos, err := decodeToken(token)
	if err != nil {
		return ctx, err
	}
	if prev, ok := ctx.Value(tokenKey{}).(map[string]gtidPos); ok {
		for ds, p := range prev {
			pos[ds] = pos[ds].merge(p)
		}
	}
	return context.WithValue(ctx, tokenKey{}, pos), nil
}

// WriteToken returns an opaque token covering every write made through db
// that has returned: per data source with replicas, the primary's
// replication position. Pass it to ReadAfter (in this process or another
// with the same data source names) to read those writes from any replica
// that has applied them. It is empty of positions when no data source has
// replicas or nothing was written.
func WriteToken(ctx context.Context, db *sql.DB) (string, error) {
	var token string
	err := withConnector(ctx, db, func(c *Connector) error {
		rs := c.replicas()
		pos := make(map[string]gtidPos, len(rs.byDS))
		for ds, d := range rs.byDS {
			need, _, unknown := d.needOf(nil, true)
			if unknown || c.opts.replica.noRYW {
				// A write's position was not read (or is not recorded
				// without read-your-writes): the primary's now covers it.
				pdb, err := c.db(ds)
				if err != nil {
					return err
				}
				done := c.unparked(ds) // not through the gate (pin_park.go)
				p, err := readPrimaryPos(ctx, pdb)
				done()
				if err != nil {
					return err
				}
				need = need.merge(p)
			}
			pos[ds] = need
		}
		token = encodeToken(pos)
		return nil
	})
	return token, err
}

// ReadServer says which server answered a statement's reads on one data
// source.
type ReadServer struct {
	// DataSource is the data source the statement read.
	DataSource string
	// Server is the replica's name, or the data source's name for its
	// primary.
	Server string
	// Replica is true when a replica answered.
	Replica bool
	// Why the primary answered a read that could have gone to a replica
	// (empty otherwise).
	Reason string
	// Failed names the replica a read was sent to first and that failed
	// it (by connection or with an error), when it was retried: Server is
	// then the server its retry went to (for a read of several tables of
	// the data source, the last retry's).
	Failed string
}

type traceKey struct{}

// WithReadTrace returns a context under which each statement on a
// topology with replicas stores in *dst which server answered for each
// data source it read, replacing what was there. Use it for one statement
// at a time: statements running concurrently under it would write *dst
// concurrently; *dst is complete once the statement's rows are closed.
func WithReadTrace(ctx context.Context, dst *[]ReadServer) context.Context {
	return context.WithValue(ctx, traceKey{}, dst)
}

// ReplicaStatus is what a connector knows of one replica.
type ReplicaStatus struct {
	DataSource, Name string
	// Ejected: the replica failed a read or a probe and serves no reads
	// until a probe succeeds; Err says why.
	Ejected bool
	Err     error
	// Lagging: beyond WithMaxReplicaLag, replication stopped, or (under
	// a lag bound) the lag is not known: no probe has read it yet, or the
	// last probe found every connection of the replica busy.
	Lagging bool
	// SessionUnchecked: the replica's session is not yet compared with
	// its primary's (a pool the caller opened, or a replica DSN setting a
	// server setting its primary leaves to the server): it takes no reads
	// until a probe has compared them.
	SessionUnchecked bool
	// Lag is the last Seconds_Behind_Master read (with WithMaxReplicaLag),
	// -1 when unknown or replication is stopped.
	Lag time.Duration
	// Position is the replica's applied GTID position, last read.
	Position string
	// Reads counts the reads the replica served.
	Reads int64
	// Pool is the replica's pool statistics (shardsql's pool for a
	// replica given by DSN, the caller's for one given with
	// AddReplicaDB; zero for a DSN that did not parse).
	Pool sql.DBStats
}

// Replicas reports the replicas of the topology behind db, by data source
// in registration order.
func Replicas(ctx context.Context, db *sql.DB) ([]ReplicaStatus, error) {
	var out []ReplicaStatus
	err := withConnector(ctx, db, func(c *Connector) error {
		rs := c.replicas()
		for _, ds := range c.topo.DataSources() {
			d := rs.byDS[ds.Name]
			if d == nil {
				continue
			}
			for _, r := range d.reps {
				pos, _ := r.applied()
				r.mu.Lock()
				rerr := r.err
				r.mu.Unlock()
				lag := time.Duration(r.lag.Load())
				if lag < 0 {
					lag = -1
				}
				st := ReplicaStatus{DataSource: r.ds, Name: r.name, Ejected: r.ejected.Load(), Lagging: r.lagged.Load(),
					SessionUnchecked: r.unchecked.Load() && !r.sessionBad.Load(), Lag: lag, Position: pos.String(), Reads: r.reads.Load()}
				if st.Ejected {
					st.Err = rerr
				}
				if r.db != nil {
					st.Pool = r.db.Stats()
				}
				out = append(out, st)
			}
		}
		return nil
	})
	return out, err
}
