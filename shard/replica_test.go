package shard

import (
	"database/sql"
	"strings"
	"testing"
)

func TestAddReplica(t *testing.T) {
	topo := NewTopology()
	if err := topo.AddReplica("ds0", "root@tcp(r:3306)/db"); err == nil || !strings.Contains(err.Error(), "not registered") {
		t.Fatalf("replica of an unknown data source: %v", err)
	}
	if err := topo.AddDataSource("ds0", "root@tcp(p:3306)/db"); err != nil {
		t.Fatal(err)
	}
	if topo.HasReplicas() {
		t.Fatal("HasReplicas before any replica")
	}
	before, _ := topo.DataSource("ds0")
	v := topo.Version()
	if err := topo.AddReplica("ds0", "root@tcp(r1:3306)/db"); err != nil {
		t.Fatal(err)
	}
	if topo.Version() == v {
		t.Fatal("AddReplica did not change the version")
	}
	if err := topo.AddReplicaWith("ds0", Replica{Name: "east", DSN: "root@tcp(r2:3306)/db", Weight: 3}); err != nil {
		t.Fatal(err)
	}
	if err := topo.AddReplicaDB("ds0", &sql.DB{}); err != nil {
		t.Fatal(err)
	}
	ds, _ := topo.DataSource("ds0")
	if len(before.Replicas) != 0 {
		t.Fatal("an earlier copy of the data source changed")
	}
	var names []string
	for _, r := range ds.Replicas {
		names = append(names, r.Name)
	}
	if got := strings.Join(names, ","); got != "ds0/r1,east,ds0/r3" {
		t.Fatalf("names %s", got)
	}
	if ds.Replicas[0].Weight != 1 || ds.Replicas[1].Weight != 3 {
		t.Fatalf("weights %+v", ds.Replicas)
	}
	if !topo.HasReplicas() {
		t.Fatal("HasReplicas")
	}
	for _, bad := range []struct {
		r    Replica
		want string
	}{
		{Replica{}, "exactly one"},
		{Replica{DSN: "x", DB: &sql.DB{}}, "exactly one"},
		{Replica{DSN: "x", Weight: -1}, "negative weight"},
		{Replica{DSN: "x", Name: "east"}, "already has a replica named east"},
		{Replica{DSN: "x", Name: "a b"}, "characters outside"},
	} {
		if err := topo.AddReplicaWith("ds0", bad.r); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%+v: got %v, want %q", bad.r, err, bad.want)
		}
	}
	if err := topo.AddReplica("ds0", " "); err == nil {
		t.Error("empty DSN accepted")
	}
	if err := topo.AddReplicaDB("ds0", nil); err == nil {
		t.Error("nil DB accepted")
	}
}
