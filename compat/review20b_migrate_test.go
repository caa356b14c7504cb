package compat_test

import (
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/golang-migrate/migrate/v4"
	migratemysql "github.com/golang-migrate/migrate/v4/database/mysql"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

// r20bMigrations are golang-migrate files over m20_orders (sharded by
// user_id) in the MariaDB forms migrations use to be run again: ADD
// COLUMN / INDEX IF NOT EXISTS, CREATE INDEX IF NOT EXISTS, DROP … IF
// EXISTS, a type change with ALGORITHM=COPY, a CHECK constraint, a
// generated column; several statements per file.
var r20bMigrations = fstest.MapFS{
	"1_create.up.sql":   {Data: []byte("CREATE TABLE m20_orders (id BIGINT NOT NULL, user_id BIGINT NOT NULL, amount INT NOT NULL DEFAULT 0, PRIMARY KEY (user_id, id)) COMMENT 'orders'")},
	"1_create.down.sql": {Data: []byte("DROP TABLE IF EXISTS m20_orders")},
	"2_seed.up.sql":     {Data: []byte("INSERT INTO m20_orders (id, user_id, amount) VALUES (1, 1, 10), (2, 2, 20), (3, 3, 30), (4, 4, 40)")},
	"2_seed.down.sql":   {Data: []byte("DELETE FROM m20_orders")},
	"3_cols.up.sql": {Data: []byte("ALTER TABLE m20_orders ADD COLUMN IF NOT EXISTS note VARCHAR(20) NULL, ADD INDEX IF NOT EXISTS ix_amount (amount);\n" +
		"CREATE INDEX IF NOT EXISTS ix_note ON m20_orders (note);\n")},
	"3_cols.down.sql":  {Data: []byte("DROP INDEX IF EXISTS ix_note ON m20_orders;\nALTER TABLE m20_orders DROP COLUMN IF EXISTS note, DROP INDEX IF EXISTS ix_amount;\n")},
	"4_type.up.sql":    {Data: []byte("ALTER TABLE m20_orders MODIFY amount BIGINT NOT NULL DEFAULT 0 COMMENT 'cents', ALGORITHM=COPY")},
	"4_type.down.sql":  {Data: []byte("ALTER TABLE m20_orders MODIFY amount INT NOT NULL DEFAULT 0")},
	"5_check.up.sql":   {Data: []byte("ALTER TABLE m20_orders ADD CONSTRAINT ck_amount CHECK (amount >= 0)")},
	"5_check.down.sql": {Data: []byte("ALTER TABLE m20_orders DROP CONSTRAINT IF EXISTS ck_amount")},
	"6_gen.up.sql":     {Data: []byte("ALTER TABLE m20_orders ADD COLUMN IF NOT EXISTS doubled BIGINT AS (amount * 2) VIRTUAL, ALGORITHM=INPLACE, LOCK=NONE")},
	"6_gen.down.sql":   {Data: []byte("ALTER TABLE m20_orders DROP COLUMN IF EXISTS doubled")},
}

// TestReview20bGolangMigrate runs golang-migrate as a deploy pipeline does
// (every step a new process) on one database and through shardsql over
// data sources with different database names (the sharded table's first
// node on the second): up, version, down, up, steps -3, up, force back
// and up again (migration 5 meets its constraint: dirty on both), force,
// up. Each step's outcome, golang-migrate's version and dirty flag,
// schema_migrations' rows, the table's rows and every node table's
// definition must be the oracle's.
func TestReview20bGolangMigrate(t *testing.T) {
	f := newR20bEnv(t, "r20bmig", table{"m20_orders", "user_id", ""})
	var tr [2]transcript
	step := 0
	errText := func(err error) string {
		var dirty migrate.ErrDirty
		switch {
		case err == nil:
			return "ok"
		case errors.As(err, &dirty):
			return fmt.Sprintf("dirty %d", dirty.Version)
		case errors.Is(err, migrate.ErrNoChange):
			return "no change"
		case errors.Is(err, migrate.ErrNilVersion):
			return "nil version"
		}
		if m := r20bErrno.FindStringSubmatch(err.Error()); m != nil {
			return "error " + m[1] // shardsql names the node table that failed
		}
		return firstWords(err.Error())
	}
	text := func(db *sql.DB, q string) string {
		s := queryText(t, db, q)
		if m := r20bErrno.FindStringSubmatch(s); m != nil && strings.HasPrefix(s, "error") {
			return "error " + m[1]
		}
		return s
	}
	run := func(what string, fn func(m *migrate.Migrate) error) {
		t.Helper()
		step++
		sharded := f.open(t)
		sharded.SetMaxOpenConns(4)
		oracle, err := sql.Open("mysql", f.oracleDSN+"&multiStatements=true")
		if err != nil {
			t.Fatal(err)
		}
		for i, db := range []*sql.DB{oracle, sharded} {
			log := func(format string, a ...any) { tr[i].log("%d %s: "+format, append([]any{step, what}, a...)...) }
			src, err := iofs.New(r20bMigrations, ".")
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
			res := fn(m)
			log("%s", errText(res))
			v, dirty, err := m.Version()
			log("version %d dirty %v %s", v, dirty, errText(err))
			log("schema_migrations %s", text(db, "SELECT version, dirty FROM schema_migrations"))
			log("rows %s", text(db, "SELECT * FROM m20_orders ORDER BY id"))
			log("columns %s", text(db, "SELECT column_name, column_type, column_default, column_comment FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'm20_orders' ORDER BY ordinal_position"))
			log("indexes %s", text(db, "SELECT index_name, column_name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'm20_orders' ORDER BY index_name, seq_in_index"))
			log("checks %s", text(db, "SELECT constraint_name, check_clause FROM information_schema.check_constraints WHERE constraint_schema = DATABASE() AND table_name = 'm20_orders'"))
		}
		_ = oracle.Close()
		_ = sharded.Close()
		f.checkNodes(t, fmt.Sprintf("step %d %s", step, what), "m20_orders")
	}
	run("up", func(m *migrate.Migrate) error { return m.Up() })
	run("up again", func(m *migrate.Migrate) error { return m.Up() })
	run("down", func(m *migrate.Migrate) error { return m.Down() })
	run("version after down", func(m *migrate.Migrate) error { return nil })
	run("up after down", func(m *migrate.Migrate) error { return m.Up() })
	run("steps -3", func(m *migrate.Migrate) error { return m.Steps(-3) })
	run("up after steps", func(m *migrate.Migrate) error { return m.Up() })
	run("force 3", func(m *migrate.Migrate) error { return m.Force(3) })
	run("up after force 3", func(m *migrate.Migrate) error { return m.Up() })
	run("up while dirty", func(m *migrate.Migrate) error { return m.Up() })
	run("force 5", func(m *migrate.Migrate) error { return m.Force(5) })
	run("up after force 5", func(m *migrate.Migrate) error { return m.Up() })
	run("migrate 2", func(m *migrate.Migrate) error { return m.Migrate(2) })
	run("migrate 6", func(m *migrate.Migrate) error { return m.Migrate(6) })
	compareTranscripts(t, "golang-migrate", tr[0].out, tr[1].out)
}

// r20bErrno finds a server error's number in a message.
var r20bErrno = regexp.MustCompile(`Error ([0-9]{4})`)
