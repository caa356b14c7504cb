package compat_test

import (
	"database/sql"
	"fmt"
	"sync"
	"testing"

	"gorm.io/gorm"
)

// gormTag is a broadcast table whose ids the servers' AUTO_INCREMENT
// generates (gorm's default for a uint64 primary key).
type gormBTag struct {
	ID   uint64 `gorm:"primaryKey"`
	Name string `gorm:"size:32;uniqueIndex"`
}

func (gormBTag) TableName() string { return "gbi_tags" }

// TestGormBroadcastConcurrentIDs: gorm programs creating rows of a
// broadcast table at once from several goroutines (Create, CreateInBatches,
// Create in a Transaction; with and without MariaDB's RETURNING), on one
// database and through shardsql. Every id
// gorm put in a struct must name that struct's row — and through shardsql
// on every data source's copy, and the copies must be equal. Before
// compat14 each copy's server generated its own ids: sessions reached the
// copies in different orders and the same id named different rows on ds0
// and ds1.
func TestGormBroadcastConcurrentIDs(t *testing.T) {
	e := newEnv(t, "gormbids")
	if err := e.Topology.AddBroadcastTable("gbi_tags"); err != nil {
		t.Fatal(err)
	}
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		g := openGorm(t, db, false)
		gr := openGorm(t, db, true) // MariaDB's INSERT … RETURNING
		if err := g.AutoMigrate(&gormBTag{}); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		made := map[string]uint64{} // name → the id gorm gave its struct
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for w := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				keep := func(tags ...gormBTag) {
					mu.Lock()
					defer mu.Unlock()
					for _, tg := range tags {
						made[tg.Name] = tg.ID
					}
				}
				for i := range 3 {
					one := gormBTag{Name: fmt.Sprintf("w%d-one%d", w, i)}
					if err := g.Create(&one).Error; err != nil {
						errs <- err
						return
					}
					batch := []gormBTag{{Name: fmt.Sprintf("w%d-b%d-0", w, i)}, {Name: fmt.Sprintf("w%d-b%d-1", w, i)}, {Name: fmt.Sprintf("w%d-b%d-2", w, i)}}
					if err := g.CreateInBatches(&batch, 3).Error; err != nil {
						errs <- err
						return
					}
					in := gormBTag{Name: fmt.Sprintf("w%d-tx%d", w, i)}
					if err := g.Transaction(func(tx *gorm.DB) error { return tx.Create(&in).Error }); err != nil {
						errs <- err
						return
					}
					ret := []gormBTag{{Name: fmt.Sprintf("w%d-r%d-0", w, i)}, {Name: fmt.Sprintf("w%d-r%d-1", w, i)}}
					if err := gr.Create(&ret).Error; err != nil {
						errs <- err
						return
					}
					rin := gormBTag{Name: fmt.Sprintf("w%d-rtx%d", w, i)}
					if err := gr.Transaction(func(tx *gorm.DB) error { return tx.Create(&rin).Error }); err != nil {
						errs <- err
						return
					}
					keep(append(batch, one, in, ret[0], ret[1], rin)...)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		copies := []*sql.DB{db}
		if sharded {
			copies = nil
			for _, dsn := range e.ShardDSNs {
				c, err := sql.Open("mysql", dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				copies = append(copies, c)
			}
		}
		for i, c := range copies {
			rows, err := c.Query("SELECT id, name FROM gbi_tags")
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var id uint64
				var name string
				if err := rows.Scan(&id, &name); err != nil {
					t.Fatal(err)
				}
				n++
				if made[name] != id {
					t.Errorf("copy %d: row %s has id %d, gorm gave its struct %d", i, name, id, made[name])
				}
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
			if n != len(made) {
				t.Errorf("copy %d: %d rows, want %d", i, n, len(made))
			}
		}
	})
}
