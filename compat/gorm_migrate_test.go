package compat_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/shardsql/shardsql/driver"
)

// The same table, g_evo, as three versions of a program declare it: v2
// adds a column, an index and a table; v3 widens a column.
type gormEvoV1 struct {
	ID   uint64 `gorm:"primaryKey"`
	Name string `gorm:"size:32"`
}

func (gormEvoV1) TableName() string { return "g_evo" }

type gormEvoV2 struct {
	ID    uint64 `gorm:"primaryKey"`
	Name  string `gorm:"size:32"`
	Email string `gorm:"size:64;index"`
	Score int
}

func (gormEvoV2) TableName() string { return "g_evo" }

type gormEvoV3 struct {
	ID    uint64 `gorm:"primaryKey"`
	Name  string `gorm:"size:64"`
	Email string `gorm:"size:64;index"`
	Score int
}

func (gormEvoV3) TableName() string { return "g_evo" }

type gormEvoNote struct {
	ID    uint64 `gorm:"primaryKey"`
	EvoID uint64 `gorm:"index"`
	Text  string `gorm:"size:64"`
}

func (gormEvoNote) TableName() string { return "g_evo_notes" }

var autoIncrementOption = regexp.MustCompile(` AUTO_INCREMENT=[0-9]+`)

// showCreate is SHOW CREATE TABLE name without its AUTO_INCREMENT counter.
func showCreate(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var tn, ddl string
	if err := db.QueryRow("SHOW CREATE TABLE "+name).Scan(&tn, &ddl); err != nil {
		t.Fatal(err)
	}
	return tn + ": " + autoIncrementOption.ReplaceAllString(ddl, "")
}

// TestGormMigrateEvolve runs each version of a gorm program's AutoMigrate
// three times (every start of the program migrates), adding a column, an
// index and a table, then widening a column, and gorm's Migrator calls,
// on one database and through shardsql: the tables must end the same, and
// every node table the same (SHOW CREATE TABLE through shardsql refuses
// nodes that differ).
func TestGormMigrateEvolve(t *testing.T) {
	e := newEnv(t, "gormevo", table{"g_evo", "id", "id"}, table{"g_evo_notes", "evo_id", "id"})
	var transcripts [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		g := openGorm(t, db, false)
		var out []string
		log := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
		defer func() { transcripts[boolIndex(sharded)] = out }()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		for run := range 3 {
			must(g.AutoMigrate(&gormEvoV1{}))
			must(g.Create(&gormEvoV1{Name: fmt.Sprint("v1-", run)}).Error)
		}
		log("v1 %s", showCreate(t, db, "g_evo"))
		for run := range 3 {
			must(g.AutoMigrate(&gormEvoV2{}, &gormEvoNote{}))
			r := gormEvoV2{Name: fmt.Sprint("v2-", run), Email: fmt.Sprintf("v2-%d@x", run), Score: run}
			must(g.Create(&r).Error)
			must(g.Create(&gormEvoNote{EvoID: r.ID, Text: "note"}).Error)
		}
		log("v2 %s", showCreate(t, db, "g_evo"))
		log("v2 %s", showCreate(t, db, "g_evo_notes"))
		for range 3 {
			must(g.AutoMigrate(&gormEvoV3{}, &gormEvoNote{}))
		}
		must(g.Create(&gormEvoV3{Name: strings.Repeat("n", 60)}).Error)
		log("v3 %s", showCreate(t, db, "g_evo"))

		m := g.Migrator()
		log("has g_evo %v, notes %v, missing %v", m.HasTable(&gormEvoV3{}), m.HasTable("g_evo_notes"), m.HasTable("g_evo_missing"))
		log("has email %v, index %v", m.HasColumn(&gormEvoV3{}, "Email"), m.HasIndex(&gormEvoV3{}, "Email"))
		cols, err := m.ColumnTypes(&gormEvoV3{})
		must(err)
		for _, c := range cols {
			l, _ := c.Length()
			log("column %s %s %d", c.Name(), c.DatabaseTypeName(), l)
		}
		idx, err := m.GetIndexes(&gormEvoV3{})
		must(err)
		for _, ix := range idx {
			log("index %s %v", ix.Name(), ix.Columns())
		}
		tables, err := m.GetTables()
		must(err)
		slices.Sort(tables)
		log("tables %v", tables)
		// Migrator steps by hand, each twice where gorm allows it.
		must(m.DropIndex(&gormEvoV3{}, "Email"))
		must(m.CreateIndex(&gormEvoV3{}, "Email"))
		must(m.RenameIndex(&gormEvoV3{}, "idx_g_evo_email", "idx_evo_email"))
		must(m.DropColumn(&gormEvoV3{}, "Score"))
		log("after drop: score %v", m.HasColumn(&gormEvoV3{}, "Score"))
		must(g.AutoMigrate(&gormEvoV3{}))
		log("after AutoMigrate: score %v", m.HasColumn(&gormEvoV3{}, "Score"))
		log("final %s", showCreate(t, db, "g_evo"))
		var n int64
		must(g.Model(&gormEvoV3{}).Count(&n).Error)
		log("rows %d", n)
		must(m.DropTable(&gormEvoNote{}))
		must(m.DropTable(&gormEvoNote{})) // IF EXISTS
		log("notes after drop %v", m.HasTable(&gormEvoNote{}))
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("gorm observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}

// TestGormMigrateNodesDiffer alters one node table of a sharded table by
// hand: the next AutoMigrate must report it (the lookups about the table
// are refused, naming the nodes), not find the column on the first node
// and report success while the other nodes lack it.
func TestGormMigrateNodesDiffer(t *testing.T) {
	e := newEnv(t, "gormdiffer", table{"g_evo", "id", "id"})
	g := openGorm(t, e.Sharded, false)
	if err := g.AutoMigrate(&gormEvoV1{}); err != nil {
		t.Fatal(err)
	}
	ds0, err := sql.Open("mysql", e.ShardDSNs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer ds0.Close()
	ds1, err := sql.Open("mysql", e.ShardDSNs[1])
	if err != nil {
		t.Fatal(err)
	}
	defer ds1.Close()
	byHand := func(db *sql.DB, q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var refused func(string, error)
	// gorm's HasTable drops the lookup's error (it counts 0 rows), so
	// AutoMigrate goes on to CREATE TABLE, which fails on every node
	// ("already exists") and changes nothing; ColumnTypes returns the
	// refusal that names the nodes.
	migrateFails := func() {
		t.Helper()
		if err := g.AutoMigrate(&gormEvoV2{}); err == nil {
			t.Fatal("AutoMigrate with node tables that differ succeeded")
		}
		_, err := g.Migrator().ColumnTypes(&gormEvoV2{})
		refused("ColumnTypes", err)
	}
	refused = func(what string, err error) {
		t.Helper()
		if !errors.Is(err, driver.ErrUnsupported) || !strings.Contains(err.Error(), "node tables differ") {
			t.Fatalf("%s with node tables that differ: %v", what, err)
		}
	}
	nodeColumns := func(db *sql.DB, node string) string {
		t.Helper()
		var cols string
		if err := db.QueryRow("SELECT GROUP_CONCAT(column_name ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?", node).Scan(&cols); err != nil {
			t.Fatal(err)
		}
		return cols
	}

	// The first node (ds0.g_evo_0) gained v2's columns by hand.
	byHand(ds0, "ALTER TABLE g_evo_0 ADD COLUMN email varchar(64), ADD COLUMN score bigint")
	migrateFails()
	if got := nodeColumns(ds1, "g_evo_1"); got != "id,name" {
		t.Fatalf("ds1.g_evo_1 was altered: %s", got)
	}
	_, err = e.Sharded.Exec("SELECT 1") // the connection still works
	if err != nil {
		t.Fatal(err)
	}
	var name, ddl string
	refused("SHOW CREATE TABLE", e.Sharded.QueryRow("SHOW CREATE TABLE g_evo").Scan(&name, &ddl))
	byHand(ds0, "ALTER TABLE g_evo_0 DROP COLUMN email, DROP COLUMN score")

	// Another node gained an index by hand: a unique key there only.
	byHand(ds1, "CREATE UNIQUE INDEX by_hand ON g_evo_1 (name)")
	migrateFails()
	byHand(ds1, "DROP INDEX by_hand ON g_evo_1")

	// A node table dropped by hand.
	byHand(ds1, "DROP TABLE g_evo_0")
	migrateFails()
	// gorm's CREATE TABLE failed on the three nodes that exist and
	// created the missing one, from v2: it still differs.
	_, err = g.Migrator().ColumnTypes(&gormEvoV2{})
	refused("ColumnTypes after the failed CREATE TABLE", err)
	byHand(ds1, "DROP TABLE IF EXISTS g_evo_0")
	byHand(ds1, "CREATE TABLE g_evo_0 LIKE g_evo_1")
	// Repaired behind shardsql's back: the catalog, which recorded the
	// node tables differing (reads merging them are refused), is read
	// again as the refusal advises.
	if err := driver.ReloadCatalog(context.Background(), e.Sharded); err != nil {
		t.Fatal(err)
	}

	// Made equal again: the migration runs, on every node.
	if err := g.AutoMigrate(&gormEvoV2{}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []struct {
		db   *sql.DB
		node string
	}{{ds0, "g_evo_0"}, {ds0, "g_evo_1"}, {ds1, "g_evo_0"}, {ds1, "g_evo_1"}} {
		if got := nodeColumns(n.db, n.node); got != "id,name,email,score" {
			t.Fatalf("%s after AutoMigrate: %s", n.node, got)
		}
	}
}
