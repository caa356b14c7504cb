package driver

import (
	"fmt"
	"time"
)

// Balancer picks which replica of a data source serves a read.
type Balancer int

const (
	// RoundRobin takes a data source's healthy replicas in turn (the
	// default).
	RoundRobin Balancer = iota
	// Weighted gives each healthy replica a share of reads proportional to
	// its shard.Replica.Weight (smooth weighted round robin).
	Weighted
)

// Defaults of the replica options.
const (
	// DefaultReplicaProbeInterval is how often replicas are checked: lag,
	// applied position, and whether an ejected replica answers again.
	DefaultReplicaProbeInterval = 500 * time.Millisecond
)

// replicaOptions are the options of read/write splitting.
type replicaOptions struct {
	balancer   Balancer
	maxLag     time.Duration // 0: no lag bound
	wait       time.Duration // 0: no MASTER_GTID_WAIT, only a fresh look at the position
	probeEvery time.Duration
	noRYW      bool // read-your-writes off: replicas serve reads whatever their position
}

// WithBalancer chooses how reads are spread over a data source's replicas
// (default RoundRobin).
func WithBalancer(b Balancer) Option {
	return func(o *options) error {
		if b != RoundRobin && b != Weighted {
			return fmt.Errorf("shardsql: WithBalancer(%d): use RoundRobin or Weighted", int(b))
		}
		o.replica.balancer = b
		return nil
	}
}

// WithMaxReplicaLag keeps reads off replicas that are more than d behind
// their primary by the servers' own measure (Seconds_Behind_Master, read
// every probe interval), and off replicas whose replication is stopped
// (default 0: no bound; read-your-writes does not need one).
func WithMaxReplicaLag(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("shardsql: WithMaxReplicaLag(%v): must not be negative", d)
		}
		o.replica.maxLag = d
		return nil
	}
}

// WithReplicaWait lets a read that must see a write wait up to d for a
// replica to apply it (MASTER_GTID_WAIT) before it goes to the primary
// instead (default 0: the replica's position is read once, and the primary
// answers when it is behind). A wait costs the read up to d; going to the
// primary costs the primary a read.
func WithReplicaWait(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("shardsql: WithReplicaWait(%v): must not be negative", d)
		}
		o.replica.wait = d
		return nil
	}
}

// WithReplicaProbeInterval sets how often replicas are checked in the
// background (default DefaultReplicaProbeInterval): their lag, applied
// position, and whether an ejected replica answers again.
func WithReplicaProbeInterval(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("shardsql: WithReplicaProbeInterval(%v): must be positive", d)
		}
		o.replica.probeEvery = d
		return nil
	}
}

// WithoutReadYourWrites lets replicas serve reads whatever their position:
// a read right after a write may then miss it. Tokens (ReadAfter) and
// WithPrimary still apply. Use it for servers without MariaDB GTIDs.
func WithoutReadYourWrites() Option {
	return func(o *options) error {
		o.replica.noRYW = true
		return nil
	}
}
