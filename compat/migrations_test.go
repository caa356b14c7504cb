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
	migratemysql "github.com/golang-migrate/migrate/v4/database/mysql"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
)

// orderSummary reads a migrated orders table: its rows in id order.
func orderSummary(t *testing.T, db *sql.DB, tableName string) []string {
	t.Helper()
	rows, err := db.Query("SELECT id, user_id, amount, COALESCE(note, 'NULL') FROM " + tableName + " ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, user, amount int64
		var note string
		if err := rows.Scan(&id, &user, &amount, &note); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d %d %d %s", id, user, amount, note))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGoose runs goose's migrations (each in a transaction, the version
// table goose_db_version unsharded) twice, then one down and up again, on
// one database and through shardsql (gs_orders sharded by user_id).
func TestGoose(t *testing.T) {
	e := newEnv(t, "goosedb", table{"gs_orders", "user_id", ""})
	fsys, err := fs.Sub(os.DirFS("testdata"), "goose")
	if err != nil {
		t.Fatal(err)
	}
	var summaries [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		ctx := context.Background()
		p, err := goose.NewProvider(database.DialectMySQL, db, fsys)
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Up(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 3 {
			t.Fatalf("first run applied %d migrations", len(res))
		}
		res, err = p.Up(ctx)
		if err != nil {
			t.Fatalf("second run: %v", err)
		}
		if len(res) != 0 {
			t.Fatalf("second run applied %d migrations", len(res))
		}
		if _, err := p.Down(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatal(err)
		}
		v, err := p.GetDBVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		summaries[boolIndex(sharded)] = append([]string{fmt.Sprint("version ", v)}, orderSummary(t, db, "gs_orders")...)
	})
	if !slices.Equal(summaries[0], summaries[1]) {
		t.Errorf("goose: oracle %q, sharded %q", summaries[0], summaries[1])
	}
}

// TestGolangMigrate runs golang-migrate's migrations twice, then one step
// down and up again, on one database and through shardsql (gm_orders
// sharded by user_id; schema_migrations unsharded). golang-migrate holds
// GET_LOCK on one connection of the *sql.DB for each run.
func TestGolangMigrate(t *testing.T) {
	e := newEnv(t, "migratedb", table{"gm_orders", "user_id", ""})
	var summaries [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		run := func() *migrate.Migrate {
			t.Helper()
			src, err := iofs.New(os.DirFS("testdata"), "migrate")
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
			return m
		}
		m := run()
		if err := m.Up(); err != nil {
			t.Fatal(err)
		}
		// A second run, as at the next start of the program.
		m2 := run()
		if err := m2.Up(); !errors.Is(err, migrate.ErrNoChange) {
			t.Fatalf("second run: %v", err)
		}
		if err := m2.Steps(-1); err != nil {
			t.Fatal(err)
		}
		if err := m2.Up(); err != nil {
			t.Fatal(err)
		}
		v, dirty, err := m2.Version()
		if err != nil {
			t.Fatal(err)
		}
		summaries[boolIndex(sharded)] = append([]string{fmt.Sprint("version ", v, " dirty ", dirty)}, orderSummary(t, db, "gm_orders")...)
	})
	if !slices.Equal(summaries[0], summaries[1]) {
		t.Errorf("golang-migrate: oracle %q, sharded %q", summaries[0], summaries[1])
	}
}

// TestGolangMigrateMultiStatement runs a migration file holding two
// statements, which golang-migrate sends as one string (the oracle's DSN
// sets multiStatements=true, as golang-migrate's documentation asks).
func TestGolangMigrateMultiStatement(t *testing.T) {
	e := newEnv(t, "migratemulti", table{"gm_multi_a", "id", ""})
	oracle, err := sql.Open("mysql", e.OracleDSN+"&multiStatements=true")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = oracle.Close() })
	for _, db := range []*sql.DB{oracle, e.Sharded} {
		src, err := iofs.New(os.DirFS("testdata"), "migrate_multi")
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
		if err := m.Up(); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"INSERT INTO gm_multi_a (id, v) VALUES (1, 1), (2, 2)", "INSERT INTO gm_multi_b (id, v) VALUES (1, 1)"} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
	}
}
