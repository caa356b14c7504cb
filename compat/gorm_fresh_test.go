package compat_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// Version 1 of round 15's gorm models: r15_countries is broadcast,
// r15_users is sharded by its generated id, r15_orders by user_id (a
// has-many sharded by the same key, bound to r15_users), r15_settings is
// unsharded.
type r15CountryV1 struct {
	ID   uint64 `gorm:"primaryKey"`
	Code string `gorm:"size:8;uniqueIndex"`
	Name string `gorm:"size:32"`
}

func (r15CountryV1) TableName() string { return "r15_countries" }

type r15UserV1 struct {
	ID        uint64 `gorm:"primaryKey"`
	Name      string `gorm:"size:32"`
	CountryID uint64
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

func (r15UserV1) TableName() string { return "r15_users" }

type r15OrderV1 struct {
	ID     uint64 `gorm:"primaryKey"`
	UserID uint64 `gorm:"index"`
	Status string `gorm:"size:16"`
	Amount int
}

func (r15OrderV1) TableName() string { return "r15_orders" }

type r15SettingV1 struct {
	ID    uint64 `gorm:"primaryKey"`
	Key   string `gorm:"size:32;uniqueIndex"`
	Value string `gorm:"size:32"`
}

func (r15SettingV1) TableName() string { return "r15_settings" }

// Version 2, which the second start migrates to: a column and an index on
// every table, a wider column on the sharded and the unsharded table.
type r15Country struct {
	ID     uint64 `gorm:"primaryKey"`
	Code   string `gorm:"size:8;uniqueIndex"`
	Name   string `gorm:"size:32"`
	Region string `gorm:"size:16;index"`
}

func (r15Country) TableName() string { return "r15_countries" }

type r15User struct {
	ID        uint64 `gorm:"primaryKey"`
	Name      string `gorm:"size:64"`
	Email     string `gorm:"size:64;index"`
	CountryID uint64
	Country   r15Country
	Orders    []r15Order     `gorm:"foreignKey:UserID"`
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

func (r15User) TableName() string { return "r15_users" }

type r15Order struct {
	ID     uint64 `gorm:"primaryKey"`
	UserID uint64 `gorm:"index"`
	Status string `gorm:"size:16;index"`
	Amount int
	Note   *string `gorm:"size:32"`
}

func (r15Order) TableName() string { return "r15_orders" }

type r15Setting struct {
	ID      uint64 `gorm:"primaryKey"`
	Key     string `gorm:"size:32;uniqueIndex"`
	Value   string `gorm:"size:128"`
	Version int
}

func (r15Setting) TableName() string { return "r15_settings" }

// ddlLogger records the DDL statements gorm sends, so that the oracle's
// and shardsql's migrations can be compared statement by statement: a
// lookup answered otherwise than one database would makes gorm send
// other (or no) ALTERs.
type ddlLogger struct {
	logger.Interface
	ddl *[]string
}

var ddlWords = regexp.MustCompile(`(?i)^\s*(CREATE|ALTER|DROP|RENAME)\b`)

func (l ddlLogger) LogMode(logger.LogLevel) logger.Interface { return l }

func (l ddlLogger) Trace(_ context.Context, _ time.Time, fc func() (string, int64), err error) {
	q, _ := fc()
	if ddlWords.MatchString(q) {
		*l.ddl = append(*l.ddl, fmt.Sprintf("%s -> %v", q, err))
	}
}

// TestGormFreshStarts runs a gorm application three times, each in new
// pools with a new connector (a new process: the catalog read from the
// servers as the previous start left them), on one database and through
// shardsql with a sharded, a broadcast and an unsharded table, and
// compares what it observes. Start 1 migrates version 1 of the models and
// seeds rows; starts 2 and 3 migrate version 2 (an added column and
// index on each table, a widened column) — start 3 finds it applied — and
// run the daily flow over the rows the earlier starts left: the DDL gorm
// sends must be the oracle's, then Create/CreateInBatches with generated
// ids, FirstOrCreate, Save, Updates with a map and a struct, soft delete
// and Unscoped, Preload of the sharded has-many and Joins of the broadcast
// belongs-to, OnConflict upserts on all three kinds of table, nested
// transactions and SavePoint/RollbackTo, FindInBatches, Count/Group/
// Having, Scopes, Pluck, Raw/Exec with named arguments and FOR UPDATE;
// with gorm's RETURNING (its default on MariaDB) and without.
func TestGormFreshStarts(t *testing.T) {
	// gorm uses RETURNING on MariaDB unless told not to: both ways.
	for _, returning := range []bool{false, true} {
		t.Run(fmt.Sprintf("returning=%v", returning), func(t *testing.T) {
			f := newFreshEnv(t, fmt.Sprintf("gormfresh%v", returning), []string{"r15_countries"}, [][]string{{"r15_users", "r15_orders"}},
				table{"r15_users", "id", "id"}, table{"r15_orders", "user_id", "id"})
			var tr [2]transcript
			for start := 1; start <= 3; start++ {
				sharded, oracle := f.open(t)
				for i, db := range []*sql.DB{oracle, sharded} {
					t.Run(fmt.Sprintf("start%d/%s", start, []string{"oracle", "sharded"}[i]), func(t *testing.T) {
						gormFreshStart(t, db, start, returning, &tr[i])
					})
				}
			}
			compareTranscripts(t, "gorm", tr[0].out, tr[1].out)
		})
	}
}

func gormFreshStart(t *testing.T, db *sql.DB, start int, returning bool, tr *transcript) {
	var ddl []string
	g, err := gorm.Open(mysql.New(mysql.Config{Conn: db, DisableWithReturning: !returning}),
		&gorm.Config{Logger: ddlLogger{Interface: logger.Discard, ddl: &ddl}, DisableForeignKeyConstraintWhenMigrating: true})
	if err != nil {
		t.Fatal(err)
	}
	log := func(format string, a ...any) { tr.log("start %d: "+format, append([]any{start}, a...)...) }
	must := func(what string, err error) {
		t.Helper()
		log("%s: %v", what, err)
	}
	if start == 1 {
		must("migrate v1", g.AutoMigrate(&r15CountryV1{}, &r15UserV1{}, &r15OrderV1{}, &r15SettingV1{}))
		cs := []r15CountryV1{{Code: "fr", Name: "France"}, {Code: "de", Name: "Germany"}, {Code: "it", Name: "Italy"}}
		must("countries", g.CreateInBatches(&cs, 2).Error)
		var us []r15UserV1
		for i := range 6 {
			us = append(us, r15UserV1{Name: fmt.Sprintf("u%d", i), CountryID: cs[i%3].ID})
		}
		must("users", g.CreateInBatches(&us, 4).Error)
		for _, u := range us {
			var row r15UserV1
			must("user by id", g.First(&row, u.ID).Error)
			log("user id names %s: %v", u.Name, row.Name == u.Name)
			var os []r15OrderV1
			for j := range 3 {
				os = append(os, r15OrderV1{UserID: u.ID, Status: []string{"new", "paid", "sent"}[j], Amount: len(u.Name)*10 + j})
			}
			must("orders", g.Create(&os).Error)
		}
		must("settings", g.Create(&[]r15SettingV1{{Key: "theme", Value: "dark"}, {Key: "lang", Value: "fr"}}).Error)
		log("ddl %q", ddl)
		return
	}
	must("migrate v2", g.AutoMigrate(&r15Country{}, &r15User{}, &r15Order{}, &r15Setting{}))
	log("ddl %q", ddl)
	for _, m := range []any{&r15Country{}, &r15User{}, &r15Order{}, &r15Setting{}} {
		cts, err := g.Migrator().ColumnTypes(m)
		must("column types", err)
		for _, c := range cts {
			l, _ := c.Length()
			log("column %s %s %d", c.Name(), c.DatabaseTypeName(), l)
		}
		idx, err := g.Migrator().GetIndexes(m)
		must("indexes", err)
		var names []string
		for _, i := range idx {
			names = append(names, i.Name())
		}
		slices.Sort(names)
		log("indexes %v", names)
	}
	log("has email index %v", g.Migrator().HasIndex(&r15User{}, "Email"))

	// Create with has-many associations, then CreateInBatches: the ids
	// gorm puts in the structs are the stored rows'.
	stored := func(u r15User) {
		t.Helper()
		var row r15User
		err := g.Unscoped().Preload("Orders").First(&row, u.ID).Error
		log("stored %s: %v %v %d", u.Name, err, row.Name == u.Name, len(row.Orders))
		for _, o := range u.Orders {
			var ro r15Order
			err := g.First(&ro, o.ID).Error
			log("stored order %s/%d: %v %v", u.Name, o.Amount, err, ro.UserID == u.ID && ro.Amount == o.Amount)
		}
	}
	note := fmt.Sprintf("note%d", start)
	nu := r15User{Name: fmt.Sprintf("new%d", start), Email: "n@x", CountryID: 1,
		Orders: []r15Order{{Status: "new", Amount: 1}, {Status: "paid", Amount: 2, Note: &note}}}
	must("create with orders", g.Create(&nu).Error)
	stored(nu)
	var batch []r15User
	for i := range 5 {
		batch = append(batch, r15User{Name: fmt.Sprintf("b%d-%d", start, i), Email: fmt.Sprintf("b%d@x", i), CountryID: uint64(i%3 + 1)})
	}
	must("create in batches", g.CreateInBatches(&batch, 2).Error)
	for _, u := range batch {
		stored(u)
	}

	// FirstOrCreate: created on start 2, found on start 3.
	var c r15Country
	must("firstorcreate country", g.Where(r15Country{Code: "pt"}).Attrs(r15Country{Name: "Portugal", Region: "south"}).FirstOrCreate(&c).Error)
	log("country %s %s", c.Name, c.Region)
	var fu r15User
	must("firstorcreate user", g.Where(r15User{Name: "lonely"}).Attrs(r15User{Email: fmt.Sprintf("l%d@x", start), CountryID: 2}).FirstOrCreate(&fu).Error)
	log("user %s %s", fu.Name, fu.Email)
	var st r15Setting
	must("firstorcreate setting", g.Where(r15Setting{Key: "tz"}).Attrs(r15Setting{Value: "UTC"}).FirstOrCreate(&st).Error)
	log("setting %s %s", st.Key, st.Value)

	// Save: load, change, save every column; Updates with a map (zero
	// values written) and a struct (zero values skipped).
	var u0 r15User
	must("first u0", g.Where("name = ?", "u0").First(&u0).Error)
	u0.Email = fmt.Sprintf("u0-%d@x", start)
	must("save", g.Save(&u0).Error)
	res := g.Model(&r15User{}).Where("name = ?", "u1").Updates(map[string]any{"email": "", "country_id": 3})
	must("updates map", res.Error)
	log("rows %d", res.RowsAffected)
	res = g.Model(&r15Order{}).Where("status = ?", "paid").Updates(r15Order{Amount: 0, Note: &note})
	must("updates struct", res.Error)
	log("rows %d", res.RowsAffected)
	res = g.Model(&u0).Updates(r15User{Name: "u0", Email: "u0@x"})
	must("updates model", res.Error)
	log("rows %d", res.RowsAffected)

	// Preload of the sharded has-many and Joins of the broadcast
	// belongs-to.
	var us []r15User
	must("joins+preload", g.Joins("Country").Preload("Orders", func(db *gorm.DB) *gorm.DB { return db.Order("amount") }).
		Where("Country.code IN ?", []string{"fr", "de"}).Order("r15_users.name").Find(&us).Error)
	for _, u := range us {
		var am []int
		for _, o := range u.Orders {
			am = append(am, o.Amount)
		}
		log("u %s %s %s %v", u.Name, u.Email, u.Country.Code, am)
	}

	// Upserts: broadcast (code unique), unsharded (key unique), sharded
	// orders with generated ids.
	up := r15Country{Code: "fr", Name: fmt.Sprintf("France%d", start), Region: "west"}
	must("upsert broadcast", g.Clauses(clause.OnConflict{UpdateAll: true}).Create(&up).Error)
	ups := []r15Setting{{Key: "theme", Value: "light", Version: start}, {Key: "font", Value: "mono", Version: start}}
	must("upsert unsharded", g.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "version"})}).Create(&ups).Error)
	uo := r15Order{UserID: u0.ID, Status: "upsert", Amount: 77}
	must("upsert sharded", g.Clauses(clause.OnConflict{UpdateAll: true}).Create(&uo).Error)
	must("donothing", g.Clauses(clause.OnConflict{DoNothing: true}).Create(&r15Country{Code: "de", Name: "x"}).Error)

	// Transactions: a nested one fails (its savepoint is rolled back),
	// an explicit SavePoint/RollbackTo, FOR UPDATE.
	err = g.Transaction(func(tx *gorm.DB) error {
		var locked []r15Order
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("user_id = ?", u0.ID).Order("amount").Find(&locked).Error; err != nil {
			return err
		}
		log("locked %d", len(locked))
		var lc r15Country
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("code = ?", "it").First(&lc).Error; err != nil {
			return err
		}
		if err := tx.Model(&r15Order{}).Where("user_id = ?", u0.ID).Update("amount", gorm.Expr("amount + 1000")).Error; err != nil {
			return err
		}
		ierr := tx.Transaction(func(tx2 *gorm.DB) error {
			if err := tx2.Create(&r15User{Name: "inner", CountryID: 1}).Error; err != nil {
				return err
			}
			if err := tx2.Model(&r15Setting{}).Where("1 = 1").Update("version", 99).Error; err != nil {
				return err
			}
			if err := tx2.Model(&r15Country{}).Where("1 = 1").Update("region", "gone").Error; err != nil {
				return err
			}
			return errors.New("inner fails")
		})
		log("inner: %v", ierr)
		tx.SavePoint("r15")
		if err := tx.Where("amount > ?", 1000).Delete(&r15Order{}).Error; err != nil {
			return err
		}
		tx.RollbackTo("r15")
		return tx.Create(&r15User{Name: fmt.Sprintf("outer%d", start), CountryID: 2}).Error
	})
	must("transaction", err)

	// FindInBatches over every node.
	var total, batches int
	res = g.Model(&r15Order{}).Where("amount < ?", 5000).FindInBatches(&[]r15Order{}, 4, func(tx *gorm.DB, b int) error {
		batches++
		for _, o := range *tx.Statement.Dest.(*[]r15Order) {
			total += o.Amount
		}
		return nil
	})
	must("findinbatches", res.Error)
	log("batches %d total %d rows %d", batches, total, res.RowsAffected)

	// Count, Group, Having, Scopes, Pluck.
	var n int64
	must("count", g.Model(&r15Order{}).Where("status <> ?", "sent").Count(&n).Error)
	log("n %d", n)
	type grp struct {
		Status string
		N      int
		Tot    int
	}
	var gs []grp
	must("group having", g.Model(&r15Order{}).Select("status, count(*) AS n, sum(amount) AS tot").Group("status").
		Having("count(*) > ?", 1).Order("status").Scan(&gs).Error)
	log("groups %v", gs)
	gs = nil
	must("group join broadcast", g.Model(&r15User{}).Select("r15_countries.code AS status, count(*) AS n").
		Joins("JOIN r15_countries ON r15_countries.id = r15_users.country_id").Group("r15_countries.code").Order("status").Scan(&gs).Error)
	log("groups %v", gs)
	page := func(p, size int) func(*gorm.DB) *gorm.DB {
		return func(db *gorm.DB) *gorm.DB { return db.Order("name").Offset((p - 1) * size).Limit(size) }
	}
	var pg []r15User
	must("scopes", g.Scopes(page(2, 3)).Find(&pg).Error)
	for _, u := range pg {
		log("page %s", u.Name)
	}
	var names []string
	must("pluck", g.Model(&r15User{}).Where("country_id = ?", 1).Order("name").Pluck("name", &names).Error)
	log("pluck %v", names)
	var codes []string
	must("pluck broadcast", g.Model(&r15Country{}).Order("code").Pluck("code", &codes).Error)
	log("codes %v", codes)

	// Raw and Exec with named arguments (gorm replaces them by ?).
	var raw []string
	must("raw named", g.Raw("SELECT name FROM r15_users WHERE country_id = @c AND name LIKE @p ORDER BY name",
		sql.Named("c", 2), sql.Named("p", "u%")).Scan(&raw).Error)
	log("raw %v", raw)
	raw = nil
	must("raw map", g.Raw("SELECT name FROM r15_users WHERE id IN (SELECT user_id FROM r15_orders WHERE amount >= @a) ORDER BY name",
		map[string]any{"a": 50}).Scan(&raw).Error)
	log("raw %v", raw)
	res = g.Exec("UPDATE r15_orders SET note = @n WHERE user_id = @u", map[string]any{"n": "exec", "u": u0.ID})
	must("exec named", res.Error)
	log("rows %d", res.RowsAffected)

	// Soft delete, Unscoped, hard delete.
	must("soft delete", g.Where("name = ?", "u5").Delete(&r15User{}).Error)
	var vis, all int64
	must("count visible", g.Model(&r15User{}).Count(&vis).Error)
	must("count all", g.Unscoped().Model(&r15User{}).Count(&all).Error)
	log("visible %d all %d", vis, all)
	var gone r15User
	log("deleted hidden: %v", errors.Is(g.Where("name = ?", "u5").First(&gone).Error, gorm.ErrRecordNotFound))
	must("unscoped find", g.Unscoped().Where("name = ?", "u5").First(&gone).Error)
	log("deleted_at set %v", gone.DeletedAt.Valid)
	must("hard delete", g.Unscoped().Where("name LIKE ?", "inner%").Delete(&r15User{}).Error)
	must("delete orders", g.Where("status = ?", "sent").Delete(&r15Order{}).Error)

	// The state every later start finds.
	var final []r15User
	must("final", g.Unscoped().Preload("Orders").Preload("Country").Order("name").Find(&final).Error)
	for _, u := range final {
		var am []int
		for _, o := range u.Orders {
			am = append(am, o.Amount)
		}
		slices.Sort(am)
		log("final %s %s %s %v %v", u.Name, u.Email, u.Country.Name, u.DeletedAt.Valid, am)
	}
	var sets []r15Setting
	must("settings", g.Order("`key`").Find(&sets).Error)
	for _, s := range sets {
		log("setting %s=%s v%d", s.Key, s.Value, s.Version)
	}
}
