package compat_test

import (
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// Round 16's gorm associations: g16_languages is broadcast; g16_users is
// sharded by its generated id; its many2many join table
// g16_user_languages and its has-one g16_profiles are sharded by user_id
// and bound to g16_users, so every row of a user's associations lives on
// the user's node.
type g16Language struct {
	ID   uint64 `gorm:"primaryKey"`
	Code string `gorm:"size:8;uniqueIndex"`
}

func (g16Language) TableName() string { return "g16_languages" }

type g16User struct {
	ID        uint64        `gorm:"primaryKey"`
	Name      string        `gorm:"size:32;index"`
	Nick      string        `gorm:"size:16"`
	Profile   g16Profile    `gorm:"foreignKey:UserID"`
	Languages []g16Language `gorm:"many2many:g16_user_languages;joinForeignKey:UserID;joinReferences:LanguageID"`
	DeletedAt gorm.DeletedAt
}

func (g16User) TableName() string { return "g16_users" }

type g16Profile struct {
	ID     uint64 `gorm:"primaryKey"`
	UserID uint64 `gorm:"index"`
	Bio    string `gorm:"size:32"`
}

func (g16Profile) TableName() string { return "g16_profiles" }

// TestGormAssociations16FreshStarts runs gorm's associations in three new
// processes each: AutoMigrate with foreign keys declared (refused on the
// sharded tables, naming gorm's option), then without; Create with a
// has-one and a many2many; Preload and Joins; Association Append,
// Replace, Delete, Clear and Count; the Migrator's HasColumn, AlterColumn,
// RenameColumn (and back), HasIndex, DropIndex and CreateIndex on the
// sharded table, every start.
func TestGormAssociations16FreshStarts(t *testing.T) {
	f := newFreshEnv(t, "gormassoc16", []string{"g16_languages"}, [][]string{{"g16_users", "g16_user_languages", "g16_profiles"}},
		table{"g16_users", "id", "id"}, table{"g16_user_languages", "user_id", ""}, table{"g16_profiles", "user_id", "id"})
	var tr [2]transcript
	for start := 1; start <= 3; start++ {
		sharded, oracle := f.open(t)
		for i, db := range []*sql.DB{oracle, sharded} {
			gormAssoc16Start(t, db, i == 1, start, &tr[i])
		}
	}
	compareTranscripts(t, "gorm associations", tr[0].out, tr[1].out)
}

func gormAssoc16Start(t *testing.T, db *sql.DB, sharded bool, start int, tr *transcript) {
	log := func(format string, a ...any) { tr.log("start %d: "+format, append([]any{start}, a...)...) }
	must := func(what string, err error) {
		t.Helper()
		log("%s: %v", what, err)
	}
	if start == 1 {
		// gorm's default declares a foreign key for every association.
		g, err := gorm.Open(mysql.New(mysql.Config{Conn: db}), &gorm.Config{Logger: logger.Discard})
		if err != nil {
			t.Fatal(err)
		}
		err = g.AutoMigrate(&g16Language{}, &g16User{}, &g16Profile{})
		if sharded {
			if err == nil || !strings.Contains(err.Error(), "shardsql: unsupported: FOREIGN KEY") || !strings.Contains(err.Error(), "DisableForeignKeyConstraintWhenMigrating: true") {
				t.Errorf("AutoMigrate with foreign keys: %v, want a refusal naming DisableForeignKeyConstraintWhenMigrating", err)
			}
		} else if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"DROP TABLE IF EXISTS g16_user_languages", "DROP TABLE IF EXISTS g16_profiles", "DROP TABLE IF EXISTS g16_users", "DROP TABLE IF EXISTS g16_languages"} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
	}
	g, err := gorm.Open(mysql.New(mysql.Config{Conn: db}), &gorm.Config{Logger: logger.Discard, DisableForeignKeyConstraintWhenMigrating: true})
	if err != nil {
		t.Fatal(err)
	}
	must("migrate", g.AutoMigrate(&g16Language{}, &g16User{}, &g16Profile{}))
	if start == 1 {
		must("languages", g.Create(&[]g16Language{{Code: "en"}, {Code: "fr"}, {Code: "de"}, {Code: "it"}}).Error)
	}
	var langs []g16Language
	must("load languages", g.Order("code").Find(&langs).Error)
	byCode := map[string]g16Language{}
	for _, l := range langs {
		byCode[l.Code] = l
	}
	var users []g16User
	for i := range 4 {
		users = append(users, g16User{Name: fmt.Sprintf("s%d-u%d", start, i), Profile: g16Profile{Bio: fmt.Sprintf("bio%d", i)},
			Languages: []g16Language{byCode["en"], byCode[[]string{"fr", "de", "it", "fr"}[i]]}})
	}
	must("create with associations", g.CreateInBatches(&users, 3).Error)

	// Association mode on one user.
	u := users[1]
	must("append", g.Model(&u).Association("Languages").Append(&[]g16Language{byCode["it"]}))
	must("replace", g.Model(&u).Association("Languages").Replace(&[]g16Language{byCode["de"], byCode["fr"]}))
	must("delete", g.Model(&u).Association("Languages").Delete(&[]g16Language{byCode["fr"]}))
	log("count %d", g.Model(&u).Association("Languages").Count())
	must("clear", g.Model(&users[2]).Association("Languages").Clear())
	// Replace of a has-one sets the old row's user_id to NULL: a row of a
	// table sharded by user_id needs one, so shardsql refuses it (one
	// database keeps the orphan); Unscoped() deletes the old row instead.
	if sharded {
		err := g.Model(&users[3]).Association("Profile").Replace(&g16Profile{Bio: "new bio"})
		if err == nil || !strings.Contains(err.Error(), "sharding column user_id of table g16_profiles to NULL") {
			t.Errorf("has-one Replace: %v, want the refusal of a NULL sharding value", err)
		}
	}
	must("replace has-one", g.Model(&users[3]).Association("Profile").Unscoped().Replace(&g16Profile{Bio: "new bio"}))
	var orphans int64
	must("orphans", g.Model(&g16Profile{}).Where("user_id IS NULL").Count(&orphans).Error)
	log("orphans %d", orphans)
	must("soft delete", g.Delete(&users[0]).Error)

	var loaded []g16User
	must("preload", g.Preload("Profile").Preload("Languages", func(db *gorm.DB) *gorm.DB { return db.Order("code") }).
		Order("name").Find(&loaded).Error)
	for _, l := range loaded {
		var codes []string
		for _, x := range l.Languages {
			codes = append(codes, x.Code)
		}
		log("user %s profile %q languages %v", l.Name, l.Profile.Bio, codes)
	}
	// Save of a preloaded user upserts its has-one by id, a key without
	// the profiles' sharding column: refused, naming what to send instead.
	loaded[0].Name += "!"
	loaded[0].Profile.Bio = "saved"
	if sharded {
		err := g.Save(&loaded[0]).Error
		if err == nil || !strings.Contains(err.Error(), "Omit(clause.Associations)") {
			t.Errorf("Save with associations: %v, want the refusal naming Omit(clause.Associations)", err)
		}
	}
	must("save without associations", g.Omit(clause.Associations).Save(&loaded[0]).Error)
	must("update the has-one", g.Model(&loaded[0].Profile).Updates(map[string]any{"bio": "saved"}).Error)
	var saved g16User
	must("reload", g.Preload("Profile").First(&saved, loaded[0].ID).Error)
	log("saved %s %q", saved.Name, saved.Profile.Bio)
	var joined []g16User
	must("joins", g.Joins("Profile").Where("g16_users.name LIKE ?", fmt.Sprintf("s%d-%%", start)).Order("g16_users.name").Find(&joined).Error)
	for _, l := range joined {
		log("joined %s %q", l.Name, l.Profile.Bio)
	}
	var locked g16User
	must("locking first", g.Clauses(clause.Locking{Strength: "UPDATE"}).Where("name = ?", users[1].Name).First(&locked).Error)
	log("locked %s", locked.Name)
	var pairs []struct{ Code string }
	must("join table read", g.Raw("SELECT l.code FROM g16_user_languages ul JOIN g16_languages l ON l.id = ul.language_id WHERE ul.user_id = ? ORDER BY l.code", users[1].ID).Scan(&pairs).Error)
	log("pairs %v", pairs)

	// The Migrator on the sharded table, every start.
	m := g.Migrator()
	log("has nick %v name %v", m.HasColumn(&g16User{}, "Nick"), m.HasColumn(&g16User{}, "name"))
	must("alter column", m.AlterColumn(&g16User{}, "Nick"))
	must("rename column", m.RenameColumn(&g16User{}, "nick", "nickname"))
	log("has nick %v nickname %v", m.HasColumn(&g16User{}, "nick"), m.HasColumn(&g16User{}, "nickname"))
	must("rename back", m.RenameColumn(&g16User{}, "nickname", "nick"))
	log("has index %v", m.HasIndex(&g16User{}, "Name"))
	must("drop index", m.DropIndex(&g16User{}, "Name"))
	log("has index %v", m.HasIndex(&g16User{}, "Name"))
	must("create index", m.CreateIndex(&g16User{}, "Name"))
	idx, err := m.GetIndexes(&g16User{})
	must("indexes", err)
	var names []string
	for _, i := range idx {
		names = append(names, i.Name())
	}
	sort.Strings(names)
	log("indexes %v", names)
	cts, err := m.ColumnTypes(&g16User{})
	must("column types", err)
	for _, c := range cts {
		l, _ := c.Length()
		log("column %s %s %d", c.Name(), c.DatabaseTypeName(), l)
	}
}
