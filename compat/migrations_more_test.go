package compat_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"testing"

	"github.com/golang-migrate/migrate/v4"
	migratedb "github.com/golang-migrate/migrate/v4/database"
	migratemysql "github.com/golang-migrate/migrate/v4/database/mysql"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
)

// TestGolangMigrateDirty runs golang-migrate through a migration that
// fails (a dirty version), the runs after it (ErrDirty), Force, a full
// Down and Up again three times, and checks its GET_LOCK is held where
// other sessions see it, on one database and through shardsql (gd_orders
// sharded by user_id).
func TestGolangMigrateDirty(t *testing.T) {
	e := newEnv(t, "migratedirty", table{"gd_orders", "user_id", ""})
	var transcripts [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		var out []string
		log := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
		defer func() { transcripts[boolIndex(sharded)] = out }()
		open := func(dir string) (*migrate.Migrate, migratedb.Driver) {
			t.Helper()
			src, err := iofs.New(os.DirFS("testdata"), dir)
			if err != nil {
				t.Fatal(err)
			}
			drv, err := migratemysql.WithInstance(db, &migratemysql.Config{})
			if err != nil {
				t.Fatal(err)
			}
			m, err := migrate.NewWithInstance("iofs", src, "mysql", drv)
			if err != nil {
				t.Fatal(err)
			}
			return m, drv
		}
		version := func(m *migrate.Migrate) {
			t.Helper()
			v, dirty, err := m.Version()
			log("version %d dirty %v err %v", v, dirty, err)
		}
		m, drv := open("migrate_dirty")
		err := m.Up()
		log("up fails: %v", err != nil)
		version(m)
		for run := range 3 {
			m, _ := open("migrate_dirty")
			err := m.Up()
			var dirty migrate.ErrDirty
			log("run %d dirty: %v", run, errors.As(err, &dirty))
		}
		if err := m.Force(1); err != nil {
			t.Fatal(err)
		}
		version(m)
		if err := m.Down(); err != nil {
			t.Fatal(err)
		}
		version(m)
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'gd_orders'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		log("gd_orders after Down: %d", n)
		for run := range 3 {
			m, _ := open("migrate")
			if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
				t.Fatalf("run %d: %v", run, err)
			}
			version(m)
		}

		// The lock: held on one session, seen by the others.
		var name string
		if err := db.QueryRow("SELECT DATABASE()").Scan(&name); err != nil {
			t.Fatal(err)
		}
		lock, err := migratedb.GenerateAdvisoryLockId(name + ":" + migratemysql.DefaultMigrationsTable)
		if err != nil {
			t.Fatal(err)
		}
		used := func() {
			t.Helper()
			var held bool
			if err := db.QueryRow("SELECT IS_USED_LOCK(?) IS NOT NULL", lock).Scan(&held); err != nil {
				t.Fatal(err)
			}
			log("lock held %v", held)
		}
		if err := drv.Lock(); err != nil {
			t.Fatal(err)
		}
		used()
		if err := drv.Unlock(); err != nil {
			t.Fatal(err)
		}
		used()
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("golang-migrate observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}

// TestGooseDownTo runs goose's migrations up and all the way down three
// times, with Status and HasPending between, on one database and through
// shardsql.
func TestGooseDownTo(t *testing.T) {
	e := newEnv(t, "goosedown", table{"gs_orders", "user_id", ""})
	fsys, err := fs.Sub(os.DirFS("testdata"), "goose")
	if err != nil {
		t.Fatal(err)
	}
	var transcripts [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		ctx := context.Background()
		var out []string
		log := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
		defer func() { transcripts[boolIndex(sharded)] = out }()
		p, err := goose.NewProvider(database.DialectMySQL, db, fsys)
		if err != nil {
			t.Fatal(err)
		}
		for run := range 3 {
			res, err := p.Up(ctx)
			if err != nil {
				t.Fatal(err)
			}
			log("run %d up %d", run, len(res))
			pending, err := p.HasPending(ctx)
			if err != nil {
				t.Fatal(err)
			}
			st, err := p.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range st {
				log("status %d %s", s.Source.Version, s.State)
			}
			log("pending %v rows %v", pending, orderSummary(t, db, "gs_orders"))
			res, err = p.DownTo(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			log("down %d", len(res))
			v, err := p.GetDBVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			log("version %d", v)
		}
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("goose observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}

// TestIdempotentDDL runs the idempotent MariaDB forms hand-written
// migrations use (ADD COLUMN IF NOT EXISTS, DROP INDEX IF EXISTS, …) three
// times on a sharded table, on one database and through shardsql: the
// parser reads them only up to the table name (before compat11 they were
// refused on sharded tables).
func TestIdempotentDDL(t *testing.T) {
	e := newEnv(t, "idemddl", table{"i_orders", "user_id", ""})
	var transcripts [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		var out []string
		defer func() { transcripts[boolIndex(sharded)] = out }()
		for range 3 {
			for _, q := range []string{
				"CREATE TABLE IF NOT EXISTS i_orders (id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL)",
				"ALTER TABLE i_orders ADD COLUMN IF NOT EXISTS note VARCHAR(20) NULL, ADD INDEX IF NOT EXISTS i_note (note)",
				"ALTER TABLE `i_orders` MODIFY COLUMN IF EXISTS note VARCHAR(40) NULL",
				"ALTER TABLE i_orders DROP INDEX IF EXISTS i_gone, DROP COLUMN IF EXISTS gone",
			} {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			out = append(out, showCreate(t, db, "i_orders"))
		}
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("tables differ:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}
