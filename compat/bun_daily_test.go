package compat_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/mysqldialect"
)

// bdPlan is unsharded; bdAccount is sharded by TenantID with ids shardsql
// generates; bdProfile (has-one) is sharded by AccountID; bdOrder
// (has-many) is sharded by TenantID.
type bdPlan struct {
	bun.BaseModel `bun:"table:bd_plans"`
	ID            int64 `bun:",pk,autoincrement"`
	Name          string
}

type bdAccount struct {
	bun.BaseModel `bun:"table:bd_accounts"`
	ID            int64 `bun:",pk,autoincrement"`
	TenantID      int64
	Name          string
	Balance       int64
	PlanID        int64
	Plan          *bdPlan    `bun:"rel:belongs-to,join:plan_id=id"`
	Profile       *bdProfile `bun:"rel:has-one,join:id=account_id"`
	Orders        []*bdOrder `bun:"rel:has-many,join:id=account_id"`
}

type bdProfile struct {
	bun.BaseModel `bun:"table:bd_profiles"`
	ID            int64 `bun:",pk,autoincrement"`
	AccountID     int64
	Bio           string
}

type bdOrder struct {
	bun.BaseModel `bun:"table:bd_orders"`
	ID            int64 `bun:",pk,autoincrement"`
	TenantID      int64
	AccountID     int64
	Total         int64
}

// TestBunDaily runs bun's daily flows on a tenant-sharded table with
// generated ids, on one database and through shardsql, and compares the
// transcripts (ids are named by the row they name).
func TestBunDaily(t *testing.T) {
	e := newEnv(t, "bundaily", table{"bd_accounts", "tenant_id", "id"}, table{"bd_profiles", "account_id", "id"}, table{"bd_orders", "tenant_id", "id"})
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
		for _, m := range []any{(*bdPlan)(nil), (*bdAccount)(nil), (*bdProfile)(nil), (*bdOrder)(nil)} {
			_, err := b.NewCreateTable().Model(m).IfNotExists().Exec(ctx)
			must(err)
		}
		_, err := b.NewCreateIndex().Model((*bdAccount)(nil)).Index("acct_tenant_name").Unique().Column("tenant_id", "name").Exec(ctx)
		must(err)
		plans := []*bdPlan{{Name: "free"}, {Name: "pro"}}
		_, err = b.NewInsert().Model(&plans).Exec(ctx)
		must(err)

		var seen []int64
		label := func(id int64) int {
			if i := slices.Index(seen, id); i >= 0 {
				return i
			}
			seen = append(seen, id)
			return len(seen) - 1
		}
		// NewInsert of a slice: bun numbers the rows from LastInsertId.
		var accounts []*bdAccount
		for i := range 8 {
			accounts = append(accounts, &bdAccount{TenantID: int64(i%3 + 1), Name: fmt.Sprintf("acct%d", i), Balance: int64(10 * i), PlanID: plans[i%2].ID})
		}
		_, err = b.NewInsert().Model(&accounts).Exec(ctx)
		must(err)
		for _, a := range accounts {
			var got bdAccount
			must(b.NewSelect().Model(&got).Where("tenant_id = ? AND name = ?", a.TenantID, a.Name).Scan(ctx))
			log("inserted %s: id #%d stored #%d", a.Name, label(a.ID), label(got.ID))
		}
		var profiles []*bdProfile
		var orders []*bdOrder
		for i, a := range accounts {
			if i%2 == 0 {
				profiles = append(profiles, &bdProfile{AccountID: a.ID, Bio: "bio of " + a.Name})
			}
			for j := range i % 3 {
				orders = append(orders, &bdOrder{TenantID: a.TenantID, AccountID: a.ID, Total: int64(100*i + j)})
			}
		}
		_, err = b.NewInsert().Model(&profiles).Exec(ctx)
		must(err)
		_, err = b.NewInsert().Model(&orders).Exec(ctx)
		must(err)

		// Relations: belongs-to and has-one are JOINs of the same query,
		// has-many a second query with an IN list.
		var loaded []bdAccount
		err = b.NewSelect().Model(&loaded).Relation("Plan").Relation("Profile").
			Relation("Orders", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("total") }).
			Where("bd_account.tenant_id IN (?)", bun.In([]int64{1, 2})).Order("bd_account.name").Scan(ctx)
		log("relations: %v", err)
		for _, a := range loaded {
			plan, bio := "-", "-"
			if a.Plan != nil {
				plan = a.Plan.Name
			}
			if a.Profile != nil {
				bio = a.Profile.Bio
			}
			var totals []int64
			for _, o := range a.Orders {
				totals = append(totals, o.Total)
			}
			log("%s plan %s profile %s orders %v", a.Name, plan, bio, totals)
		}

		// An unqualified column beside the unsharded plan (round 13): only
		// bd_accounts has balance; both tables have name (MySQL's 1052).
		var rich []bdAccount
		err = b.NewSelect().Model(&rich).Relation("Plan").Where("balance > ?", 30).Order("balance").Scan(ctx)
		log("unqualified: %v", err)
		for _, a := range rich {
			log("rich %s %s", a.Name, a.Plan.Name)
		}
		err = b.NewSelect().Model(&rich).Relation("Plan").Where("name = ?", "acct1").Scan(ctx)
		log("ambiguous: %v", err != nil && strings.Contains(strings.ToLower(err.Error()), "ambiguous"))

		// ScanAndCount: the page and the count.
		var page []bdAccount
		n, err := b.NewSelect().Model(&page).Where("balance >= ?", 20).Order("name DESC").Limit(2).Offset(1).ScanAndCount(ctx)
		must(err)
		log("count %d page %s %s", n, page[0].Name, page[1].Name)

		// Bulk update: WITH _data AS (VALUES …) UPDATE … — MariaDB has no
		// VALUES ROW(), so it fails on one database as well.
		for _, a := range accounts[:3] {
			a.Balance += 5
		}
		_, err = b.NewUpdate().With("_data", b.NewValues(&accounts)).Model((*bdAccount)(nil)).TableExpr("_data").
			Set("balance = _data.balance").Where("bd_account.id = _data.id").Exec(ctx)
		log("bulk update fails: %v", err != nil)
		if sharded && (err == nil || !strings.Contains(err.Error(), "before UPDATE of sharded table bd_accounts") || !strings.Contains(err.Error(), "WherePK() per row")) {
			t.Errorf("bun's bulk update: want a refusal naming WITH … UPDATE and what to send, got %v", err)
		}
		_, err = b.NewUpdate().Model(&accounts).Column("balance").Bulk().Exec(ctx)
		log("Bulk() fails: %v", err != nil)
		if sharded && (err == nil || !strings.Contains(err.Error(), "NewUpdate().Bulk()")) {
			t.Errorf("bun's Bulk(): want a refusal naming it, got %v", err)
		}
		// What the refusal says to send instead.
		must(b.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, a := range accounts[:3] {
				if _, err := tx.NewUpdate().Model(a).Column("balance").WherePK().Exec(ctx); err != nil {
					return err
				}
			}
			return nil
		}))

		// One-row update and delete of models.
		accounts[3].Balance = 333
		_, err = b.NewUpdate().Model(accounts[3]).Column("balance").WherePK().Exec(ctx)
		must(err)
		res, err := b.NewDelete().Model(accounts[7]).WherePK().Exec(ctx)
		must(err)
		rows, _ := res.RowsAffected()
		log("deleted %d", rows)
		res, err = b.NewDelete().Model((*bdOrder)(nil)).Where("total < ?", 150).Exec(ctx)
		must(err)
		rows, _ = res.RowsAffected()
		log("deleted orders %d", rows)

		// Upsert on (tenant_id, name).
		for i, bal := range []int64{7, 8} {
			u := &bdAccount{TenantID: 2, Name: "upsert", Balance: bal}
			_, err = b.NewInsert().Model(u).On("DUPLICATE KEY UPDATE").Set("balance = VALUES(balance)").Exec(ctx)
			log("upsert %d: err %v id #%d", i, err, label(u.ID))
		}

		// RunInTx with a nested one that fails: rolled back to its savepoint.
		err = b.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewUpdate().Model((*bdAccount)(nil)).Set("balance = balance + 1000").Where("tenant_id = ?", 1).Exec(ctx); err != nil {
				return err
			}
			inner := tx.RunInTx(ctx, nil, func(ctx context.Context, tx2 bun.Tx) error {
				if _, err := tx2.NewInsert().Model(&bdAccount{TenantID: 3, Name: "inner"}).Exec(ctx); err != nil {
					return err
				}
				if _, err := tx2.NewDelete().Model((*bdAccount)(nil)).Where("tenant_id = ?", 2).Exec(ctx); err != nil {
					return err
				}
				return errors.New("inner fails")
			})
			log("inner: %v", inner)
			_, err := tx.NewInsert().Model(&bdAccount{TenantID: 1, Name: "outer"}).Exec(ctx)
			return err
		})
		log("tx: %v", err)

		var all []bdAccount
		must(b.NewSelect().Model(&all).Order("tenant_id", "name").Scan(ctx))
		for _, a := range all {
			log("row #%d %d/%s %d", label(a.ID), a.TenantID, a.Name, a.Balance)
		}
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("bun observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}
