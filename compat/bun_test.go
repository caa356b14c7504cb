package compat_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/mysqldialect"
	"github.com/uptrace/bun/migrate"
)

// bunAccount is sharded by its id, which shardsql generates; its
// bunEntries (has-many) are sharded by AccountID.
type bunAccount struct {
	bun.BaseModel `bun:"table:b_accounts"`
	ID            int64 `bun:",pk,autoincrement"`
	Name          string
	Entries       []*bunEntry `bun:"rel:has-many,join:id=account_id"`
}

type bunEntry struct {
	bun.BaseModel `bun:"table:b_entries"`
	ID            int64 `bun:",pk,autoincrement"`
	AccountID     int64
	Amount        int64
}

// bunMigrations are SQL migrations as bun discovers them; the version
// tables bun_migrations and bun_migration_locks are unsharded.
var bunMigrations = fstest.MapFS{
	"20260101000001_accounts.up.sql":   {Data: []byte("CREATE TABLE b_accounts (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(32) NOT NULL)\n--bun:split\nCREATE TABLE b_entries (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, account_id BIGINT NOT NULL, amount BIGINT NOT NULL, KEY (account_id))")},
	"20260101000001_accounts.down.sql": {Data: []byte("DROP TABLE b_entries\n--bun:split\nDROP TABLE b_accounts")},
	"20260101000002_note.up.sql":       {Data: []byte("ALTER TABLE b_entries ADD COLUMN note VARCHAR(20) NULL")},
	"20260101000002_note.down.sql":     {Data: []byte("ALTER TABLE b_entries DROP COLUMN note")},
}

// TestBun runs bun (github.com/uptrace/bun) on one database and through
// shardsql: its migrator (Init, Lock, Migrate three times, Rollback,
// Migrate), bulk inserts (ids from LastInsertId), a has-many Relation (an
// IN list of accounts on every node), ScanAndCount with LIMIT/OFFSET, an
// upsert, a transaction and deletes.
func TestBun(t *testing.T) {
	e := newEnv(t, "bundb", table{"b_accounts", "id", "id"}, table{"b_entries", "account_id", "id"})
	var transcripts [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		ctx := context.Background()
		b := bun.NewDB(db, mysqldialect.New())
		var out []string
		log := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
		defer func() { transcripts[boolIndex(sharded)] = out }()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		migrations := migrate.NewMigrations()
		must(migrations.Discover(bunMigrations))
		m := migrate.NewMigrator(b, migrations)
		for run := range 3 {
			must(m.Init(ctx))
			must(m.Lock(ctx))
			g, err := m.Migrate(ctx)
			must(err)
			must(m.Unlock(ctx))
			log("run %d applied %d", run, len(g.Migrations))
		}
		g, err := m.Rollback(ctx)
		must(err)
		log("rolled back %d", len(g.Migrations))
		g, err = m.Migrate(ctx)
		must(err)
		log("applied %d", len(g.Migrations))

		var accounts []*bunAccount
		for i := range 10 {
			accounts = append(accounts, &bunAccount{Name: fmt.Sprintf("acct%02d", i)})
		}
		_, err = b.NewInsert().Model(&accounts).Exec(ctx)
		must(err)
		var entries []*bunEntry
		for i, a := range accounts {
			for j := range i % 3 {
				entries = append(entries, &bunEntry{AccountID: a.ID, Amount: int64(10*i + j)})
			}
		}
		_, err = b.NewInsert().Model(&entries).Exec(ctx)
		must(err)
		for _, a := range accounts {
			var got bunAccount
			must(b.NewSelect().Model(&got).Where("id = ?", a.ID).Scan(ctx))
			if got.Name != a.Name {
				t.Fatalf("account id %d: bun holds %q, the database %q", a.ID, a.Name, got.Name)
			}
		}

		var loaded []bunAccount
		must(b.NewSelect().Model(&loaded).Relation("Entries", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("amount") }).Order("name").Scan(ctx))
		for _, a := range loaded {
			var amounts []int64
			for _, en := range a.Entries {
				amounts = append(amounts, en.Amount)
			}
			log("%s %v", a.Name, amounts)
		}
		var page []bunAccount
		n, err := b.NewSelect().Model(&page).Order("name DESC").Limit(3).Offset(2).ScanAndCount(ctx)
		must(err)
		log("count %d page %s %s %s", n, page[0].Name, page[1].Name, page[2].Name)

		_, err = b.NewInsert().Model(&bunAccount{ID: accounts[4].ID, Name: "upserted"}).On("DUPLICATE KEY UPDATE").Set("name = VALUES(name)").Exec(ctx)
		must(err)
		must(b.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewUpdate().Model((*bunEntry)(nil)).Set("amount = amount + 1000").Where("account_id IN (?)", bun.In([]int64{accounts[1].ID, accounts[2].ID})).Exec(ctx); err != nil {
				return err
			}
			_, err := tx.NewDelete().Model((*bunEntry)(nil)).Where("amount < ?", 30).Exec(ctx)
			return err
		}))
		var sums []struct {
			AccountID int64
			Total     int64
		}
		must(b.NewSelect().Model((*bunEntry)(nil)).Column("account_id").ColumnExpr("SUM(amount) AS total").Group("account_id").Order("total").Scan(ctx, &sums))
		for _, s := range sums {
			log("total %d", s.Total)
		}
		var names []string
		must(b.NewSelect().Model((*bunAccount)(nil)).Column("name").Order("name").Scan(ctx, &names))
		log("names %v", names)
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("bun observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}
