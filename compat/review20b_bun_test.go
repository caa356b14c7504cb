package compat_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/mysqldialect"
	"github.com/uptrace/bun/migrate"
)

// r20bBunItem is sharded by owner_id with ids shardsql generates.
type r20bBunItem struct {
	bun.BaseModel `bun:"table:r20_bun_items"`
	ID            int64 `bun:",pk,autoincrement"`
	OwnerID       int64 `bun:",notnull"`
	Name          string
}

// r20bBunMigrations are the migrations a start knows: the second adds a
// column and an index in MariaDB's idempotent forms, the third changes
// the column's type.
func r20bBunMigrations(start int) fstest.MapFS {
	fs := fstest.MapFS{
		"20260401000001_seed.up.sql":   {Data: []byte("INSERT INTO r20_bun_items (owner_id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')")},
		"20260401000001_seed.down.sql": {Data: []byte("DELETE FROM r20_bun_items")},
	}
	if start >= 2 {
		fs["20260401000002_note.up.sql"] = &fstest.MapFile{Data: []byte("ALTER TABLE r20_bun_items ADD COLUMN IF NOT EXISTS note VARCHAR(20) NULL\n--bun:split\nCREATE INDEX IF NOT EXISTS item_note ON r20_bun_items (note)")}
		fs["20260401000002_note.down.sql"] = &fstest.MapFile{Data: []byte("DROP INDEX IF EXISTS item_note ON r20_bun_items\n--bun:split\nALTER TABLE r20_bun_items DROP COLUMN IF EXISTS note")}
	}
	if start >= 3 {
		fs["20260401000003_wide.up.sql"] = &fstest.MapFile{Data: []byte("ALTER TABLE r20_bun_items MODIFY COLUMN IF EXISTS note VARCHAR(64) NULL COMMENT 'wide'")}
		fs["20260401000003_wide.down.sql"] = &fstest.MapFile{Data: []byte("ALTER TABLE r20_bun_items MODIFY COLUMN IF EXISTS note VARCHAR(20) NULL")}
	}
	return fs
}

// errno is an error as its server error number (shardsql names the node
// table that failed), or "ok".
func errno(err error) string {
	if err == nil {
		return "ok"
	}
	if m := r20bErrno.FindStringSubmatch(err.Error()); m != nil {
		return "error " + m[1]
	}
	return err.Error()
}

// TestReview20bBun runs a bun program three times as new processes over
// data sources with different database names (the sharded table's first
// node on the second), on one database and through shardsql: CreateTable
// and CreateIndex IfNotExists, AddColumn, the migrator with a
// migration more each start, then a rollback and the migrations again,
// TruncateTable, DropColumn, DropTable IfExists on the last start. Every
// step's outcome, bun's migration status and the rows must be the
// oracle's, and every node table the oracle's definition.
func TestReview20bBun(t *testing.T) {
	f := newR20bEnv(t, "r20bbun", table{"r20_bun_items", "owner_id", "id"})
	var tr [2]transcript
	for start := 1; start <= 3; start++ {
		sharded := f.open(t)
		oracle, err := sql.Open("mysql", f.oracleDSN)
		if err != nil {
			t.Fatal(err)
		}
		for i, db := range []*sql.DB{oracle, sharded} {
			ctx := context.Background()
			log := func(format string, a ...any) { tr[i].log("start %d: "+format, append([]any{start}, a...)...) }
			b := bun.NewDB(db, mysqldialect.New())
			_, err := b.NewCreateTable().Model((*r20bBunItem)(nil)).IfNotExists().Exec(ctx)
			log("create table: %v", err)
			_, err = b.NewCreateIndex().Model((*r20bBunItem)(nil)).Index("item_owner_name").IfNotExists().Column("owner_id", "name").Exec(ctx)
			log("create index: %v", err)
			// bun's MySQL dialect has no ADD COLUMN IF NOT EXISTS: the later
			// starts fail with 1060 on every node table, as on one database.
			_, err = b.NewAddColumn().Model((*r20bBunItem)(nil)).ColumnExpr("flag TINYINT NOT NULL DEFAULT 0").Exec(ctx)
			log("add column: %s", errno(err))
			migrations := migrate.NewMigrations()
			if err := migrations.Discover(r20bBunMigrations(start)); err != nil {
				t.Fatal(err)
			}
			m := migrate.NewMigrator(b, migrations)
			log("init: %v", m.Init(ctx))
			g, err := m.Migrate(ctx)
			log("migrate: %v %s", err, g)
			if start == 3 {
				g, err = m.Rollback(ctx)
				log("rollback: %v %s", err, g)
				g, err = m.Migrate(ctx)
				log("migrate again: %v %s", err, g)
			}
			ms, err := m.MigrationsWithStatus(ctx)
			log("status: %v applied %s unapplied %s", err, ms.Applied(), ms.Unapplied())
			_, err = b.NewInsert().Model(&r20bBunItem{OwnerID: int64(start), Name: fmt.Sprint("s", start)}).Exec(ctx)
			log("insert: %v", err)
			log("rows %s", queryText(t, db, "SELECT owner_id, name, flag FROM r20_bun_items ORDER BY owner_id, name"))
			log("columns %s", queryText(t, db, "SELECT column_name, column_type, column_comment FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'r20_bun_items' ORDER BY ordinal_position"))
		}
		_ = oracle.Close()
		f.checkNodes(t, fmt.Sprintf("start %d", start), "r20_bun_items")
		if start == 3 {
			for i, db := range []*sql.DB{f.oracle, sharded} {
				ctx := context.Background()
				b := bun.NewDB(db, mysqldialect.New())
				_, err := b.NewTruncateTable().Model((*r20bBunItem)(nil)).Exec(ctx)
				tr[i].log("truncate: %v", err)
				_, err = b.NewDropColumn().Model((*r20bBunItem)(nil)).Column("flag").Exec(ctx)
				tr[i].log("drop column: %s", errno(err))
				tr[i].log("rows %s", queryText(t, db, "SELECT * FROM r20_bun_items"))
			}
			f.checkNodes(t, "after drop column", "r20_bun_items")
			for i, db := range []*sql.DB{f.oracle, sharded} {
				b := bun.NewDB(db, mysqldialect.New())
				for range 2 {
					_, err := b.NewDropTable().Model((*r20bBunItem)(nil)).IfExists().Exec(context.Background())
					tr[i].log("drop table: %v", errors.Unwrap(err) != nil || err != nil)
				}
			}
			f.checkNodes(t, "after drop table", "r20_bun_items")
		}
		_ = sharded.Close()
	}
	compareTranscripts(t, "bun", tr[0].out, tr[1].out)
}
