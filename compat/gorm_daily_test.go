package compat_test

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// gormPlan is unsharded (on the default data source); gormAccount is
// sharded by TenantID with ids shardsql generates and a unique key
// (tenant_id, name) without the id.
type gormPlan struct {
	ID   uint64 `gorm:"primaryKey"`
	Name string `gorm:"size:16"`
}

func (gormPlan) TableName() string { return "g_plans" }

type gormAccount struct {
	ID        uint64 `gorm:"primaryKey"`
	TenantID  uint64 `gorm:"uniqueIndex:acct_tenant_name,priority:1"`
	Name      string `gorm:"size:32;uniqueIndex:acct_tenant_name,priority:2"`
	Balance   int
	Active    bool
	Note      *string `gorm:"size:32"`
	PlanID    uint64
	Plan      gormPlan
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

func (gormAccount) TableName() string { return "g_accounts" }

// TestGormDaily runs what gorm applications send every day on a table
// sharded by tenant with generated ids, on one database and through
// shardsql, and compares the transcripts: Create and CreateInBatches (the
// ids gorm puts in the structs are the stored ones), FirstOrCreate and
// FirstOrInit, Save (an insert, an update of all columns), OnConflict
// UpdateAll and DoUpdates on the (tenant_id, name) key (gorm reads the
// row's id from LastInsertId), Updates with a map and a struct of zero
// values, Joins and Preload of an unsharded table, FOR UPDATE in a
// transaction, nested transactions rolled back, soft delete and Unscoped.
func TestGormDaily(t *testing.T) {
	e := newEnv(t, "gormdaily", table{"g_accounts", "tenant_id", "id"})
	var transcripts [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		g, err := gorm.Open(mysql.New(mysql.Config{Conn: db, DisableWithReturning: true}),
			&gorm.Config{Logger: logger.Default.LogMode(logger.Silent), DisableForeignKeyConstraintWhenMigrating: true})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		log := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
		defer func() { transcripts[boolIndex(sharded)] = out }()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		for range 2 {
			must(g.AutoMigrate(&gormPlan{}, &gormAccount{}))
		}
		plans := []gormPlan{{Name: "free"}, {Name: "pro"}}
		must(g.Create(&plans).Error)

		var seen []uint64 // ids by first appearance: the transcript names them by index
		label := func(id uint64) int {
			if i := slices.Index(seen, id); i >= 0 {
				return i
			}
			seen = append(seen, id)
			return len(seen) - 1
		}
		// stored checks that the id gorm gave the struct is the row's.
		stored := func(what string, a gormAccount) {
			t.Helper()
			var row gormAccount
			must(g.Unscoped().Where("tenant_id = ? AND name = ?", a.TenantID, a.Name).Take(&row).Error)
			log("%s %d/%s: id #%d stored #%d balance %d", what, a.TenantID, a.Name, label(a.ID), label(row.ID), row.Balance)
		}

		// CreateInBatches: one multi-row INSERT per batch; gorm numbers
		// the rows from LastInsertId.
		var batch []gormAccount
		for i := range 10 {
			batch = append(batch, gormAccount{TenantID: uint64(i%4 + 1), Name: fmt.Sprintf("acct%02d", i), Balance: i * 10, Active: i%2 == 0, PlanID: plans[i%2].ID})
		}
		must(g.CreateInBatches(&batch, 4).Error)
		for _, a := range batch {
			stored("batch", a)
		}

		// FirstOrCreate: found, then created; FirstOrInit with Attrs.
		var a1 gormAccount
		must(g.Where(gormAccount{TenantID: 2, Name: "acct01"}).FirstOrCreate(&a1).Error)
		stored("firstorcreate found", a1)
		var a2 gormAccount
		must(g.Where(gormAccount{TenantID: 3, Name: "new"}).Attrs(gormAccount{Balance: 7, PlanID: plans[1].ID}).FirstOrCreate(&a2).Error)
		stored("firstorcreate created", a2)
		var a3 gormAccount
		must(g.Where(gormAccount{TenantID: 4, Name: "ghost"}).Attrs(gormAccount{Balance: 3}).FirstOrInit(&a3).Error)
		log("firstorinit id %d balance %d", a3.ID, a3.Balance)

		// Save: an insert (no id), then an update of every column.
		note := "hello"
		s := gormAccount{TenantID: 1, Name: "saved", Balance: 5, Note: &note, PlanID: plans[0].ID}
		must(g.Save(&s).Error)
		stored("save insert", s)
		s.Balance, s.Note, s.Active = 6, nil, true
		must(g.Save(&s).Error)
		stored("save update", s)

		// Upserts on (tenant_id, name): one row each, gorm reads the id.
		for i, bal := range []int{100, 101, 101} {
			u := gormAccount{TenantID: 2, Name: "upsert", Balance: bal, PlanID: plans[0].ID}
			must(g.Clauses(clause.OnConflict{UpdateAll: true}).Create(&u).Error)
			log("updateall %d: id %v", i, u.ID != 0)
			stored("updateall", u)
		}
		for i := range 2 {
			u := gormAccount{TenantID: 3, Name: "counter", Balance: 1}
			must(g.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "tenant_id"}, {Name: "name"}},
				DoUpdates: clause.Assignments(map[string]any{"balance": gorm.Expr("balance + 1")})}).Create(&u).Error)
			log("doupdates %d: id nonzero %v", i, u.ID != 0)
			stored("doupdates", u)
		}

		// Updates: a map writes zero values, a struct skips them.
		res := g.Model(&gormAccount{}).Where("tenant_id = ? AND name = ?", 1, "saved").Updates(map[string]any{"balance": 0, "active": false})
		must(res.Error)
		log("map updates %d", res.RowsAffected)
		res = g.Model(&gormAccount{}).Where("tenant_id = ?", 1).Updates(gormAccount{Balance: 0, Active: false, Name: ""})
		log("struct of zero values: %v", res.Error)
		res = g.Model(&gormAccount{}).Where("balance >= ?", 50).Updates(gormAccount{Balance: 55})
		must(res.Error)
		log("struct updates %d", res.RowsAffected)

		// Joins and Preload of the unsharded plan.
		var joined []gormAccount
		// Unqualified columns as gorm applications write them (round 13:
		// refused before the catalog knew g_plans' columns): balance is
		// g_accounts' only; name and id are both tables' (MySQL's 1052).
		err = g.Joins("Plan").Where("balance > ?", 20).Order("balance DESC").Order("g_accounts.name").Find(&joined).Error
		log("joins unqualified: err %v", err)
		for _, a := range joined {
			log("joined %s %s", a.Name, a.Plan.Name)
		}
		joined = nil
		err = g.Joins("Plan").Where("name = ?", "acct03").Find(&joined).Error
		log("joins ambiguous: %v %d", err != nil && strings.Contains(strings.ToLower(err.Error()), "ambiguous"), len(joined))
		err = g.Joins("Plan").Where("no_such_col = ?", 1).Find(&joined).Error
		log("joins unknown: %v", err != nil && strings.Contains(strings.ToLower(err.Error()), "unknown column"))
		joined = nil
		err = g.Joins("Plan").Where("g_accounts.balance > ?", 20).Order("g_accounts.name").Find(&joined).Error
		log("joins: err %v", err)
		for _, a := range joined {
			log("joined %s %s", a.Name, a.Plan.Name)
		}
		joined = nil
		err = g.Joins("Plan").Preload("Plan").Where("balance BETWEEN ? AND ?", 10, 60).Where("active = ?", true).Order("g_accounts.name").Find(&joined).Error
		log("joins+preload: err %v", err)
		for _, a := range joined {
			log("joined+preloaded %s %s %d", a.Name, a.Plan.Name, a.Balance)
		}
		var preloaded []gormAccount
		must(g.Preload("Plan").Where("tenant_id IN ?", []uint64{1, 2}).Order("name").Find(&preloaded).Error)
		for _, a := range preloaded {
			log("preloaded %s %s", a.Name, a.Plan.Name)
		}

		// FOR UPDATE in a transaction, then nested transactions: the
		// inner one fails and rolls back to its savepoint.
		must(g.Transaction(func(tx *gorm.DB) error {
			var locked []gormAccount
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("tenant_id = ?", 2).Order("name").Find(&locked).Error; err != nil {
				return err
			}
			log("locked %d", len(locked))
			if err := tx.Model(&gormAccount{}).Where("tenant_id = ?", 2).Update("balance", gorm.Expr("balance + 1000")).Error; err != nil {
				return err
			}
			err := tx.Transaction(func(tx2 *gorm.DB) error {
				if err := tx2.Create(&gormAccount{TenantID: 4, Name: "inner"}).Error; err != nil {
					return err
				}
				if err := tx2.Model(&gormAccount{}).Where("tenant_id = ?", 3).Update("balance", 0).Error; err != nil {
					return err
				}
				return errors.New("inner fails")
			})
			log("inner: %v", err)
			return tx.Create(&gormAccount{TenantID: 1, Name: "outer"}).Error
		}))

		// Soft delete and Unscoped.
		must(g.Where("tenant_id = ? AND name = ?", 3, "new").Delete(&gormAccount{}).Error)
		var n, all int64
		must(g.Model(&gormAccount{}).Count(&n).Error)
		must(g.Unscoped().Model(&gormAccount{}).Count(&all).Error)
		log("visible %d all %d", n, all)
		must(g.Unscoped().Where("tenant_id = ? AND name = ?", 3, "new").Delete(&gormAccount{}).Error)
		must(g.Unscoped().Model(&gormAccount{}).Count(&all).Error)
		log("after hard delete %d", all)

		var rows []gormAccount
		must(g.Unscoped().Order("tenant_id, name").Find(&rows).Error)
		for _, a := range rows {
			note := "<nil>"
			if a.Note != nil {
				note = *a.Note
			}
			log("row #%d %d/%s %d %v %s plan %d", label(a.ID), a.TenantID, a.Name, a.Balance, a.Active, note, a.PlanID)
		}
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("gorm observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}
