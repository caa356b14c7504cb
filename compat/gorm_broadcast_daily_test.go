package compat_test

import (
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// gbdCountry is a broadcast table; gbdUser is sharded by its generated id
// and has many gbdOrders, sharded by UserID.
type gbdCountry struct {
	ID   uint64 `gorm:"primaryKey"`
	Code string `gorm:"size:8;uniqueIndex"`
	Name string `gorm:"size:32"`
}

func (gbdCountry) TableName() string { return "gbd_countries" }

type gbdUser struct {
	ID        uint64 `gorm:"primaryKey"`
	Name      string `gorm:"size:32"`
	CountryID uint64
	Country   gbdCountry
	Orders    []gbdOrder     `gorm:"foreignKey:UserID"`
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

func (gbdUser) TableName() string { return "gbd_users" }

type gbdOrder struct {
	ID     uint64 `gorm:"primaryKey"`
	UserID uint64 `gorm:"index"`
	Status string `gorm:"size:16"`
	Amount int
}

func (gbdOrder) TableName() string { return "gbd_orders" }

// TestGormBroadcastDaily runs what gorm applications send every day over
// sharded tables and a broadcast table, on one database and through
// shardsql, and compares the transcripts: AutoMigrate three times,
// CreateInBatches, Save with a zero primary key, an UpdateAll upsert and
// FirstOrCreate on the broadcast table; Joins of the broadcast table with
// Preload of a sharded has-many; Count with Distinct (one and two
// columns, over a join); Pluck with Distinct; GROUP BY over a join of two
// sharded tables and the broadcast table; Scopes pagination; an IN
// subquery; association Count/Append/Find; a Transaction with a
// SavePoint/RollbackTo spanning both data sources; soft delete.
func TestGormBroadcastDaily(t *testing.T) {
	e := newEnv(t, "gormbdaily", table{"gbd_users", "id", "id"}, table{"gbd_orders", "user_id", "id"})
	if err := e.Topology.AddBroadcastTable("gbd_countries"); err != nil {
		t.Fatal(err)
	}
	var transcripts [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		// A foreign key from a sharded table stays refused, even to a
		// broadcast table (docs/orm.md, round 14 "Left").
		g, err := gorm.Open(mysql.New(mysql.Config{Conn: db, DisableWithReturning: true}),
			&gorm.Config{Logger: logger.Default.LogMode(logger.Silent), DisableForeignKeyConstraintWhenMigrating: true})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		log := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
		defer func() { transcripts[boolIndex(sharded)] = out }()
		for run := range 3 {
			log("migrate %d: %v", run, g.AutoMigrate(&gbdCountry{}, &gbdUser{}, &gbdOrder{}))
		}
		cs := []gbdCountry{{Code: "fr", Name: "France"}, {Code: "de", Name: "Germany"}, {Code: "it", Name: "Italy"}}
		log("countries batch: %v", g.CreateInBatches(&cs, 2).Error)
		for _, c := range cs {
			log("country %d %s", c.ID, c.Code)
		}
		c4 := gbdCountry{Code: "es", Name: "Spain"}
		log("save zero pk: %v %d", g.Save(&c4).Error, c4.ID)
		c5 := gbdCountry{Code: "fr", Name: "France2"}
		log("upsert: %v %d", g.Clauses(clause.OnConflict{UpdateAll: true}).Create(&c5).Error, c5.ID)
		var fc gbdCountry
		log("firstorcreate: %v", g.Where(gbdCountry{Code: "pt"}).Attrs(gbdCountry{Name: "Portugal"}).FirstOrCreate(&fc).Error)
		log("firstorcreate id %d", fc.ID)

		var us []gbdUser
		for i := range 8 {
			u := gbdUser{Name: fmt.Sprintf("u%d", i), CountryID: cs[i%3].ID}
			for j := range i % 3 {
				u.Orders = append(u.Orders, gbdOrder{Status: []string{"new", "paid", "shipped"}[(i+j)%3], Amount: i*10 + j})
			}
			us = append(us, u)
		}
		log("users: %v", g.CreateInBatches(&us, 3).Error)
		var got []gbdUser
		log("joins+preload: %v", g.Joins("Country").Preload("Orders").Order("gbd_users.name").Find(&got).Error)
		for _, u := range got {
			log("u %s %s %d", u.Name, u.Country.Code, len(u.Orders))
		}
		got = nil
		log("preload with condition: %v", g.Preload("Country").Preload("Orders", "amount > ?", 20).Order("name").Find(&got).Error)
		for _, u := range got {
			log("u %s %s %d", u.Name, u.Country.Code, len(u.Orders))
		}
		var n int64
		for _, cols := range [][]string{{"status"}, {"user_id"}, {"user_id", "status"}} {
			args := make([]any, len(cols))
			for i, c := range cols {
				args[i] = c
			}
			log("count distinct %v: %v", cols, g.Model(&gbdOrder{}).Distinct(args...).Count(&n).Error)
			log("n %d", n)
		}
		var sts []string
		log("pluck distinct: %v %v", g.Model(&gbdOrder{}).Distinct().Order("status").Pluck("status", &sts).Error, sts)
		log("count joins: %v", g.Model(&gbdUser{}).Joins("Country").Where("Country.code = ?", "fr").Count(&n).Error)
		log("n %d", n)
		log("count distinct joins: %v", g.Model(&gbdUser{}).Joins("Country").Distinct("Country.code").Count(&n).Error)
		log("n %d", n)
		type agg struct {
			Code string
			N    int
			Tot  int
		}
		var ag []agg
		log("join agg: %v", g.Model(&gbdOrder{}).Select("gbd_countries.code, count(*) as n, sum(gbd_orders.amount) as tot").
			Joins("JOIN gbd_users ON gbd_users.id = gbd_orders.user_id").Joins("JOIN gbd_countries ON gbd_countries.id = gbd_users.country_id").
			Group("gbd_countries.code").Order("gbd_countries.code").Scan(&ag).Error)
		log("ag %v", ag)
		ag = nil
		log("having: %v", g.Model(&gbdUser{}).Select("gbd_countries.code, count(*) as n").
			Joins("JOIN gbd_countries ON gbd_countries.id = gbd_users.country_id").
			Group("gbd_countries.code").Having("count(*) > ?", 2).Order("n desc, code").Scan(&ag).Error)
		log("ag %v", ag)
		paginate := func(page, size int) func(*gorm.DB) *gorm.DB {
			return func(db *gorm.DB) *gorm.DB { return db.Offset((page - 1) * size).Limit(size) }
		}
		var os []gbdOrder
		log("page: %v", g.Scopes(paginate(2, 2)).Order("amount desc").Find(&os).Error)
		for _, o := range os {
			log("o %d", o.Amount)
		}
		os = nil
		log("page distinct: %v", g.Model(&gbdOrder{}).Distinct("status").Scopes(paginate(1, 2)).Order("status").Find(&os).Error)
		for _, o := range os {
			log("o %s", o.Status)
		}
		var us2 []gbdUser
		log("in subquery: %v", g.Where("id IN (?)", g.Model(&gbdOrder{}).Select("user_id").Where("amount > ?", 30)).Order("name").Find(&us2).Error)
		for _, u := range us2 {
			log("u %s", u.Name)
		}
		var u2 gbdUser
		log("first: %v", g.Where("name = ?", "u2").First(&u2).Error)
		log("assoc count: %d", g.Model(&u2).Association("Orders").Count())
		log("assoc append: %v", g.Model(&u2).Association("Orders").Append(&gbdOrder{Status: "new", Amount: 999}))
		var aos []gbdOrder
		log("assoc find: %v %d", g.Model(&u2).Association("Orders").Find(&aos), len(aos))
		err = g.Transaction(func(tx *gorm.DB) error {
			if err := tx.Model(&gbdOrder{}).Where("1 = 1").Update("amount", gorm.Expr("amount + 1")).Error; err != nil {
				return err
			}
			tx.SavePoint("sp1")
			if err := tx.Model(&gbdOrder{}).Where("1 = 1").Update("amount", gorm.Expr("amount + 100")).Error; err != nil {
				return err
			}
			if err := tx.Create(&gbdCountry{Code: "nl", Name: "NL"}).Error; err != nil {
				return err
			}
			tx.RollbackTo("sp1")
			return tx.Model(&gbdCountry{}).Where("code = ?", "de").Update("name", "Deutschland").Error
		})
		log("tx: %v", err)
		var tot int64
		log("sum: %v", g.Model(&gbdOrder{}).Select("sum(amount)").Scan(&tot).Error)
		log("tot %d", tot)
		log("soft delete: %v", g.Where("name IN ?", []string{"u1", "u3"}).Delete(&gbdUser{}).Error)
		log("count users: %v", g.Model(&gbdUser{}).Count(&n).Error)
		log("n %d", n)
		log("delete country: %v", g.Where("code = ?", "it").Delete(&gbdCountry{}).Error)
		var all []gbdCountry
		log("countries: %v", g.Order("code").Find(&all).Error)
		for _, c := range all {
			log("c %d %s %s", c.ID, c.Code, c.Name)
		}
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("gorm observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}
