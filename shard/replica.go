package shard

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// Replica is a read replica of a data source: a server that replicates the
// data source's primary (MariaDB GTID replication, or MySQL with GTIDs),
// so that it holds the same databases and tables. The driver sends reads
// that need no session and no fresh write to replicas; see driver.WithPrimary.
type Replica struct {
	// Name identifies the replica in Explain output, logs and errors;
	// AddReplica names replicas "<data source>/r1", "<data source>/r2", ….
	Name string
	// DSN is a go-sql-driver/mysql DSN; empty when DB is set.
	DSN string
	// DB is a pool the user owns (shardsql never closes it); nil when DSN
	// is set.
	DB *sql.DB
	// Weight is the replica's share of reads under weighted balancing
	// (driver.WithBalancer(driver.Weighted)); 0 means 1.
	Weight int
}

// AddReplica registers a read replica of data source dataSource, reached
// through a go-sql-driver/mysql DSN. A data source may have several.
func (t *Topology) AddReplica(dataSource, dsn string) error {
	if strings.TrimSpace(dsn) == "" {
		return fmt.Errorf("shardsql: replica of data source %s: empty DSN; pass a go-sql-driver/mysql DSN such as \"user:pw@tcp(replica:3306)/db\"", dataSource)
	}
	return t.AddReplicaWith(dataSource, Replica{DSN: dsn})
}

// AddReplicaDB registers a read replica of data source dataSource backed by
// a pool the caller owns; shardsql never closes it.
func (t *Topology) AddReplicaDB(dataSource string, db *sql.DB) error {
	if db == nil {
		return fmt.Errorf("shardsql: replica of data source %s: nil *sql.DB; pass an open pool, or use AddReplica with a DSN", dataSource)
	}
	return t.AddReplicaWith(dataSource, Replica{DB: db})
}

// AddReplicaWith registers a read replica described in full: exactly one of
// r.DSN and r.DB set, an optional name (unique among the data source's
// replicas, [A-Za-z0-9_/-]) and weight.
func (t *Topology) AddReplicaWith(dataSource string, r Replica) error {
	if (r.DSN == "") == (r.DB == nil) {
		return fmt.Errorf("shardsql: replica of data source %s: set exactly one of DSN and DB", dataSource)
	}
	if r.Weight < 0 {
		return fmt.Errorf("shardsql: replica of data source %s: negative weight %d", dataSource, r.Weight)
	}
	if r.Weight == 0 {
		r.Weight = 1
	}
	if r.Name != "" && !validName(r.Name, "-/") {
		return fmt.Errorf("shardsql: replica name %q has characters outside [A-Za-z0-9_/-]", r.Name)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.initLocked()
	i, ok := t.byName[dataSource]
	if !ok {
		return fmt.Errorf("shardsql: replica of data source %q: the data source is not registered (%s); call AddDataSource or AddDB first", dataSource, t.registeredLocked())
	}
	ds := &t.sources[i]
	if r.Name == "" {
		r.Name = dataSource + "/r" + strconv.Itoa(len(ds.Replicas)+1)
	}
	for _, old := range ds.Replicas {
		if old.Name == r.Name {
			return fmt.Errorf("shardsql: data source %s already has a replica named %s; use a different name", dataSource, r.Name)
		}
	}
	// A new slice, so that copies of the DataSource handed out earlier
	// keep the replicas they saw.
	reps := make([]Replica, len(ds.Replicas), len(ds.Replicas)+1)
	copy(reps, ds.Replicas)
	ds.Replicas = append(reps, r)
	t.version.Add(1)
	return nil
}

// HasReplicas reports whether any data source has a replica.
func (t *Topology) HasReplicas() bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, ds := range t.sources {
		if len(ds.Replicas) > 0 {
			return true
		}
	}
	return false
}
