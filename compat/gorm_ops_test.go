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

	"github.com/shardsql/shardsql/driver"
)

// gormAuthor has posts (a has-many association) and is sharded by its
// generated id; gormPost is sharded by AuthorID and soft-deleted.
type gormAuthor struct {
	ID    uint64     `gorm:"primaryKey"`
	Name  string     `gorm:"size:32;index"`
	Posts []gormPost `gorm:"foreignKey:AuthorID"`
}

func (gormAuthor) TableName() string { return "g_authors" }

type gormPost struct {
	ID        uint64 `gorm:"primaryKey"`
	AuthorID  uint64 `gorm:"index"`
	Title     string `gorm:"size:32"`
	Likes     int
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

func (gormPost) TableName() string { return "g_posts" }

// gormTag is unsharded (on the default data source): its upsert conflicts
// on a unique key without any sharding column.
type gormTag struct {
	ID   uint64 `gorm:"primaryKey"`
	Name string `gorm:"size:32;uniqueIndex"`
	Uses int
}

func (gormTag) TableName() string { return "g_tags" }

// TestGormOperations runs what gorm sends in everyday use on one database
// and through shardsql and compares the transcripts: Create with
// associations, Preload (IN lists spanning nodes), FindInBatches, soft
// delete and Unscoped, Count with Group, upserts (OnConflict with
// DoUpdates and DoNothing), SavePoint/RollbackTo, Scopes with
// LIMIT/OFFSET, Pluck, raw SQL with named arguments, and a Save that moves
// a post to another author.
func TestGormOperations(t *testing.T) {
	e := newEnv(t, "gormops", table{"g_authors", "id", "id"}, table{"g_posts", "author_id", "id"})
	var transcripts [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		if sharded {
			// gorm declares a FOREIGN KEY for the association: refused
			// on a sharded table (a node would check its own data source).
			err := openGorm(t, db, false).AutoMigrate(&gormAuthor{}, &gormPost{})
			if !errors.Is(err, driver.ErrUnsupported) || !strings.Contains(err.Error(), "FOREIGN KEY") {
				t.Fatalf("AutoMigrate with a foreign key to a sharded table: %v", err)
			}
		}
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
		for range 3 {
			must(g.AutoMigrate(&gormAuthor{}, &gormPost{}, &gormTag{}))
		}

		// Create with associations: gorm inserts the author, then its
		// posts with the author's id (an upsert on the posts' ids).
		var authors []gormAuthor
		for i := range 12 {
			a := gormAuthor{Name: fmt.Sprintf("author%02d", i)}
			for j := range i % 4 {
				a.Posts = append(a.Posts, gormPost{Title: fmt.Sprintf("post%02d-%d", i, j), Likes: (i*7 + j) % 10})
			}
			authors = append(authors, a)
		}
		must(g.Create(&authors).Error)
		for _, a := range authors {
			for _, p := range a.Posts {
				if p.AuthorID != a.ID || p.ID == 0 {
					t.Fatalf("post %+v of author %d", p, a.ID)
				}
			}
		}

		// Preload: one SELECT … WHERE author_id IN (ids of every node).
		var loaded []gormAuthor
		must(g.Preload("Posts", func(db *gorm.DB) *gorm.DB { return db.Order("title") }).Order("name").Find(&loaded).Error)
		for _, a := range loaded {
			var titles []string
			for _, p := range a.Posts {
				titles = append(titles, p.Title)
			}
			log("preload %s %v", a.Name, titles)
		}

		// FindInBatches: keyset pages by primary key.
		batches, seen := 0, 0
		var page []gormPost
		must(g.Order("id").FindInBatches(&page, 4, func(tx *gorm.DB, batch int) error {
			batches++
			seen += len(page)
			return nil
		}).Error)
		log("batches %d rows %d", batches, seen)

		// Soft delete, then counts with and without Unscoped.
		res := g.Where("likes < ?", 3).Delete(&gormPost{})
		must(res.Error)
		log("soft deleted %d", res.RowsAffected)
		var n int64
		must(g.Model(&gormPost{}).Count(&n).Error)
		log("visible posts %d", n)
		must(g.Unscoped().Model(&gormPost{}).Count(&n).Error)
		log("all posts %d", n)

		// Count with Group: the number of groups.
		must(g.Model(&gormPost{}).Group("author_id").Count(&n).Error)
		log("authors with posts %d", n)
		var perAuthor []struct {
			AuthorID uint64
			N        int64
		}
		must(g.Model(&gormPost{}).Select("author_id, COUNT(*) AS n").Group("author_id").Having("COUNT(*) > ?", 1).Order("author_id").Scan(&perAuthor).Error)
		log("authors with several posts %d", len(perAuthor))

		// Scopes with LIMIT/OFFSET, and Pluck.
		paginate := func(page, size int) func(*gorm.DB) *gorm.DB {
			return func(db *gorm.DB) *gorm.DB { return db.Offset((page - 1) * size).Limit(size) }
		}
		var titles []string
		must(g.Model(&gormPost{}).Scopes(paginate(2, 3)).Order("title").Pluck("title", &titles).Error)
		log("page 2 %v", titles)
		var names []string
		must(g.Model(&gormAuthor{}).Where("name > ?", "author05").Order("name DESC").Pluck("name", &names).Error)
		log("pluck %v", names)

		// Raw SQL with named arguments.
		var raw []struct {
			Title string
			Likes int
		}
		must(g.Raw("SELECT title, likes FROM g_posts WHERE likes >= @min AND deleted_at IS NULL ORDER BY likes DESC, title LIMIT @n",
			sql.Named("min", 5), sql.Named("n", 4)).Scan(&raw).Error)
		log("raw %+v", raw)
		must(g.Exec("UPDATE g_posts SET likes = likes + @d WHERE author_id = @a", map[string]any{"d": 100, "a": authors[5].ID}).Error)

		// Upserts: DoUpdates of named columns on a sharded table (the
		// conflict is on the primary key, the sharding column of
		// g_authors), DoNothing, and an unsharded table's unique key.
		must(g.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoUpdates: clause.AssignmentColumns([]string{"name"})}).
			Create(&gormAuthor{ID: authors[2].ID, Name: "renamed"}).Error)
		must(g.Clauses(clause.OnConflict{DoNothing: true}).Create(&gormAuthor{ID: authors[3].ID, Name: "ignored"}).Error)
		for range 3 {
			must(g.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "name"}}, DoUpdates: clause.Assignments(map[string]any{"uses": gorm.Expr("uses + 1")})}).
				Create(&gormTag{Name: "go"}).Error)
		}
		var tag gormTag
		must(g.Where("name = ?", "go").First(&tag).Error)
		log("tag uses %d", tag.Uses)
		must(g.Model(&gormAuthor{}).Order("name").Pluck("name", &names).Error)
		log("authors %v", names)

		// SavePoint and RollbackTo inside a transaction.
		must(g.Transaction(func(tx *gorm.DB) error {
			must(tx.Create(&gormPost{AuthorID: authors[1].ID, Title: "kept"}).Error)
			tx.SavePoint("sp1")
			must(tx.Create(&gormPost{AuthorID: authors[7].ID, Title: "gone"}).Error)
			must(tx.Model(&gormPost{}).Where("author_id = ?", authors[1].ID).Update("likes", 42).Error)
			tx.RollbackTo("sp1")
			return tx.Error
		}))
		must(g.Model(&gormPost{}).Where("title IN ?", []string{"kept", "gone"}).Order("title").Pluck("title", &titles).Error)
		log("after savepoint %v", titles)
		must(g.Model(&gormPost{}).Where("author_id = ? AND likes = ?", authors[1].ID, 42).Count(&n).Error)
		log("rolled back update %d", n)

		// Save of a post whose sharding key changed: the row moves.
		var p gormPost
		must(g.Where("title = ?", "kept").First(&p).Error)
		p.AuthorID = authors[9].ID
		must(g.Save(&p).Error)
		var movedTo []uint64
		must(g.Model(&gormPost{}).Where("title = ?", "kept").Pluck("author_id", &movedTo).Error)
		log("moved %v", slices.Equal(movedTo, []uint64{authors[9].ID}))

		// First on a missing row: the same error.
		err = g.First(&gormAuthor{}, "name = ?", "nobody").Error
		log("missing: %v", errors.Is(err, gorm.ErrRecordNotFound))
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("gorm observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}
