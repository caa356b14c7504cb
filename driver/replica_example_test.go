package driver_test

import (
	"database/sql"
	"net/http"
	"time"

	"github.com/shardsql/shardsql/driver"
	"github.com/shardsql/shardsql/shard"
)

// A data source with two replicas: plain reads go to them, writes to the
// primary, and a read right after a write sees it.
func ExampleWithMaxReplicaLag() {
	topo := shard.NewTopology()
	_ = topo.AddDataSource("ds0", "app:pw@tcp(db0:3306)/app")
	_ = topo.AddReplica("ds0", "app:pw@tcp(db0-r1:3306)/app")
	_ = topo.AddReplicaWith("ds0", shard.Replica{Name: "big", DSN: "app:pw@tcp(db0-r2:3306)/app", Weight: 2})
	c, err := driver.NewConnector(topo, driver.WithBalancer(driver.Weighted), driver.WithMaxReplicaLag(10*time.Second))
	if err != nil {
		panic(err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	// db.Exec(…) runs on the primary; a db.Query(…) right after it reads a
	// replica only if that replica has applied the write.
}

// A write in one HTTP request and the read in the next, on any instance:
// the token carries the write's replication position.
func ExampleWriteToken() {
	var db *sql.DB // opened with the shardsql driver
	publish := func(w http.ResponseWriter, r *http.Request) {
		if _, err := db.ExecContext(r.Context(), "INSERT INTO t_post (id, author_id, title) VALUES (?, ?, ?)", 1, 7, "hello"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		token, err := driver.WriteToken(r.Context(), db)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "read_after", Value: token})
	}
	show := func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if c, err := r.Cookie("read_after"); err == nil {
			if ctx, err = driver.ReadAfter(ctx, c.Value); err != nil {
				ctx = driver.WithPrimary(r.Context()) // a damaged token: read the primary
			}
		}
		_ = db.QueryRowContext(ctx, "SELECT title FROM t_post WHERE author_id = ?", 7)
	}
	_, _ = publish, show
}
