package compat_test

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"
)

// gormColOrder is sharded by UserID with ids shardsql generates;
// gormColCountry is a broadcast table. The V2 and Str types are later
// versions of the program's model of the same table.
type gormColOrder struct {
	ID     uint64 `gorm:"primaryKey"`
	UserID uint64 `gorm:"index"`
	Status string `gorm:"size:16"`
}

func (gormColOrder) TableName() string { return "gc_orders" }

// gormColOrderV2 makes the sharding column NOT NULL and widens Status:
// AutoMigrate MODIFYs both, which keeps every row's node.
type gormColOrderV2 struct {
	ID     uint64 `gorm:"primaryKey"`
	UserID uint64 `gorm:"not null;index"`
	Status string `gorm:"size:32"`
}

func (gormColOrderV2) TableName() string { return "gc_orders" }

// gormColOrderStr turns the sharding column into text: shardsql would
// convert its values otherwise than the rows were placed by.
type gormColOrderStr struct {
	ID     uint64 `gorm:"primaryKey"`
	UserID string `gorm:"size:20;not null;index"`
	Status string `gorm:"size:32"`
}

func (gormColOrderStr) TableName() string { return "gc_orders" }

type gormColCountry struct {
	ID   uint64 `gorm:"primaryKey"`
	Code string `gorm:"size:8"`
}

func (gormColCountry) TableName() string { return "gc_countries" }

// TestGormShardingColumnDDL runs gorm migrations that change the columns
// the topology names, on one database and through shardsql. Changes that
// keep every row's node (NOT NULL on the sharding column, a wider other
// column, renaming another column) run on every node table, as on one
// database. Renaming or dropping the sharding or key column, turning the
// sharding column into text, and renaming a broadcast table run on one
// database but must be refused through shardsql before any node runs them
// (compat14: they ran on every node, after which no statement could name
// a row's node, or the broadcast copies were renamed away from the
// topology's name). After the refusals every row is still found by its
// sharding value.
func TestGormShardingColumnDDL(t *testing.T) {
	e := newEnv(t, "gormcols", table{"gc_orders", "user_id", "id"})
	if err := e.Topology.AddBroadcastTable("gc_countries"); err != nil {
		t.Fatal(err)
	}
	var transcripts [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		g := openGorm(t, db, false)
		m := g.Migrator()
		var out []string
		log := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
		defer func() { transcripts[boolIndex(sharded)] = out }()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		// refused runs a migration step that one database runs: through
		// shardsql it must be refused, naming the construct.
		refused := func(what string, err error, want string) {
			t.Helper()
			if !sharded {
				must(err)
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), "shardsql: unsupported: ") || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: got %v, want a refusal naming %q", what, err, want)
			}
		}
		for range 2 {
			must(g.AutoMigrate(&gormColOrder{}, &gormColCountry{}))
		}
		for u := range 6 {
			must(g.Create(&gormColOrder{UserID: uint64(u + 1), Status: fmt.Sprint("s", u)}).Error)
		}
		must(g.Create(&gormColCountry{Code: "fr"}).Error)
		for range 3 {
			must(g.AutoMigrate(&gormColOrderV2{}))
		}
		// A change of the sharding column that keeps its values' type
		// class runs on every node (gorm's AlterColumn sends the same).
		must(g.Exec("ALTER TABLE gc_orders MODIFY COLUMN user_id bigint unsigned NOT NULL").Error)
		log("v2 %s", showCreate(t, db, "gc_orders"))
		must(m.RenameColumn(&gormColOrderV2{}, "status", "state"))
		must(m.RenameColumn(&gormColOrderV2{}, "state", "status"))

		// Steps that would strand the rows: refused through shardsql.
		refused("rename sharding column", m.RenameColumn(&gormColOrderV2{}, "user_id", "buyer_id"), "renames user_id, the sharding column")
		if !sharded {
			must(g.Exec("ALTER TABLE gc_orders RENAME COLUMN buyer_id TO user_id").Error)
		} else {
			refused("drop sharding column", m.DropColumn(&gormColOrderV2{}, "UserID"), "drops user_id, the sharding column")
			refused("rename key column", m.RenameColumn(&gormColOrderV2{}, "id", "order_id"), "renames id, the key column")
		}
		var n int64
		for u := range 6 {
			must(g.Model(&gormColOrderV2{}).Where("user_id = ?", u+1).Count(&n).Error)
			log("user %d orders %d", u+1, n)
		}
		log("after refusals %s", showCreate(t, db, "gc_orders"))

		refused("broadcast rename", m.RenameTable(&gormColCountry{}, "gc_nations"), "renaming broadcast table gc_countries")
		if !sharded {
			must(m.RenameTable("gc_nations", &gormColCountry{}))
		}
		var codes []string
		must(g.Model(&gormColCountry{}).Pluck("code", &codes).Error)
		log("countries %v", codes)

		// The sharding column turned into text: refused, the table as it was.
		refused("sharding column to text", g.AutoMigrate(&gormColOrderStr{}), "changes the type (bigint(20) unsigned to varchar) of user_id")
		if sharded {
			log("after text %s", showCreate(t, db, "gc_orders"))
		} else {
			log("after text %s", strings.Replace(showCreate(t, db, "gc_orders"), "`user_id` varchar(20) NOT NULL", "`user_id` bigint(20) unsigned NOT NULL", 1))
		}
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("gorm observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
	_ = gorm.ErrRecordNotFound
}
