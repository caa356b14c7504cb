package compat_test

import (
	"database/sql"
	"errors"
	"testing"
	"time"

	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// w19Log is a log table with gorm's soft delete: Delete is an UPDATE of
// deleted_at, and Where(…).Limit(n).Delete(&Log{}) is gorm's soft-delete
// batch, `UPDATE w19_logs SET deleted_at = ? WHERE … AND
// w19_logs.deleted_at IS NULL LIMIT n`.
type w19Log struct {
	ID        uint64 `gorm:"primaryKey"`
	UserID    uint64 `gorm:"index"`
	Level     string `gorm:"size:8"`
	CreatedAt time.Time
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

func (w19Log) TableName() string { return "w19_logs" }

// TestWrites19GormSoftDeleteBatches runs gorm's soft-delete batch in a
// loop until a batch deletes nothing, over a table sharded by user_id:
// since writes19 each batch (an UPDATE … LIMIT across nodes) counts each
// node's matching rows with a locking read and updates min(n, matching)
// rows, as one table (before, every batch was refused). The transcript
// holds each batch's RowsAffected and the counts left, which do not
// depend on which rows a batch chose; with a prepared-statement session
// too. Then ordered batches, Order(…).Limit(n).Delete: the rows left are
// those the order leaves.
func TestWrites19GormSoftDeleteBatches(t *testing.T) {
	f := newFreshEnv(t, "writes19gorm", nil, nil, table{"w19_logs", "user_id", "id"})
	var tr [2]transcript
	sharded, oracle := f.open(t)
	for i, db := range []*sql.DB{oracle, sharded} {
		writes19GormSoftDelete(t, db, &tr[i])
	}
	compareTranscripts(t, "gorm writes19", tr[0].out, tr[1].out)
}

func writes19GormSoftDelete(t *testing.T, db *sql.DB, tr *transcript) {
	g, err := gorm.Open(mysql.New(mysql.Config{Conn: db}), &gorm.Config{Logger: logger.Discard, TranslateError: true})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tr.log("automigrate: %v", g.AutoMigrate(&w19Log{}))
	var rows []w19Log
	for i := 0; i < 30; i++ {
		rows = append(rows, w19Log{UserID: uint64(i%7 + 1), Level: []string{"info", "warn", "error"}[i%3], CreatedAt: base.Add(time.Duration(i) * time.Hour)})
	}
	tr.log("create: %v", g.CreateInBatches(&rows, 10).Error)
	cutoff := base.Add(20 * time.Hour) // 20 rows older
	counts := func(what string) {
		var old, live, all int64
		err1 := g.Model(&w19Log{}).Where("created_at < ?", cutoff).Count(&old).Error
		err2 := g.Model(&w19Log{}).Count(&live).Error
		err3 := g.Unscoped().Model(&w19Log{}).Count(&all).Error
		tr.log("%s: older live %d live %d all %d (%v %v %v)", what, old, live, all, err1, err2, err3)
	}
	// A batch in a transaction that is rolled back deletes nothing.
	err = g.Transaction(func(tx *gorm.DB) error {
		r := tx.Where("created_at < ?", cutoff).Limit(6).Delete(&w19Log{})
		tr.log("batch in transaction: %v %d", r.Error, r.RowsAffected)
		r = tx.Where("created_at < ?", cutoff).Limit(6).Delete(&w19Log{})
		tr.log("second batch in transaction: %v %d", r.Error, r.RowsAffected)
		return errors.New("roll back")
	})
	tr.log("transaction: %v", err)
	counts("after rollback")
	// A committed transaction with two batches.
	err = g.Transaction(func(tx *gorm.DB) error {
		for i := 0; i < 2; i++ {
			r := tx.Where("created_at < ?", cutoff).Limit(4).Delete(&w19Log{})
			tr.log("committed batch %d: %v %d", i, r.Error, r.RowsAffected)
		}
		return nil
	})
	tr.log("transaction: %v", err)
	counts("after commit")
	for batch := 1; batch <= 10; batch++ {
		r := g.Where("created_at < ?", cutoff).Limit(5).Delete(&w19Log{})
		tr.log("batch %d: %v %d", batch, r.Error, r.RowsAffected)
		if r.Error != nil || r.RowsAffected == 0 {
			break
		}
	}
	counts("after soft purge")
	ps := g.Session(&gorm.Session{PrepareStmt: true})
	for batch := 1; batch <= 10; batch++ {
		r := ps.Where("level = ?", "warn").Limit(3).Delete(&w19Log{})
		tr.log("prepared warn batch %d: %v %d", batch, r.Error, r.RowsAffected)
		if r.Error != nil || r.RowsAffected == 0 {
			break
		}
	}
	counts("after warn purge")
	// Oldest first (writes19: UPDATE … ORDER BY … LIMIT across nodes, a
	// locking read of the first rows in the order, then by key), in a
	// committed transaction and outside one; which rows remain is
	// determined by the order.
	err = g.Transaction(func(tx *gorm.DB) error {
		r := tx.Where("user_id > ?", 0).Order("created_at DESC").Limit(2).Delete(&w19Log{})
		tr.log("newest first in transaction: %v %d", r.Error, r.RowsAffected)
		return r.Error
	})
	tr.log("transaction: %v", err)
	r0 := g.Where("level <> ?", "none").Order("created_at").Limit(2).Delete(&w19Log{})
	tr.log("oldest first: %v %d", r0.Error, r0.RowsAffected)
	var live []time.Time
	tr.log("live: %v", g.Model(&w19Log{}).Order("created_at").Pluck("created_at", &live).Error)
	for _, at := range live {
		tr.log("  %s", at.UTC().Format(time.DateTime))
	}
	counts("after ordered batches")
	// Then the hard purge of the soft-deleted rows (writes18).
	r := g.Unscoped().Where("deleted_at IS NOT NULL").Limit(1000).Delete(&w19Log{})
	tr.log("hard purge: %v %d", r.Error, r.RowsAffected)
	counts("after hard purge")
}
