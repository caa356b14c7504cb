package compat_test

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// gormUser is sharded by its primary key, which shardsql generates.
type gormUser struct {
	ID        uint64 `gorm:"primaryKey"`
	Name      string `gorm:"size:32"`
	Age       int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (gormUser) TableName() string { return "g_users" }

// gormOrder is sharded by UserID; its primary key is generated.
type gormOrder struct {
	ID     uint64 `gorm:"primaryKey"`
	UserID uint64 `gorm:"index"`
	Status string `gorm:"size:16"`
	Amount int64
}

func (gormOrder) TableName() string { return "g_orders" }

// openGorm opens gorm on db with the MariaDB dialect as detected, RETURNING
// off unless returning is set.
func openGorm(t testing.TB, db *sql.DB, returning bool) *gorm.DB {
	t.Helper()
	g, err := gorm.Open(mysql.New(mysql.Config{Conn: db, DisableWithReturning: !returning}),
		&gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

var errRollback = errors.New("roll back")

// TestGorm runs one gorm program on one database and through shardsql,
// and compares what it observes: migrations twice, Create and
// CreateInBatches (the ids gorm assigns from LastInsertId are the rows'),
// Save and Updates (which set the unchanged sharding column), a Save that
// moves an order to another user, OnConflict UpdateAll, nested
// transactions (savepoints), pagination, aggregates, deletes, RETURNING.
func TestGorm(t *testing.T) {
	e := newEnv(t, "gorm", table{"g_users", "id", "id"}, table{"g_orders", "user_id", "id"})
	var transcripts [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		g := openGorm(t, db, false)
		var out []string
		log := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		defer func() { transcripts[boolIndex(sharded)] = out }()

		must(g.AutoMigrate(&gormUser{}, &gormOrder{}))
		t.Run("AutoMigrate again", func(t *testing.T) {
			if err := g.AutoMigrate(&gormUser{}, &gormOrder{}); err != nil {
				t.Fatal(err)
			}
		})

		// Create, then batches: every id gorm hands back must be the row's.
		first := gormUser{Name: "first", Age: 20}
		must(g.Create(&first).Error)
		var users []gormUser
		for i := range 60 {
			users = append(users, gormUser{Name: fmt.Sprintf("user%02d", i), Age: 18 + i%40})
		}
		must(g.CreateInBatches(&users, 25).Error)
		users = append([]gormUser{first}, users...)
		for _, u := range users {
			var got gormUser
			must(g.First(&got, u.ID).Error)
			if got.Name != u.Name {
				t.Fatalf("user id %d: gorm holds %q, the database %q", u.ID, u.Name, got.Name)
			}
		}
		var orders []gormOrder
		for i, u := range users {
			orders = append(orders, gormOrder{UserID: u.ID, Status: []string{"new", "paid", "sent"}[i%3], Amount: int64(100 + i)},
				gormOrder{UserID: u.ID, Status: "new", Amount: int64(5 * i)})
		}
		must(g.CreateInBatches(&orders, 50).Error)
		for _, o := range orders {
			var got gormOrder
			must(g.First(&got, o.ID).Error)
			if got.UserID != o.UserID || got.Amount != o.Amount {
				t.Fatalf("order id %d: gorm holds %+v, the database %+v", o.ID, o, got)
			}
		}
		var n int64
		must(g.Model(&gormOrder{}).Count(&n).Error)
		log("orders %d", n)

		// Save and Updates set every column, the sharding column included.
		u := users[3]
		u.Age = 77
		must(g.Save(&u).Error)
		o := orders[7]
		o.Status = "saved"
		must(g.Save(&o).Error)
		must(g.Model(&o).Updates(gormOrder{UserID: o.UserID, Status: "updated"}).Error)
		// A real change of the sharding column moves the order.
		o.UserID = users[10].ID
		must(g.Save(&o).Error)
		var moved gormOrder
		must(g.First(&moved, o.ID).Error)
		log("moved order belongs to user %v: %v", users[10].Name, moved.UserID == users[10].ID)
		must(g.Model(&gormOrder{}).Where("user_id = ?", users[10].ID).Count(&n).Error)
		log("user %s has %d orders", users[10].Name, n)

		// OnConflict UpdateAll: one existing row, one new.
		up := []gormUser{{ID: users[5].ID, Name: "upserted", Age: 50}, {Name: "inserted", Age: 51}}
		must(g.Clauses(clause.OnConflict{UpdateAll: true}).Create(&up).Error)
		var got gormUser
		must(g.First(&got, users[5].ID).Error)
		log("upsert: %s %d", got.Name, got.Age)

		// Nested transactions are savepoints.
		must(g.Transaction(func(tx *gorm.DB) error {
			must(tx.Create(&gormUser{Name: "nest-outer"}).Error)
			if err := tx.Transaction(func(tx2 *gorm.DB) error {
				must(tx2.Create(&[]gormUser{{Name: "nest-gone1"}, {Name: "nest-gone2"}, {Name: "nest-gone3"}}).Error)
				must(tx2.Model(&gormUser{}).Where("name = ?", "first").Update("age", 99).Error)
				return errRollback
			}); !errors.Is(err, errRollback) {
				t.Fatalf("inner transaction: %v", err)
			}
			return tx.Transaction(func(tx2 *gorm.DB) error {
				return tx2.Create(&[]gormUser{{Name: "nest-kept1"}, {Name: "nest-kept2"}}).Error
			})
		}))
		if err := g.Transaction(func(tx *gorm.DB) error {
			must(tx.Create(&gormUser{Name: "outer-gone"}).Error)
			return errRollback
		}); !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		var names []string
		must(g.Model(&gormUser{}).Where("name LIKE ? OR name LIKE ? OR name = ?", "nest%", "outer%", "first").Order("name").Pluck("name", &names).Error)
		log("after nested transactions: %v", names)
		must(g.Model(&gormUser{}).Where("name = ?", "first").Pluck("age", &names).Error)
		log("first's age: %v", names)

		// Pagination and aggregates.
		var page []gormUser
		must(g.Order("name").Offset(20).Limit(10).Find(&page).Error)
		for _, p := range page {
			log("page: %s %d", p.Name, p.Age)
		}
		var groups []struct {
			Status string
			N      int64
			Total  int64
		}
		must(g.Model(&gormOrder{}).Select("status, COUNT(*) AS n, SUM(amount) AS total").Group("status").Order("status").Scan(&groups).Error)
		log("groups: %+v", groups)
		var avgAge float64
		must(g.Model(&gormUser{}).Select("AVG(age)").Row().Scan(&avgAge))
		log("avg age %.4f", avgAge)

		// Deletes.
		res := g.Where("age > ?", 50).Delete(&gormUser{})
		must(res.Error)
		log("deleted %d", res.RowsAffected)
		must(g.Delete(&gormUser{}, users[1].ID).Error)
		must(g.Model(&gormUser{}).Count(&n).Error)
		log("users %d", n)

		t.Run("RETURNING", func(t *testing.T) {
			gr := openGorm(t, db, true)
			r := gormUser{Name: "returned", Age: 1}
			if err := gr.Create(&r).Error; err != nil {
				t.Fatal(err)
			}
			var back gormUser
			must(gr.First(&back, r.ID).Error)
			if back.Name != "returned" {
				t.Fatalf("RETURNING id %d holds %q", r.ID, back.Name)
			}
		})
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("gorm observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}
