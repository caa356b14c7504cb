package driver

import (
	"context"
	"fmt"
	"sort"
)

// checkSource ejects, at each probe, a replica whose applied position is
// beyond its primary's binary log in a replication domain they share: it
// has applied transactions its primary never wrote, so it replicates
// another server (or its primary lost transactions, restored from an
// older backup), and its rows are not the primary's.
//
// The hazard (review19b): a replica pointed at the wrong primary — the
// replica of another data source, of a staging server — looked healthy.
// Read-your-writes compares sequence numbers per domain, and every
// server's default domain is 0: the other primary's larger numbers
// covered every position this data source's writes needed, so reads of
// the data source, those right after its writes included, returned the
// other server's rows. Positions are read replica first, primary after:
// a true replica is never ahead of the later primary position.
//
// Left: a wrong primary that is behind this one in the shared domains
// (or uses other domains) is not caught; read-your-writes then sends the
// reads that need a write to the primary, and the others still read the
// replica (docs/replicas.md, Limits). A replica re-pointed while the
// connector runs serves reads until the next probe. A primary that
// cannot be read now, or has no connection to spare, checks nothing (its
// own failure is not the replica's); an ejected replica is checked again
// at every probe. A primary promoted without log_slave_updates has in its
// binary log only what it wrote itself: until its first write its
// replicas are beyond it and ejected (the primary answers their reads).
//
// The primary is read only when the replica has applied more than the
// primary is known to have reached (w.seenCovers: the positions of the
// connector's writes, and of earlier checks), so a probe of replicas of a
// primary written only through this connector sends the primary nothing.
func (c *Connector) checkSource(ctx context.Context, r *replica, w *writes, applied gtidPos) error {
	if len(applied) == 0 || w == nil || w.seenCovers(applied) {
		return nil
	}
	db, err := c.db(r.ds)
	if err != nil {
		return nil
	}
	if g := c.gateFor(r.ds, db); g != nil {
		// A connection the primary's pool can spare now, as after a write
		// (Conn.primaryPos), or no check this time: waiting for one, the
		// probe of a saturated primary ran out its interval, and the
		// replica's session check and lag read after it failed with it.
		if !g.take(1) {
			return nil
		}
		defer g.release(1)
	}
	primary, err := readPrimaryPos(ctx, db)
	if err != nil {
		return nil
	}
	w.saw(primary)
	for _, g := range applied {
		i := sort.Search(len(primary), func(i int) bool { return primary[i].domain >= g.domain })
		if i < len(primary) && primary[i].domain == g.domain && primary[i].seq < g.seq {
			return fmt.Errorf("shardsql: replica: it has applied %d-%d-%d, beyond its primary's binary log (%s) in domain %d: it replicates another server, or the primary lost transactions; it serves no reads while so",
				g.domain, g.server, g.seq, primary.String(), g.domain)
		}
	}
	return nil
}
