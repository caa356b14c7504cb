package compat_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	"entgo.io/ent/dialect/sql/sqlgraph"
	"entgo.io/ent/schema/field"
)

// entTables are the schema ent's migration creates, as its generated code
// would declare it: e_users sharded by id, e_pets by owner_id.
func entTables() []*schema.Table {
	users := &schema.Table{Name: "e_users", Columns: []*schema.Column{
		{Name: "id", Type: field.TypeInt64, Increment: true},
		{Name: "name", Type: field.TypeString, Size: 32},
		{Name: "age", Type: field.TypeInt},
	}}
	users.PrimaryKey = users.Columns[:1]
	pets := &schema.Table{Name: "e_pets", Columns: []*schema.Column{
		{Name: "id", Type: field.TypeInt64},
		{Name: "owner_id", Type: field.TypeInt64},
		{Name: "name", Type: field.TypeString, Size: 32},
	}}
	pets.PrimaryKey = pets.Columns[:1]
	return []*schema.Table{users, pets}
}

// TestEnt drives ent's runtime without generated code: schema migration
// (twice), CreateNode and BatchCreate (what CreateBulk runs: ids numbered
// from LastInsertId, and a batch with its own ids across nodes), queries
// built with ent's SQL builder, and a transaction.
func TestEnt(t *testing.T) {
	e := newEnv(t, "entdb", table{"e_users", "id", "id"}, table{"e_pets", "owner_id", ""})
	var transcripts [2][]string
	e.both(t, func(t *testing.T, db *sql.DB, sharded bool) {
		ctx := context.Background()
		drv := entsql.OpenDB(dialect.MySQL, db)
		var out []string
		log := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
		defer func() { transcripts[boolIndex(sharded)] = out }()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		migrate := func() error {
			m, err := schema.NewMigrate(drv, schema.WithForeignKeys(false))
			if err != nil {
				return err
			}
			return m.Create(ctx, entTables()...)
		}
		must(migrate())
		t.Run("migration again", func(t *testing.T) {
			if err := migrate(); err != nil {
				t.Fatal(err)
			}
		})

		user := func(name string, age int) *sqlgraph.CreateSpec {
			return &sqlgraph.CreateSpec{Table: "e_users", ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64},
				Fields: []*sqlgraph.FieldSpec{{Column: "name", Type: field.TypeString, Value: name}, {Column: "age", Type: field.TypeInt, Value: age}}}
		}
		nameOf := func(id any) string {
			t.Helper()
			q, args := entsql.Dialect(dialect.MySQL).Select("name").From(entsql.Table("e_users")).Where(entsql.EQ("id", id)).Query()
			var rows entsql.Rows
			must(drv.Query(ctx, q, args, &rows))
			defer rows.Close()
			var name string
			if rows.Next() {
				must(rows.Scan(&name))
			}
			must(rows.Err())
			return name
		}
		one := user("solo", 40)
		must(sqlgraph.CreateNode(ctx, drv, one))
		if got := nameOf(one.ID.Value); got != "solo" {
			t.Fatalf("CreateNode id %v reads %q", one.ID.Value, got)
		}
		batch := &sqlgraph.BatchCreateSpec{}
		for i := range 30 {
			batch.Nodes = append(batch.Nodes, user(fmt.Sprintf("bulk%02d", i), 20+i))
		}
		must(sqlgraph.BatchCreate(ctx, drv, batch))
		for i, n := range batch.Nodes {
			if got := nameOf(n.ID.Value); got != fmt.Sprintf("bulk%02d", i) {
				t.Fatalf("CreateBulk row %d: id %v reads %q", i, n.ID.Value, got)
			}
		}

		// CreateBulk of rows with their own ids, across nodes.
		pets := &sqlgraph.BatchCreateSpec{}
		for i := 1; i <= 10; i++ {
			pets.Nodes = append(pets.Nodes, &sqlgraph.CreateSpec{Table: "e_pets",
				ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64, Value: int64(i)},
				Fields: []*sqlgraph.FieldSpec{
					{Column: "owner_id", Type: field.TypeInt64, Value: int64(i % 4)},
					{Column: "name", Type: field.TypeString, Value: fmt.Sprintf("pet%d", i)},
				}})
		}
		must(sqlgraph.BatchCreate(ctx, drv, pets))

		tx, err := drv.Tx(ctx)
		must(err)
		must(tx.Exec(ctx, "UPDATE e_pets SET name = CONCAT(name, '!') WHERE owner_id = ?", []any{int64(2)}, nil))
		must(tx.Exec(ctx, "DELETE FROM e_users WHERE age > ?", []any{45}, nil))
		must(tx.Commit())

		q, args := entsql.Dialect(dialect.MySQL).Select("owner_id", entsql.As(entsql.Count("*"), "n")).
			From(entsql.Table("e_pets")).GroupBy("owner_id").OrderBy("owner_id").Query()
		var rows entsql.Rows
		must(drv.Query(ctx, q, args, &rows))
		for rows.Next() {
			var owner, n int64
			must(rows.Scan(&owner, &n))
			log("owner %d: %d pets", owner, n)
		}
		must(rows.Err())
		rows.Close()
		q, args = entsql.Dialect(dialect.MySQL).Select("name", "age").From(entsql.Table("e_users")).
			OrderBy(entsql.Desc("age"), "name").Limit(5).Offset(3).Query() // a total order: ties on age have no defined order
		var page entsql.Rows
		must(drv.Query(ctx, q, args, &page))
		for page.Next() {
			var name string
			var age int
			must(page.Scan(&name, &age))
			log("page %s %d", name, age)
		}
		must(page.Err())
		page.Close()
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("ent observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}
