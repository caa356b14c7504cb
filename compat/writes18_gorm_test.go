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

// w18Log is a log table without soft delete: gorm's Delete is a DELETE.
type w18Log struct {
	ID        uint64 `gorm:"primaryKey"`
	UserID    uint64 `gorm:"index"`
	Level     string `gorm:"size:8"`
	CreatedAt time.Time
}

func (w18Log) TableName() string { return "w18_logs" }

// TestWrites18GormBatchedPurge runs gorm's batched purge,
// Where("created_at < ?", t).Limit(n).Delete(&Log{}) in a loop until a
// batch deletes nothing, over a table sharded by user_id: since writes18
// each batch runs node by node in one transaction and deletes
// min(n, matching) rows, as one table (before, every batch was refused).
// The transcript holds each batch's RowsAffected and the counts left,
// which do not depend on which rows a batch chose.
func TestWrites18GormBatchedPurge(t *testing.T) {
	f := newFreshEnv(t, "writes18gorm", nil, nil, table{"w18_logs", "user_id", "id"})
	var tr [2]transcript
	sharded, oracle := f.open(t)
	for i, db := range []*sql.DB{oracle, sharded} {
		writes18GormPurge(t, db, &tr[i])
	}
	compareTranscripts(t, "gorm writes18", tr[0].out, tr[1].out)
}

func writes18GormPurge(t *testing.T, db *sql.DB, tr *transcript) {
	g, err := gorm.Open(mysql.New(mysql.Config{Conn: db}), &gorm.Config{Logger: logger.Discard, TranslateError: true})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tr.log("automigrate: %v", g.AutoMigrate(&w18Log{}))
	var rows []w18Log
	for i := 0; i < 30; i++ {
		rows = append(rows, w18Log{UserID: uint64(i%7 + 1), Level: []string{"info", "warn", "error"}[i%3], CreatedAt: base.Add(time.Duration(i) * time.Hour)})
	}
	tr.log("create: %v", g.CreateInBatches(&rows, 10).Error)
	cutoff := base.Add(20 * time.Hour) // 20 rows older
	counts := func(what string) {
		var old, all int64
		err1 := g.Model(&w18Log{}).Where("created_at < ?", cutoff).Count(&old).Error
		err2 := g.Model(&w18Log{}).Count(&all).Error
		tr.log("%s: older %d all %d (%v %v)", what, old, all, err1, err2)
	}
	// A batch in a transaction that is rolled back deletes nothing.
	err = g.Transaction(func(tx *gorm.DB) error {
		r := tx.Where("created_at < ?", cutoff).Limit(6).Delete(&w18Log{})
		tr.log("batch in transaction: %v %d", r.Error, r.RowsAffected)
		return errors.New("roll back")
	})
	tr.log("transaction: %v", err)
	counts("after rollback")
	for batch := 1; batch <= 10; batch++ {
		r := g.Where("created_at < ?", cutoff).Limit(6).Delete(&w18Log{})
		tr.log("batch %d: %v %d", batch, r.Error, r.RowsAffected)
		if r.Error != nil || r.RowsAffected == 0 {
			break
		}
	}
	counts("after purge")
	r := g.Where("level = ?", "warn").Limit(1000).Delete(&w18Log{})
	tr.log("limit above the matches: %v %d", r.Error, r.RowsAffected)
	counts("after warn purge")
}
