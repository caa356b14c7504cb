package compat_test

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	"entgo.io/ent/dialect/sql/sqlgraph"
	"entgo.io/ent/schema/field"
)

// entGraphTables: e_users sharded by its generated id, e_pets by owner_id
// (an O2M edge user → pets), e_groups unsharded, and the M2M edge table
// e_group_users sharded by user_id.
func entGraphTables() []*schema.Table {
	users := &schema.Table{Name: "e_users", Columns: []*schema.Column{
		{Name: "id", Type: field.TypeInt64, Increment: true},
		{Name: "name", Type: field.TypeString, Size: 32},
		{Name: "age", Type: field.TypeInt},
	}}
	users.PrimaryKey = users.Columns[:1]
	pets := &schema.Table{Name: "e_pets", Columns: []*schema.Column{
		{Name: "id", Type: field.TypeInt64},
		{Name: "name", Type: field.TypeString, Size: 32},
		{Name: "owner_id", Type: field.TypeInt64, Nullable: true},
	}}
	pets.PrimaryKey = pets.Columns[:1]
	groups := &schema.Table{Name: "e_groups", Columns: []*schema.Column{
		{Name: "id", Type: field.TypeInt64, Increment: true},
		{Name: "name", Type: field.TypeString, Size: 32},
	}}
	groups.PrimaryKey = groups.Columns[:1]
	gu := &schema.Table{Name: "e_group_users", Columns: []*schema.Column{
		{Name: "group_id", Type: field.TypeInt64},
		{Name: "user_id", Type: field.TypeInt64},
	}}
	gu.PrimaryKey = gu.Columns
	return []*schema.Table{users, pets, groups, gu}
}

// TestEntEdges runs the queries ent's generated code builds for edges
// (sqlgraph.Neighbors for QueryX, HasNeighbors/HasNeighborsWith for
// HasX/HasXWith, SetNeighbors for chained QueryX) over sharded and
// unsharded tables, and edges created with nodes (M2M rows, O2M foreign
// keys), on one database and through shardsql.
func TestEntEdges(t *testing.T) {
	e := newEnv(t, "entedges", table{"e_users", "id", "id"}, table{"e_pets", "owner_id", ""}, table{"e_group_users", "user_id", ""})
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
		m, err := schema.NewMigrate(drv, schema.WithForeignKeys(false))
		must(err)
		must(m.Create(ctx, entGraphTables()...))

		groups := &sqlgraph.BatchCreateSpec{}
		for _, n := range []string{"admins", "devs", "ops"} {
			groups.Nodes = append(groups.Nodes, &sqlgraph.CreateSpec{Table: "e_groups", ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64},
				Fields: []*sqlgraph.FieldSpec{{Column: "name", Type: field.TypeString, Value: n}}})
		}
		must(sqlgraph.BatchCreate(ctx, drv, groups))
		gid := func(i int) int64 { return groups.Nodes[i].ID.Value.(int64) }
		// Users created with their M2M edges to groups (ent inserts the
		// edge rows after the node, in a transaction).
		var uids []int64
		for i := range 8 {
			u := &sqlgraph.CreateSpec{Table: "e_users", ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64},
				Fields: []*sqlgraph.FieldSpec{{Column: "name", Type: field.TypeString, Value: fmt.Sprintf("u%d", i)}, {Column: "age", Type: field.TypeInt, Value: 20 + i}}}
			if i%3 != 2 {
				u.Edges = append(u.Edges, &sqlgraph.EdgeSpec{Rel: sqlgraph.M2M, Inverse: true, Table: "e_group_users", Columns: []string{"group_id", "user_id"},
					Target: &sqlgraph.EdgeTarget{Nodes: []sqldriver.Value{gid(i % 3), gid((i + 1) % 3)}[:1+i%2], IDSpec: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64}}})
			}
			must(sqlgraph.CreateNode(ctx, drv, u))
			uids = append(uids, u.ID.Value.(int64))
		}
		name := func(id int64) string {
			if i := slices.Index(uids, id); i >= 0 {
				return fmt.Sprintf("u%d", i)
			}
			return fmt.Sprintf("?%d", id)
		}
		for i := range 10 {
			p := &sqlgraph.CreateSpec{Table: "e_pets", ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64, Value: int64(i + 1)},
				Fields: []*sqlgraph.FieldSpec{{Column: "name", Type: field.TypeString, Value: fmt.Sprintf("pet%02d", i)}}}
			// The O2M edge's inverse: the pet's owner_id.
			p.Edges = []*sqlgraph.EdgeSpec{{Rel: sqlgraph.M2O, Inverse: true, Table: "e_pets", Columns: []string{"owner_id"},
				Target: &sqlgraph.EdgeTarget{Nodes: []sqldriver.Value{uids[i%4]}, IDSpec: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64}}}}
			must(sqlgraph.CreateNode(ctx, drv, p))
		}

		// query runs a selector and logs the users (or pets) it returns.
		query := func(what string, sel *entsql.Selector) {
			t.Helper()
			sel.Select(sel.C("id"), sel.C("name"))
			q, args := sel.Query()
			var rows entsql.Rows
			if err := drv.Query(ctx, q, args, &rows); err != nil {
				if sharded && strings.Contains(err.Error(), "unsupported") {
					log("%s: refused: %v", what, err)
					return
				}
				t.Fatalf("%s: %s: %v", what, q, err)
			}
			defer rows.Close()
			var got []string
			for rows.Next() {
				var id int64
				var n string
				must(rows.Scan(&id, &n))
				if n == "" {
					n = name(id)
				}
				got = append(got, n)
			}
			must(rows.Err())
			slices.Sort(got)
			log("%s: %v", what, got)
		}
		users := func() *entsql.Selector {
			return entsql.Dialect(dialect.MySQL).Select().From(entsql.Table("e_users"))
		}
		m2m := func(from string, fromCol string, v any, to string, inverse bool) *sqlgraph.Step {
			return sqlgraph.NewStep(sqlgraph.From(from, fromCol, v), sqlgraph.To(to, "id"), sqlgraph.Edge(sqlgraph.M2M, inverse, "e_group_users", "group_id", "user_id"))
		}
		// QueryPets of a user (ToEdgeOwner), QueryOwner of a pet
		// (FromEdgeOwner: a JOIN with a derived table), QueryUsers of a
		// group and QueryGroups of a user (M2M, through e_group_users).
		query("pets of u1", sqlgraph.Neighbors(dialect.MySQL, sqlgraph.NewStep(sqlgraph.From("e_users", "id", uids[1]), sqlgraph.To("e_pets", "id"),
			sqlgraph.Edge(sqlgraph.O2M, false, "e_pets", "owner_id"))))
		query("owner of pet 7", sqlgraph.Neighbors(dialect.MySQL, sqlgraph.NewStep(sqlgraph.From("e_pets", "id", int64(7)), sqlgraph.To("e_users", "id"),
			sqlgraph.Edge(sqlgraph.M2O, true, "e_pets", "owner_id"))))
		query("users of devs", sqlgraph.Neighbors(dialect.MySQL, m2m("e_groups", "id", gid(1), "e_users", false)))
		query("groups of u0", sqlgraph.Neighbors(dialect.MySQL, m2m("e_users", "id", uids[0], "e_groups", true)))
		// HasPets, HasPetsWith(name), HasGroups, HasGroupsWith(name).
		s := users()
		sqlgraph.HasNeighbors(s, sqlgraph.NewStep(sqlgraph.From("e_users", "id"), sqlgraph.To("e_pets", "id"), sqlgraph.Edge(sqlgraph.O2M, false, "e_pets", "owner_id")))
		query("users with pets", s)
		s = users()
		sqlgraph.HasNeighborsWith(s, sqlgraph.NewStep(sqlgraph.From("e_users", "id"), sqlgraph.To("e_pets", "id"), sqlgraph.Edge(sqlgraph.O2M, false, "e_pets", "owner_id")),
			func(p *entsql.Selector) { p.Where(entsql.In(p.C("name"), "pet01", "pet06")) })
		query("users with pet01 or pet06", s)
		s = users()
		sqlgraph.HasNeighbors(s, m2m("e_users", "id", nil, "e_groups", true))
		query("users in a group", s)
		s = users()
		sqlgraph.HasNeighborsWith(s, m2m("e_users", "id", nil, "e_groups", true), func(g *entsql.Selector) { g.Where(entsql.EQ(g.C("name"), "ops")) })
		query("users in ops", s)
		// Chained: the pets of users older than 21 (SetNeighbors).
		older := users()
		older.Where(entsql.GT(older.C("age"), 21))
		query("pets of older users", sqlgraph.SetNeighbors(dialect.MySQL, sqlgraph.NewStep(sqlgraph.From("e_users", "id", older), sqlgraph.To("e_pets", "id"),
			sqlgraph.Edge(sqlgraph.O2M, false, "e_pets", "owner_id"))))
		// Aggregate with GroupBy over an edge table: members per group.
		q, args := entsql.Dialect(dialect.MySQL).Select("group_id", entsql.As(entsql.Count("*"), "n")).From(entsql.Table("e_group_users")).
			GroupBy("group_id").OrderBy("group_id").Query()
		var rows entsql.Rows
		must(drv.Query(ctx, q, args, &rows))
		for rows.Next() {
			var g, n int64
			must(rows.Scan(&g, &n))
			log("group %d members %d", slices.IndexFunc(groups.Nodes, func(c *sqlgraph.CreateSpec) bool { return c.ID.Value.(int64) == g }), n)
		}
		must(rows.Err())
		rows.Close()
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("ent observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}
