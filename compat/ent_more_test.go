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

// entTablesV2 is entTables as the next version of the program declares
// it: e_users gains a column and an index, and a table e_tags appears.
func entTablesV2() []*schema.Table {
	tables := entTables()
	users := tables[0]
	email := &schema.Column{Name: "email", Type: field.TypeString, Size: 64, Nullable: true}
	users.Columns = append(users.Columns, email)
	users.Indexes = append(users.Indexes, &schema.Index{Name: "user_email", Columns: []*schema.Column{email}})
	tags := &schema.Table{Name: "e_tags", Columns: []*schema.Column{
		{Name: "id", Type: field.TypeInt64, Increment: true},
		{Name: "name", Type: field.TypeString, Size: 32, Unique: true},
	}}
	tags.PrimaryKey = tags.Columns[:1]
	return append(tables, tags)
}

// TestEntMigrateEvolve runs ent's migration of two versions of a schema
// three times each (adding a column, an index and a table), and ent's
// everyday statements on the result: Upsert (ON DUPLICATE KEY UPDATE on
// the sharding column, and on an unsharded table's unique key), eager
// loading of an edge (an IN list of owners on every node), a transaction
// rolled back, on one database and through shardsql.
func TestEntMigrateEvolve(t *testing.T) {
	e := newEnv(t, "entevo", table{"e_users", "id", "id"}, table{"e_pets", "owner_id", ""})
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
		migrate := func(tables []*schema.Table) {
			t.Helper()
			m, err := schema.NewMigrate(drv, schema.WithForeignKeys(false), schema.WithDropColumn(true), schema.WithDropIndex(true))
			must(err)
			must(m.Create(ctx, tables...))
		}
		for range 3 {
			migrate(entTables())
		}
		log("v1 %s", showCreate(t, db, "e_users"))
		for range 3 {
			migrate(entTablesV2())
		}
		log("v2 %s", showCreate(t, db, "e_users"))
		log("v2 %s", showCreate(t, db, "e_tags"))
		// Back to v1 with drops allowed: the column and index go.
		for range 2 {
			migrate(entTables())
		}
		log("v1 again %s", showCreate(t, db, "e_users"))
		migrate(entTablesV2())

		user := func(id int64, name string, age int) *sqlgraph.CreateSpec {
			s := &sqlgraph.CreateSpec{Table: "e_users", ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64},
				Fields: []*sqlgraph.FieldSpec{{Column: "name", Type: field.TypeString, Value: name}, {Column: "age", Type: field.TypeInt, Value: age}}}
			if id != 0 {
				s.ID.Value = id
			}
			return s
		}
		bulk := &sqlgraph.BatchCreateSpec{}
		for i := range 8 {
			bulk.Nodes = append(bulk.Nodes, user(0, fmt.Sprintf("u%d", i), 20+i))
		}
		must(sqlgraph.BatchCreate(ctx, drv, bulk))
		ids := make([]int64, len(bulk.Nodes))
		for i, n := range bulk.Nodes {
			ids[i] = n.ID.Value.(int64)
		}
		pets := &sqlgraph.BatchCreateSpec{}
		for i := range 12 {
			pets.Nodes = append(pets.Nodes, &sqlgraph.CreateSpec{Table: "e_pets",
				ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64, Value: int64(i + 1)},
				Fields: []*sqlgraph.FieldSpec{
					{Column: "owner_id", Type: field.TypeInt64, Value: ids[i%5]},
					{Column: "name", Type: field.TypeString, Value: fmt.Sprintf("pet%02d", i)},
				}})
		}
		must(sqlgraph.BatchCreate(ctx, drv, pets))

		// Upsert by id (the sharding column): UpdateNewValues.
		up := user(ids[2], "upserted", 99)
		up.OnConflict = []entsql.ConflictOption{entsql.ConflictColumns("id"), entsql.ResolveWithNewValues()}
		must(sqlgraph.CreateNode(ctx, drv, up))
		// Upsert of an unsharded table on its unique name, three times.
		for range 3 {
			tag := &sqlgraph.CreateSpec{Table: "e_tags", ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64},
				Fields:     []*sqlgraph.FieldSpec{{Column: "name", Type: field.TypeString, Value: "go"}},
				OnConflict: []entsql.ConflictOption{entsql.ConflictColumns("name"), entsql.ResolveWithNewValues()}}
			must(sqlgraph.CreateNode(ctx, drv, tag))
			log("tag id %v", tag.ID.Value)
		}

		// Eager loading: the owners' pets in one IN list.
		q, args := entsql.Dialect(dialect.MySQL).Select("id", "owner_id", "name").From(entsql.Table("e_pets")).
			Where(entsql.InValues("owner_id", ids[0], ids[1], ids[2], ids[3])).OrderBy("id").Query()
		var rows entsql.Rows
		must(drv.Query(ctx, q, args, &rows))
		for rows.Next() {
			var id, owner int64
			var name string
			must(rows.Scan(&id, &owner, &name))
			log("pet %d of user %d %s", id, slices.Index(ids, owner), name)
		}
		must(rows.Err())
		rows.Close()

		// A transaction rolled back leaves nothing.
		tx, err := drv.Tx(ctx)
		must(err)
		must(tx.Exec(ctx, "INSERT INTO e_users (name, age) VALUES (?, ?)", []any{"rolled", 1}, nil))
		must(tx.Exec(ctx, "UPDATE e_pets SET name = 'x' WHERE owner_id IN (?, ?)", []any{ids[0], ids[1]}, nil))
		must(tx.Rollback())

		q, args = entsql.Dialect(dialect.MySQL).Select("name", "age").From(entsql.Table("e_users")).OrderBy("name").Query()
		var users entsql.Rows
		must(drv.Query(ctx, q, args, &users))
		for users.Next() {
			var name string
			var age int
			must(users.Scan(&name, &age))
			log("user %s %d", name, age)
		}
		must(users.Err())
		users.Close()
		q, args = entsql.Dialect(dialect.MySQL).Select(entsql.Count("*")).From(entsql.Table("e_pets")).Where(entsql.EQ("name", "x")).Query()
		var cnt entsql.Rows
		must(drv.Query(ctx, q, args, &cnt))
		n, err := entsql.ScanInt(&cnt)
		must(err)
		log("renamed pets after rollback %d", n)
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("ent observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}
