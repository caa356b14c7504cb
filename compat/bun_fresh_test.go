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

// bf16Kind is broadcast; bf16Account is sharded by TenantID with ids
// shardsql generates; bf16Order (has-many) is sharded by TenantID too and
// bound to the accounts; bf16Event is unsharded.
type bf16Kind struct {
	bun.BaseModel `bun:"table:bf16_kinds"`
	ID            int64 `bun:",pk"`
	Name          string
}

type bf16Account struct {
	bun.BaseModel `bun:"table:bf16_accounts"`
	ID            int64 `bun:",pk,autoincrement"`
	TenantID      int64
	Name          string
	Balance       int64
	KindID        int64
	Kind          *bf16Kind    `bun:"rel:belongs-to,join:kind_id=id"`
	Orders        []*bf16Order `bun:"rel:has-many,join:id=account_id,join:tenant_id=tenant_id"`
}

type bf16Order struct {
	bun.BaseModel `bun:"table:bf16_orders"`
	ID            int64 `bun:",pk,autoincrement"`
	TenantID      int64
	AccountID     int64
	Total         int64
}

type bf16Event struct {
	bun.BaseModel `bun:"table:bf16_events"`
	ID            int64 `bun:",pk,autoincrement"`
	Msg           string
}

// bf16Migrations returns the migrations a start knows: the second start
// ships a new one (a column and an index on the sharded table).
func bf16Migrations(start int) fstest.MapFS {
	fs := fstest.MapFS{
		"20260301000001_kinds.up.sql":   {Data: []byte("INSERT INTO bf16_kinds (id, name) VALUES (1, 'basic'), (2, 'gold')")},
		"20260301000001_kinds.down.sql": {Data: []byte("DELETE FROM bf16_kinds WHERE id IN (1, 2)")},
	}
	if start >= 2 {
		fs["20260301000002_note.up.sql"] = &fstest.MapFile{Data: []byte("ALTER TABLE bf16_accounts ADD COLUMN note VARCHAR(20) NULL\n--bun:split\nCREATE INDEX acct_note ON bf16_accounts (note)")}
		fs["20260301000002_note.down.sql"] = &fstest.MapFile{Data: []byte("DROP INDEX acct_note ON bf16_accounts\n--bun:split\nALTER TABLE bf16_accounts DROP COLUMN note")}
	}
	return fs
}

// TestBunFreshStarts runs bun three times as three new processes (new
// topology, connector, pools and key generators each) on one database
// and through shardsql, and compares the transcripts: CreateTable and
// CreateIndex IfNotExists, the migrator (Init, Lock, Migrate, a migration
// added by the second start), bulk inserts with generated ids, upserts
// On("DUPLICATE KEY UPDATE"), relations (a broadcast belongs-to, a bound
// has-many), Exists, Count, ScanAndCount, For("UPDATE") by tenant, a
// nested RunInTx that fails (savepoint), deletes.
func TestBunFreshStarts(t *testing.T) {
	f := newFreshEnv(t, "bunfresh16", []string{"bf16_kinds"}, [][]string{{"bf16_accounts", "bf16_orders"}},
		table{"bf16_accounts", "tenant_id", "id"}, table{"bf16_orders", "tenant_id", "id"})
	var trs [2]transcript
	for start := 1; start <= 3; start++ {
		sh, or := f.open(t)
		for i, db := range []*sql.DB{or, sh} {
			bunFreshStart(t, db, start, &trs[i])
		}
	}
	compareTranscripts(t, "bun", trs[0].out, trs[1].out)
}

func bunFreshStart(t *testing.T, db *sql.DB, start int, tr *transcript) {
	t.Helper()
	ctx := context.Background()
	b := bun.NewDB(db, mysqldialect.New())
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("start %d %s: %v", start, what, err)
		}
	}
	for _, m := range []any{(*bf16Kind)(nil), (*bf16Account)(nil), (*bf16Order)(nil), (*bf16Event)(nil)} {
		_, err := b.NewCreateTable().Model(m).IfNotExists().Exec(ctx)
		must("create table", err)
	}
	_, err := b.NewCreateIndex().Model((*bf16Account)(nil)).Index("acct_tenant_name").Unique().IfNotExists().Column("tenant_id", "name").Exec(ctx)
	must("create index", err)
	_, err = b.NewCreateIndex().Model((*bf16Order)(nil)).Index("order_account").IfNotExists().Column("tenant_id", "account_id").Exec(ctx)
	must("create index", err)

	migrations := migrate.NewMigrations()
	must("discover", migrations.Discover(bf16Migrations(start)))
	m := migrate.NewMigrator(b, migrations)
	must("init", m.Init(ctx))
	must("lock", m.Lock(ctx))
	g, err := m.Migrate(ctx)
	must("migrate", err)
	must("unlock", m.Unlock(ctx))
	tr.log("start %d migrated %d (%s)", start, len(g.Migrations), g.Migrations.String())
	ms, err := m.MigrationsWithStatus(ctx)
	must("status", err)
	tr.log("start %d applied %s, unapplied %s", start, ms.Applied().String(), ms.Unapplied().String())

	// Bulk insert: bun numbers the rows from LastInsertId.
	var accounts []*bf16Account
	for i := range 6 {
		accounts = append(accounts, &bf16Account{TenantID: int64(i%3 + 1), Name: fmt.Sprintf("s%d-a%d", start, i), Balance: int64(10 * i), KindID: int64(i%2 + 1)})
	}
	_, err = b.NewInsert().Model(&accounts).Exec(ctx)
	must("insert accounts", err)
	var orders []*bf16Order
	for i, a := range accounts {
		var got bf16Account
		must("read back", b.NewSelect().Model(&got).Where("tenant_id = ? AND name = ?", a.TenantID, a.Name).Scan(ctx))
		tr.log("start %d %s: id is the row's %v", start, a.Name, got.ID == a.ID)
		for j := range i % 3 {
			orders = append(orders, &bf16Order{TenantID: a.TenantID, AccountID: a.ID, Total: int64(100*i + j)})
		}
	}
	_, err = b.NewInsert().Model(&orders).Exec(ctx)
	must("insert orders", err)
	_, err = b.NewInsert().Model(&bf16Event{Msg: fmt.Sprintf("start %d", start)}).Exec(ctx)
	must("insert event", err)

	// Upserts on (tenant_id, name): a met row, then a new one.
	for i, name := range []string{accounts[1].Name, fmt.Sprintf("s%d-new", start)} {
		u := &bf16Account{TenantID: accounts[1].TenantID, Name: name, Balance: 999, KindID: 2}
		res, err := b.NewInsert().Model(u).On("DUPLICATE KEY UPDATE").Set("balance = VALUES(balance)").Exec(ctx)
		n, _ := res.RowsAffected()
		tr.log("start %d upsert %d: err %v affected %d", start, i, err, n)
	}
	_, err = b.NewInsert().Model(&bf16Kind{ID: 2, Name: fmt.Sprintf("gold%d", start)}).On("DUPLICATE KEY UPDATE").Set("name = VALUES(name)").Exec(ctx)
	must("broadcast upsert", err)

	// Relations.
	var loaded []bf16Account
	err = b.NewSelect().Model(&loaded).Relation("Kind").
		Relation("Orders", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("total") }).
		Where("bf16_account.tenant_id IN (?)", bun.In([]int64{1, 2})).Order("bf16_account.name").Scan(ctx)
	must("relations", err)
	for _, a := range loaded {
		var totals []int64
		for _, o := range a.Orders {
			totals = append(totals, o.Total)
		}
		tr.log("start %d %s kind %s orders %v", start, a.Name, a.Kind.Name, totals)
	}
	ok, err := b.NewSelect().Model((*bf16Account)(nil)).Where("name = ?", "s1-a3").Exists(ctx)
	must("exists", err)
	n, err := b.NewSelect().Model((*bf16Order)(nil)).Where("total > ?", 100).Count(ctx)
	must("count", err)
	tr.log("start %d exists %v count %d", start, ok, n)
	var page []bf16Account
	n, err = b.NewSelect().Model(&page).Where("balance >= ?", 20).Order("name DESC").Limit(2).Offset(1).ScanAndCount(ctx)
	must("scan and count", err)
	tr.log("start %d count %d page %s %s", start, n, page[0].Name, page[1].Name)

	// A transaction: a locking read by tenant, then a nested one that fails.
	err = b.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var locked []bf16Account
		if err := tx.NewSelect().Model(&locked).Where("tenant_id = ?", 1).Order("name").For("UPDATE").Scan(ctx); err != nil {
			return err
		}
		tr.log("start %d locked %d", start, len(locked))
		if _, err := tx.NewUpdate().Model((*bf16Account)(nil)).Set("balance = balance + 1").Where("tenant_id = ?", 1).Exec(ctx); err != nil {
			return err
		}
		inner := tx.RunInTx(ctx, nil, func(ctx context.Context, tx2 bun.Tx) error {
			if _, err := tx2.NewDelete().Model((*bf16Order)(nil)).Where("tenant_id = ?", 2).Exec(ctx); err != nil {
				return err
			}
			return errors.New("inner fails")
		})
		tr.log("start %d inner: %v", start, inner)
		return nil
	})
	must("tx", err)
	res, err := b.NewDelete().Model((*bf16Order)(nil)).Where("total < ?", 100).Exec(ctx)
	must("delete", err)
	del, _ := res.RowsAffected()
	tr.log("start %d deleted %d", start, del)

	var all []bf16Account
	must("all", b.NewSelect().Model(&all).Relation("Kind").Order("bf16_account.tenant_id", "bf16_account.name").Scan(ctx))
	for _, a := range all {
		tr.log("start %d row %d/%s %d %s", start, a.TenantID, a.Name, a.Balance, a.Kind.Name)
	}
	var sums []struct {
		TenantID int64
		Total    int64
	}
	must("sums", b.NewSelect().Model((*bf16Order)(nil)).Column("tenant_id").ColumnExpr("SUM(total) AS total").Group("tenant_id").Order("tenant_id").Scan(ctx, &sums))
	tr.log("start %d sums %v", start, sums)
	var cols []string
	must("columns", b.NewRaw("SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position", "bf16_accounts").Scan(ctx, &cols))
	tr.log("start %d columns %v", start, cols)
}
