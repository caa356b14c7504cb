package compat_test

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/golang-migrate/migrate/v4"
	migratemysql "github.com/golang-migrate/migrate/v4/database/mysql"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

// TestGolangMigrateFreshStarts runs golang-migrate as a deploy pipeline
// does, every step a new process (new pools, a new connector), on one
// database and through shardsql with a sharded (m15_orders), a broadcast
// (m15_countries) and an unsharded table (m15_settings), multi-statement
// files, and compares what it observes: Up stops dirty at a unique index
// the seeded rows violate (on one node of the sharded table only), Up
// again reports ErrDirty, the rows are fixed, Force, Up completes, Up
// again has no change, Version, Down, Up again, Steps, Migrate.
func TestGolangMigrateFreshStarts(t *testing.T) {
	f := newFreshEnv(t, "migratefresh", []string{"m15_countries"}, nil, table{"m15_orders", "user_id", ""})
	var tr [2]transcript
	step := 0
	var oracleMeta string
	// partial are the steps after which the unique index that failed on
	// one node table stays on the others (DDL cannot be rolled back):
	// lookups are refused, naming the difference, until migration 3 runs
	// again (driver/metadata_nodes.go), as the refusal says.
	partial := map[string]bool{"up": true, "up again": true, "fix and force": true, "up from nothing": true}
	run := func(what string, fn func(m *migrate.Migrate, db *sql.DB, log func(string, ...any))) {
		step++
		sharded, oracle := f.open(t)
		oracle.Close()
		oracle, err := sql.Open("mysql", f.OracleDSN+"&multiStatements=true")
		if err != nil {
			t.Fatal(err)
		}
		defer oracle.Close()
		defer sharded.Close()
		for i, db := range []*sql.DB{oracle, sharded} {
			log := func(format string, a ...any) { tr[i].log("%d %s: "+format, append([]any{step, what}, a...)...) }
			src, err := iofs.New(os.DirFS("testdata"), "migrate15")
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
			fn(m, db, log)
			v, dirty, err := m.Version()
			log("version %d dirty %v %v", v, dirty, err)
			rows, meta, refused := migrateState(t, db)
			log("rows %s", rows)
			switch {
			case i == 0:
				oracleMeta = meta
			case partial[what] != refused:
				t.Errorf("step %d %s: metadata refused %v, want %v: %s", step, what, refused, partial[what], meta)
			case refused:
				continue
			}
			if i == 1 && meta != oracleMeta {
				t.Errorf("step %d %s: metadata:\noracle:  %s\nsharded: %s", step, what, oracleMeta, meta)
			}
		}
	}
	errText := func(err error) string {
		var dirty migrate.ErrDirty
		switch {
		case err == nil:
			return "ok"
		case errors.As(err, &dirty):
			return fmt.Sprintf("dirty %d", dirty.Version)
		case errors.Is(err, migrate.ErrNoChange):
			return "no change"
		case strings.Contains(err.Error(), "Duplicate entry"):
			return "duplicate entry"
		}
		return err.Error()
	}
	run("up", func(m *migrate.Migrate, _ *sql.DB, log func(string, ...any)) { log("%s", errText(m.Up())) })
	run("up again", func(m *migrate.Migrate, _ *sql.DB, log func(string, ...any)) { log("%s", errText(m.Up())) })
	run("fix and force", func(m *migrate.Migrate, db *sql.DB, log func(string, ...any)) {
		_, err := db.Exec("DELETE FROM m15_orders WHERE id = 2")
		log("fix %v", err)
		log("force %s", errText(m.Force(2)))
	})
	run("up after force", func(m *migrate.Migrate, _ *sql.DB, log func(string, ...any)) { log("%s", errText(m.Up())) })
	run("up no change", func(m *migrate.Migrate, _ *sql.DB, log func(string, ...any)) { log("%s", errText(m.Up())) })
	run("steps -2", func(m *migrate.Migrate, _ *sql.DB, log func(string, ...any)) { log("%s", errText(m.Steps(-2))) })
	run("migrate 4", func(m *migrate.Migrate, _ *sql.DB, log func(string, ...any)) { log("%s", errText(m.Migrate(4))) })
	run("down", func(m *migrate.Migrate, _ *sql.DB, log func(string, ...any)) { log("%s", errText(m.Down())) })
	run("up from nothing", func(m *migrate.Migrate, _ *sql.DB, log func(string, ...any)) { log("%s", errText(m.Up())) })
	compareTranscripts(t, "golang-migrate", tr[0].out, tr[1].out)
}

// migrateState describes the m15 tables: their rows, and their columns
// and indexes as information_schema shows them; refused reports a lookup
// refused because the node tables differ.
func migrateState(t *testing.T, db *sql.DB) (rows, meta string, refused bool) {
	t.Helper()
	read := func(q string) string {
		rs, err := db.Query(q)
		if err != nil {
			var me *mysql.MySQLError
			if errors.As(err, &me) {
				return fmt.Sprintf("error %d", me.Number)
			}
			if strings.Contains(err.Error(), "whose node tables differ") {
				refused = true
			}
			return "err " + firstWords(err.Error())
		}
		defer rs.Close()
		cols, _ := rs.Columns()
		var vals []string
		for rs.Next() {
			v := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range v {
				ptrs[i] = &v[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, x := range v {
				parts = append(parts, x.String)
			}
			vals = append(vals, strings.Join(parts, ":"))
		}
		if err := rs.Err(); err != nil {
			vals = append(vals, "err "+firstWords(err.Error()))
		}
		return strings.Join(vals, ",")
	}
	var r, m []string
	for _, q := range []string{
		"SELECT id, user_id, code, amount FROM m15_orders ORDER BY id",
		"SELECT id, code FROM m15_countries ORDER BY id",
		"SELECT k, v FROM m15_settings ORDER BY k",
	} {
		r = append(r, read(q))
	}
	for _, q := range []string{
		"SELECT table_name, column_name, column_type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name IN ('m15_orders', 'm15_countries', 'm15_settings') ORDER BY table_name, ordinal_position",
		"SELECT table_name, index_name, column_name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name IN ('m15_orders', 'm15_countries', 'm15_settings') ORDER BY table_name, index_name, seq_in_index",
	} {
		m = append(m, read(q))
	}
	return strings.Join(r, " | "), strings.Join(m, " | "), refused
}

// firstWords is the start of an error message, enough to tell errors
// apart without the statement text.
func firstWords(s string) string {
	if i := strings.Index(s, " in \""); i > 0 {
		s = s[:i]
	}
	return s
}
