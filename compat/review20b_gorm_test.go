package compat_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	"entgo.io/ent/schema/field"

	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Three versions of one gorm model over r20_items, sharded by user_id
// with generated ids: v2 changes a column's type (INT to BIGINT), makes a
// column NOT NULL with a default, widens and comments another, changes a
// default, adds a DECIMAL column and two indexes; v3 turns a VARCHAR into
// TEXT, drops a default, widens the DECIMAL and adds a column with a
// default expression.
type r20ItemV1 struct {
	ID     uint64 `gorm:"primaryKey"`
	UserID int64  `gorm:"index"`
	Name   string `gorm:"size:32"`
	Qty    int32
	Note   string `gorm:"size:20"`
	Kind   string `gorm:"size:8;default:a"`
}

func (r20ItemV1) TableName() string { return "r20_items" }

type r20ItemV2 struct {
	ID     uint64  `gorm:"primaryKey"`
	UserID int64   `gorm:"index;index:idx_r20_user_kind,priority:1"`
	Name   string  `gorm:"size:32;not null;default:anon;index:idx_r20_name"`
	Qty    int64   `gorm:"check:chk_r20_qty,qty >= 0"`
	Note   string  `gorm:"size:40;comment:the note"`
	Kind   string  `gorm:"size:8;default:b;index:idx_r20_user_kind,priority:2"`
	Price  float64 `gorm:"type:decimal(10,2);default:0"`
}

func (r20ItemV2) TableName() string { return "r20_items" }

type r20ItemV3 struct {
	ID      uint64  `gorm:"primaryKey"`
	UserID  int64   `gorm:"index;index:idx_r20_user_kind,priority:1;uniqueIndex:idx_r20_user_name,priority:1"`
	Name    string  `gorm:"size:32;not null;default:anon;index:idx_r20_name;uniqueIndex:idx_r20_user_name,priority:2"`
	Qty     int64   `gorm:"check:chk_r20_qty,qty >= 0"`
	Note    string  `gorm:"type:text;comment:the note"`
	Kind    string  `gorm:"size:8;index:idx_r20_user_kind,priority:2"`
	Price   float64 `gorm:"type:decimal(12,2);default:0"`
	Created int64   `gorm:"default:7"`
}

func (r20ItemV3) TableName() string { return "r20_items" }

// TestReview20bGormEvolve runs gorm's AutoMigrate of each version two or
// three times (every start of a program migrates) in new pools each time, on
// one database and through shardsql over data sources whose databases
// have different names, the table's first node on the second data
// source. The DDL gorm sends must be the oracle's (none on the second and
// third run), every node table must end with the oracle's definition, and
// the Migrator's answers (HasTable/HasColumn/HasIndex/ColumnTypes/
// GetIndexes) must be the oracle's.
func TestReview20bGormEvolve(t *testing.T) {
	f := newR20bEnv(t, "r20bgorm", table{"r20_items", "user_id", "id"})
	var tr [2]transcript
	versions := []any{&r20ItemV1{}, &r20ItemV2{}, &r20ItemV3{}}
	for v, model := range versions {
		// Three runs of v2 (the version that changes most), two of the
		// others: the suite's time (the second run is the one that finds
		// the schema applied).
		runs := 2
		if v == 1 {
			runs = 3
		}
		for run := 1; run <= runs; run++ {
			sharded := f.open(t)
			oracle, err := sql.Open("mysql", f.oracleDSN)
			if err != nil {
				t.Fatal(err)
			}
			for i, db := range []*sql.DB{oracle, sharded} {
				log := func(format string, a ...any) {
					tr[i].log("v%d run %d: "+format, append([]any{v + 1, run}, a...)...)
				}
				var ddl []string
				g, err := gorm.Open(mysql.New(mysql.Config{Conn: db, DisableWithReturning: true}),
					&gorm.Config{Logger: ddlLogger{Interface: logger.Discard, ddl: &ddl}})
				if err != nil {
					t.Fatal(err)
				}
				log("migrate: %v", g.AutoMigrate(model))
				log("ddl %q", ddl)
				m := g.Migrator()
				log("has table %v, name %v, price %v, nosuch %v", m.HasTable(model), m.HasColumn(model, "Name"), m.HasColumn(model, "Price"), m.HasColumn(model, "nosuch"))
				log("has idx_r20_name %v, idx_r20_user_kind %v, user_id %v, idx_r20_user_name %v", m.HasIndex(model, "idx_r20_name"), m.HasIndex(model, "idx_r20_user_kind"), m.HasIndex(model, "UserID"), m.HasIndex(model, "idx_r20_user_name"))
				log("has chk_r20_qty %v", m.HasConstraint(model, "chk_r20_qty"))
				tables, err := m.GetTables()
				log("tables %v %v", tables, err)
				for _, q := range []string{"SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()", "SHOW TABLES", "SHOW TABLES LIKE 'r20%'"} {
					var names []string
					log("%s: %v %v", q, g.Raw(q).Pluck("1", &names).Error, names)
				}
				cols, err := m.ColumnTypes(model)
				log("column types: %v", err)
				for _, c := range cols {
					l, _ := c.Length()
					nl, _ := c.Nullable()
					d, _ := c.DefaultValue()
					cm, _ := c.Comment()
					ct, _ := c.ColumnType()
					p, s, _ := c.DecimalSize()
					u, _ := c.Unique()
					pk, _ := c.PrimaryKey()
					log("column %s %s %s len %d null %v default %q comment %q dec %d,%d unique %v pk %v", c.Name(), c.DatabaseTypeName(), ct, l, nl, d, cm, p, s, u, pk)
				}
				idx, err := m.GetIndexes(model)
				log("indexes: %v", err)
				for _, ix := range idx {
					u, _ := ix.Unique()
					pk, _ := ix.PrimaryKey()
					log("index %s %v unique %v pk %v", ix.Name(), ix.Columns(), u, pk)
				}
				row := map[string]any{"user_id": int64(run*10 + v), "name": fmt.Sprintf("n%d%d", v, run), "qty": run}
				log("insert: %v", g.Model(model).Create(row).Error)
				var out []map[string]any
				log("read: %v", g.Model(model).Select("user_id", "name", "qty", "kind").Order("user_id").Find(&out).Error)
				log("rows %v", out)
			}
			_ = oracle.Close()
			_ = sharded.Close()
			f.checkNodes(t, fmt.Sprintf("v%d run %d", v+1, run), "r20_items")
		}
	}
	compareTranscripts(t, "gorm", tr[0].out, tr[1].out)
}

// TestReview20bEntMigrate runs ent's schema migration (Atlas) three times
// for each of three versions, in new pools each time, on one database and
// through shardsql over data sources with different database names, the
// tables' first nodes on the second data source: version 2 widens a
// column and adds fields, indexes and edges (entFreshTables), version 3
// changes a type and a default, drops a column and an index
// (WithDropColumn, WithDropIndex). Atlas inspects with `table_schema = ?`
// bound to what SCHEMA() answered. The plan must be the oracle's (empty
// on the second and third run) and every node table the oracle's.
func TestReview20bEntMigrate(t *testing.T) {
	f := newR20bEnv(t, "r20bent", table{"e15_users", "id", "id"}, table{"e15_pets", "owner_id", "id"}, table{"e15_user_friends", "user_id", ""})
	var tr [2]transcript
	tablesOf := func(version int) []*schema.Table {
		ts := entFreshTables(min(version, 2))
		users, pets := ts[0], ts[1]
		if version >= 2 {
			// MariaDB's JSON is LONGTEXT with a CHECK (json_valid(…)) that
			// Atlas reads back from information_schema.CHECK_CONSTRAINTS.
			users.Columns = append(users.Columns,
				&schema.Column{Name: "prefs", Type: field.TypeJSON, Nullable: true},
				&schema.Column{Name: "mood", Type: field.TypeEnum, Enums: []string{"happy", "sad"}, Default: "happy"},
				&schema.Column{Name: "joined", Type: field.TypeTime, Nullable: true},
				&schema.Column{Name: "score", Type: field.TypeFloat64, Default: 1.5},
				&schema.Column{Name: "active", Type: field.TypeBool, Default: true},
				&schema.Column{Name: "code", Type: field.TypeString, Size: 16, Nullable: true})
			users.Indexes = append(users.Indexes, &schema.Index{Name: "user_id_code", Unique: true, Columns: []*schema.Column{users.Columns[0], users.Columns[len(users.Columns)-1]}})
		}
		if version < 3 {
			return ts
		}
		users.Columns[2].Type = field.TypeInt64 // age: INT to BIGINT
		users.Columns[2].Default = 18
		users.Indexes = nil                               // drop user_email
		pets.Columns = pets.Columns[:len(pets.Columns)-1] // drop kind_id
		pets.Indexes = pets.Indexes[:1]                   // and its index
		return ts
	}
	for version := 1; version <= 3; version++ {
		for run := 1; run <= 3; run++ {
			sharded := f.open(t)
			oracle, err := sql.Open("mysql", f.oracleDSN)
			if err != nil {
				t.Fatal(err)
			}
			for i, db := range []*sql.DB{oracle, sharded} {
				log := func(format string, a ...any) {
					tr[i].log("v%d run %d: "+format, append([]any{version, run}, a...)...)
				}
				ctx := context.Background()
				drv := entsql.OpenDB(dialect.MySQL, db)
				var plan []string
				m, err := schema.NewMigrate(drv, schema.WithForeignKeys(false), schema.WithDropColumn(true), schema.WithDropIndex(true),
					schema.WithApplyHook(func(next schema.Applier) schema.Applier {
						return schema.ApplyFunc(func(ctx context.Context, conn dialect.ExecQuerier, p *migrate.Plan) error {
							for _, c := range p.Changes {
								plan = append(plan, c.Cmd)
							}
							return next.Apply(ctx, conn, p)
						})
					}))
				if err != nil {
					t.Fatal(err)
				}
				log("migrate: %v", m.Create(ctx, tablesOf(version)...))
				log("plan %q", plan)
				_, err = db.ExecContext(ctx, "INSERT INTO e15_users (name, age) VALUES (?, ?)", fmt.Sprintf("u%d%d", version, run), run)
				log("insert: %v", err)
				log("users %s", queryText(t, db, "SELECT name, age FROM e15_users ORDER BY name"))
			}
			_ = oracle.Close()
			_ = sharded.Close()
			f.checkNodes(t, fmt.Sprintf("v%d run %d", version, run), "e15_users", "e15_pets", "e15_user_friends")
		}
	}
	compareTranscripts(t, "ent", tr[0].out, tr[1].out)
}
