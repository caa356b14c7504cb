package compat_test

import (
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/shardsql/shardsql/driver"
)

// gormKindV1 and gormKindV2 are two versions of a broadcast table's
// model: v2 adds a column.
type gormKindV1 struct {
	ID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	Code string `gorm:"size:16"`
}

func (gormKindV1) TableName() string { return "gb_kinds" }

type gormKindV2 struct {
	ID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	Code  string `gorm:"size:16"`
	Label string `gorm:"size:32"`
}

func (gormKindV2) TableName() string { return "gb_kinds" }

// TestGormBroadcastCopiesDiffer: a broadcast table's lookups (gorm's
// HasColumn/ColumnTypes, SHOW CREATE TABLE, DESCRIBE) are answered by the
// home data source's copy. When the copies differ — an ALTER that failed
// on one data source after succeeding on another, or one copy altered by
// hand — AutoMigrate found v2's column at home, added it nowhere and
// reported success, and every write naming the column then failed on the
// other copy (compat14). The lookups must be refused, naming the copies,
// until the copies agree; then AutoMigrate adds the column everywhere.
func TestGormBroadcastCopiesDiffer(t *testing.T) {
	e := newEnv(t, "gormbcast")
	if err := e.Topology.AddBroadcastTable("gb_kinds"); err != nil {
		t.Fatal(err)
	}
	g := openGorm(t, e.Sharded, false)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		must(g.AutoMigrate(&gormKindV1{}))
	}
	must(g.Create(&gormKindV1{ID: 1, Code: "a"}).Error)
	copies := make([]*sql.DB, len(e.ShardDSNs))
	for i, dsn := range e.ShardDSNs {
		db, err := sql.Open("mysql", dsn)
		must(err)
		defer db.Close()
		copies[i] = db
	}
	refused := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, driver.ErrUnsupported) || !strings.Contains(err.Error(), "broadcast table gb_kinds, whose copies differ") ||
			!strings.Contains(err.Error(), "label") {
			t.Fatalf("%s with copies that differ: %v", what, err)
		}
	}
	columns := func(db *sql.DB) string {
		t.Helper()
		var cols string
		must(db.QueryRow("SELECT GROUP_CONCAT(column_name ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'gb_kinds'").Scan(&cols))
		return cols
	}

	// v2's column reached the home copy only.
	_, err := copies[0].Exec("ALTER TABLE gb_kinds ADD COLUMN label varchar(32)")
	must(err)
	if err := g.AutoMigrate(&gormKindV2{}); err == nil {
		t.Fatal("AutoMigrate with broadcast copies that differ succeeded")
	}
	_, err = g.Migrator().ColumnTypes(&gormKindV2{})
	refused("ColumnTypes", err)
	var name, ddl string
	refused("SHOW CREATE TABLE", e.Sharded.QueryRow("SHOW CREATE TABLE gb_kinds").Scan(&name, &ddl))
	_, err = e.Sharded.Query("DESCRIBE gb_kinds")
	refused("DESCRIBE", err)
	if got := columns(copies[1]); got != "id,code" {
		t.Fatalf("ds1's copy after the refused AutoMigrate: %s", got)
	}

	// Made equal again (the home copy's column dropped): AutoMigrate adds
	// it to every copy, and the rows carry it.
	_, err = copies[0].Exec("ALTER TABLE gb_kinds DROP COLUMN label")
	must(err)
	for range 2 {
		must(g.AutoMigrate(&gormKindV2{}))
	}
	for i, db := range copies {
		if got := columns(db); got != "id,code,label" {
			t.Fatalf("ds%d's copy after AutoMigrate: %s", i, got)
		}
	}
	must(g.Create(&gormKindV2{ID: 2, Code: "b", Label: "bee"}).Error)
	var got []gormKindV2
	must(g.Order("id").Find(&got).Error)
	if len(got) != 2 || got[1].Label != "bee" {
		t.Fatalf("rows: %+v", got)
	}
}
