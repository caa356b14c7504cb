package seq_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"github.com/shardsql/shardsql/seq"
)

func ExampleNewSnowflake() {
	// A fixed clock keeps the output stable; real code leaves out WithClock.
	at := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	gen, err := seq.NewSnowflake(42, seq.WithClock(func() time.Time { return at }))
	if err != nil {
		log.Fatal(err)
	}
	a, err := gen.NextID()
	if err != nil {
		log.Fatal(err)
	}
	b, err := gen.NextID()
	if err != nil {
		log.Fatal(err)
	}
	when, worker, _ := seq.Decompose(b, time.Time{})
	fmt.Println(b > a, when, worker)
	// Output: true 2025-03-14 15:09:26 +0000 UTC 42
}

func ExampleDecompose() {
	// Millisecond 1000 after the default epoch, worker 7, sequence 3.
	id := int64(1000)<<22 | 7<<12 | 3
	when, worker, sequence := seq.Decompose(id, time.Time{})
	fmt.Println(when, worker, sequence)
	// Output: 2024-01-01 00:00:01 +0000 UTC 7 3
}

func ExampleLeaseWorkerID() {
	db, err := sql.Open("mysql", "app:secret@tcp(10.0.0.1:3306)/app")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	// Once, for example at deployment.
	if err := seq.CreateWorkerTable(ctx, db); err != nil {
		log.Fatal(err)
	}

	// At start-up: a worker id no other live process of "shop" holds.
	lease, err := seq.LeaseWorkerID(ctx, db, "shop")
	if err != nil {
		log.Fatal(err)
	}
	defer lease.Close()
	gen, err := seq.NewSnowflake(lease.WorkerID(), seq.WithLease(lease))
	if err != nil {
		log.Fatal(err)
	}

	id, err := gen.NextID() // fails with ErrLeaseLost if the lease is lost
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(id)
}

func ExampleNewSegment() {
	db, err := sql.Open("mysql", "app:secret@tcp(10.0.0.1:3306)/app")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	// Once, for example at deployment.
	if err := seq.CreateSequenceTable(ctx, db); err != nil {
		log.Fatal(err)
	}

	ids, err := seq.NewSegment(ctx, db, "order_id", seq.WithStep(10_000))
	if err != nil {
		log.Fatal(err)
	}
	defer ids.Close()
	id, err := ids.NextID()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(id)
}
