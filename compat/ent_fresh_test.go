package compat_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	"entgo.io/ent/dialect/sql/sqlgraph"
	"entgo.io/ent/schema/field"
)

// entFreshTables is round 15's ent schema: e15_users sharded by its
// generated id, e15_pets by owner_id (ids generated too), e15_kinds
// broadcast, e15_logs unsharded. Version 2 widens users.name and adds
// users.email with an index, an M2O edge pets → kinds (kind_id and its
// index) and an M2M edge users ↔ users (e15_user_friends, sharded by
// user_id).
func entFreshTables(version int) []*schema.Table {
	users := &schema.Table{Name: "e15_users", Columns: []*schema.Column{
		{Name: "id", Type: field.TypeInt64, Increment: true},
		{Name: "name", Type: field.TypeString, Size: 32},
		{Name: "age", Type: field.TypeInt},
	}}
	users.PrimaryKey = users.Columns[:1]
	pets := &schema.Table{Name: "e15_pets", Columns: []*schema.Column{
		{Name: "id", Type: field.TypeInt64, Increment: true},
		{Name: "name", Type: field.TypeString, Size: 32},
		{Name: "owner_id", Type: field.TypeInt64, Nullable: true},
	}}
	pets.PrimaryKey = pets.Columns[:1]
	pets.Indexes = []*schema.Index{{Name: "pet_owner", Columns: pets.Columns[2:3]}}
	kinds := &schema.Table{Name: "e15_kinds", Columns: []*schema.Column{
		{Name: "id", Type: field.TypeInt64, Increment: true},
		{Name: "name", Type: field.TypeString, Size: 32, Unique: true},
		{Name: "legs", Type: field.TypeInt},
	}}
	kinds.PrimaryKey = kinds.Columns[:1]
	logs := &schema.Table{Name: "e15_logs", Columns: []*schema.Column{
		{Name: "id", Type: field.TypeInt64, Increment: true},
		{Name: "msg", Type: field.TypeString, Size: 64},
	}}
	logs.PrimaryKey = logs.Columns[:1]
	if version == 1 {
		return []*schema.Table{users, pets, kinds, logs}
	}
	users.Columns[1].Size = 64
	email := &schema.Column{Name: "email", Type: field.TypeString, Size: 64, Nullable: true}
	users.Columns = append(users.Columns, email)
	users.Indexes = append(users.Indexes, &schema.Index{Name: "user_email", Columns: []*schema.Column{email}})
	kind := &schema.Column{Name: "kind_id", Type: field.TypeInt64, Nullable: true}
	pets.Columns = append(pets.Columns, kind)
	pets.Indexes = append(pets.Indexes, &schema.Index{Name: "pet_kind", Columns: []*schema.Column{kind}})
	friends := &schema.Table{Name: "e15_user_friends", Columns: []*schema.Column{
		{Name: "user_id", Type: field.TypeInt64},
		{Name: "friend_id", Type: field.TypeInt64},
	}}
	friends.PrimaryKey = friends.Columns
	return []*schema.Table{users, pets, kinds, logs, friends}
}

// TestEntFreshStarts runs an ent program three times, each in new pools
// with a new connector, on one database and through shardsql, and
// compares what it observes: start 1 migrates version 1 and creates rows;
// starts 2 and 3 migrate version 2 (start 3 finds it applied: the plan
// Atlas computes must be the oracle's, and empty) and then run
// CreateBulk (ids from LastInsertId are the rows'), edges created with
// nodes (M2O foreign key, M2M rows), eager loading of O2M and M2O edges
// (WithX: IN lists of the owners' ids), QueryX through the M2M table,
// upserts (UpdateNewValues with the row's id read back, DoNothing) on the
// broadcast and unsharded tables and by id, and a transaction
// committed and one rolled back.
func TestEntFreshStarts(t *testing.T) {
	f := newFreshEnv(t, "entfresh", []string{"e15_kinds"}, nil,
		table{"e15_users", "id", "id"}, table{"e15_pets", "owner_id", "id"}, table{"e15_user_friends", "user_id", ""})
	var tr [2]transcript
	for start := 1; start <= 3; start++ {
		sharded, oracle := f.open(t)
		for i, db := range []*sql.DB{oracle, sharded} {
			t.Run(fmt.Sprintf("start%d/%s", start, []string{"oracle", "sharded"}[i]), func(t *testing.T) {
				entFreshStart(t, db, start, &tr[i])
			})
		}
	}
	compareTranscripts(t, "ent", tr[0].out, tr[1].out)
}

func entFreshStart(t *testing.T, db *sql.DB, start int, tr *transcript) {
	ctx := context.Background()
	drv := entsql.OpenDB(dialect.MySQL, db)
	log := func(format string, a ...any) { tr.log("start %d: "+format, append([]any{start}, a...)...) }
	must := func(what string, err error) {
		t.Helper()
		log("%s: %v", what, err)
	}
	version := min(start, 2)
	var plan []string
	m, err := schema.NewMigrate(drv, schema.WithForeignKeys(false), schema.WithApplyHook(func(next schema.Applier) schema.Applier {
		return schema.ApplyFunc(func(ctx context.Context, conn dialect.ExecQuerier, p *migrate.Plan) error {
			for _, c := range p.Changes {
				plan = append(plan, c.Cmd)
			}
			return next.Apply(ctx, conn, p)
		})
	}))
	must("new migrate", err)
	must("migrate", m.Create(ctx, entFreshTables(version)...))
	log("plan %q", plan)
	for _, name := range []string{"e15_users", "e15_pets"} {
		log("%s", showCreate(t, db, name))
	}

	// queryStrings runs a builder query and logs its rows.
	rowsOf := func(what string, q string, args []any) [][]string {
		t.Helper()
		var rows entsql.Rows
		if err := drv.Query(ctx, q, args, &rows); err != nil {
			log("%s: %v", what, err)
			return nil
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out [][]string
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				log("%s scan: %v", what, err)
				return nil
			}
			row := make([]string, len(cols))
			for i, v := range vals {
				row[i] = v.String
			}
			out = append(out, row)
		}
		if err := rows.Err(); err != nil {
			log("%s: %v", what, err)
		}
		return out
	}
	str := func(v any) string { return fmt.Sprint(v) }

	// CreateBulk of users; ent numbers the ids from LastInsertId.
	bulk := &sqlgraph.BatchCreateSpec{}
	for i := range 6 {
		fs := []*sqlgraph.FieldSpec{{Column: "name", Type: field.TypeString, Value: fmt.Sprintf("s%d-u%d", start, i)}, {Column: "age", Type: field.TypeInt, Value: 20 + i}}
		if version == 2 {
			fs = append(fs, &sqlgraph.FieldSpec{Column: "email", Type: field.TypeString, Value: fmt.Sprintf("u%d@x", i)})
		}
		bulk.Nodes = append(bulk.Nodes, &sqlgraph.CreateSpec{Table: "e15_users", ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64}, Fields: fs})
	}
	must("users bulk", sqlgraph.BatchCreate(ctx, drv, bulk))
	ids := make([]int64, len(bulk.Nodes))
	for i, n := range bulk.Nodes {
		ids[i], _ = n.ID.Value.(int64)
		q, args := entsql.Dialect(dialect.MySQL).Select("name").From(entsql.Table("e15_users")).Where(entsql.EQ("id", ids[i])).Query()
		log("user %d stored %v", i, rowsOf("user by id", q, args))
	}
	if version == 1 {
		kinds := &sqlgraph.BatchCreateSpec{}
		for _, k := range []string{"cat", "dog", "bird"} {
			kinds.Nodes = append(kinds.Nodes, &sqlgraph.CreateSpec{Table: "e15_kinds", ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64},
				Fields: []*sqlgraph.FieldSpec{{Column: "name", Type: field.TypeString, Value: k}, {Column: "legs", Type: field.TypeInt, Value: len(k)}}})
		}
		must("kinds bulk", sqlgraph.BatchCreate(ctx, drv, kinds))
		for _, n := range kinds.Nodes {
			log("kind id %v", n.ID.Value)
		}
	}
	// Pets with their owner (O2M from users) and, in version 2, kind
	// (M2O to the broadcast table): edges set with the node.
	pets := &sqlgraph.BatchCreateSpec{}
	for i := range 8 {
		fs := []*sqlgraph.FieldSpec{{Column: "name", Type: field.TypeString, Value: fmt.Sprintf("s%d-p%d", start, i)}}
		spec := &sqlgraph.CreateSpec{Table: "e15_pets", ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64}, Fields: fs}
		spec.Edges = append(spec.Edges, &sqlgraph.EdgeSpec{Rel: sqlgraph.M2O, Inverse: true, Table: "e15_pets", Columns: []string{"owner_id"},
			Target: &sqlgraph.EdgeTarget{Nodes: []driver.Value{ids[i%4]}, IDSpec: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64}}})
		if version == 2 {
			spec.Edges = append(spec.Edges, &sqlgraph.EdgeSpec{Rel: sqlgraph.M2O, Inverse: false, Table: "e15_pets", Columns: []string{"kind_id"},
				Target: &sqlgraph.EdgeTarget{Nodes: []driver.Value{int64(i%3 + 1)}, IDSpec: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64}}})
		}
		pets.Nodes = append(pets.Nodes, spec)
	}
	must("pets bulk", sqlgraph.BatchCreate(ctx, drv, pets))
	for i, n := range pets.Nodes {
		q, args := entsql.Dialect(dialect.MySQL).Select("name", "owner_id").From(entsql.Table("e15_pets")).Where(entsql.EQ("id", n.ID.Value)).Query()
		r := rowsOf("pet by id", q, args)
		log("pet %d stored %v owner ok %v", i, len(r) == 1 && r[0][0] == fmt.Sprintf("s%d-p%d", start, i), len(r) == 1 && r[0][1] == str(ids[i%4]))
	}
	if version == 1 {
		return
	}

	// M2M: a user node created with its friends edge.
	friend := &sqlgraph.CreateSpec{Table: "e15_users", ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64},
		Fields: []*sqlgraph.FieldSpec{{Column: "name", Type: field.TypeString, Value: fmt.Sprintf("s%d-friendly", start)}, {Column: "age", Type: field.TypeInt, Value: 50}},
		Edges: []*sqlgraph.EdgeSpec{{Rel: sqlgraph.M2M, Table: "e15_user_friends", Columns: []string{"user_id", "friend_id"}, Bidi: true,
			Target: &sqlgraph.EdgeTarget{Nodes: []driver.Value{ids[0], ids[1]}, IDSpec: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64}}}}}
	must("friend with edges", sqlgraph.CreateNode(ctx, drv, friend))
	fid, _ := friend.ID.Value.(int64)
	label := func(id string) string {
		for i, x := range ids {
			if str(x) == id {
				return fmt.Sprintf("u%d", i)
			}
		}
		if id == str(fid) {
			return "friendly"
		}
		return "other"
	}

	// WithPets: the users' pets in one IN list; WithKind: the pets'
	// kinds in one IN list of the broadcast table.
	in := make([]any, 4)
	for i := range in {
		in[i] = ids[i]
	}
	q, args := entsql.Dialect(dialect.MySQL).Select("id", "name", "owner_id", "kind_id").From(entsql.Table("e15_pets")).
		Where(entsql.In("owner_id", in...)).Query()
	petRows := rowsOf("with pets", q, args)
	slices.SortFunc(petRows, func(a, b []string) int { return strings.Compare(a[1], b[1]) })
	var kindIDs []any
	for _, r := range petRows {
		log("pet %s of %s kind %s", r[1], label(r[2]), r[3])
		kindIDs = append(kindIDs, r[3])
	}
	q, args = entsql.Dialect(dialect.MySQL).Select("id", "name").From(entsql.Table("e15_kinds")).Where(entsql.In("id", kindIDs...)).OrderBy("name").Query()
	log("with kind %v", rowsOf("with kind", q, args))
	// QueryFriends through the M2M table, both directions.
	for _, from := range []int64{fid, ids[0]} {
		sel := sqlgraph.Neighbors(dialect.MySQL, sqlgraph.NewStep(sqlgraph.From("e15_users", "id", from), sqlgraph.To("e15_users", "id"),
			sqlgraph.Edge(sqlgraph.M2M, false, "e15_user_friends", "user_id", "friend_id")))
		q, args := sel.Select(sel.C("name")).OrderBy(sel.C("name")).Query()
		log("friends of %s %v", label(str(from)), rowsOf("friends", q, args))
	}
	// HasPetsWith(kind = dog) in the shape ent builds it.
	sel := entsql.Dialect(dialect.MySQL).Select("name").From(entsql.Table("e15_users"))
	sqlgraph.HasNeighborsWith(sel, sqlgraph.NewStep(sqlgraph.From("e15_users", "id"), sqlgraph.To("e15_pets", "id"),
		sqlgraph.Edge(sqlgraph.O2M, false, "e15_pets", "owner_id")), func(s *entsql.Selector) { s.Where(entsql.EQ(s.C("kind_id"), 2)) })
	q, args = sel.OrderBy("name").Query()
	log("has dog %v", rowsOf("has dog", q, args))

	// Upserts: the broadcast kind by its unique name (UpdateNewValues,
	// then .ID reads LastInsertId), the unsharded log, a user by id.
	for _, k := range []string{"dog", fmt.Sprintf("fish%d", start)} {
		spec := &sqlgraph.CreateSpec{Table: "e15_kinds", ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64},
			Fields:     []*sqlgraph.FieldSpec{{Column: "name", Type: field.TypeString, Value: k}, {Column: "legs", Type: field.TypeInt, Value: 4}},
			OnConflict: []entsql.ConflictOption{entsql.ConflictColumns("name"), entsql.ResolveWithNewValues()}}
		must("upsert kind "+k, sqlgraph.CreateNode(ctx, drv, spec))
		log("kind %s id %v", k, spec.ID.Value)
	}
	spec := &sqlgraph.CreateSpec{Table: "e15_kinds", ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64},
		Fields:     []*sqlgraph.FieldSpec{{Column: "name", Type: field.TypeString, Value: "cat"}, {Column: "legs", Type: field.TypeInt, Value: 9}},
		OnConflict: []entsql.ConflictOption{entsql.ConflictColumns("name"), entsql.DoNothing()}}
	err = sqlgraph.CreateNode(ctx, drv, spec)
	log("donothing kind: %v", err)
	up := &sqlgraph.CreateSpec{Table: "e15_users", ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64, Value: ids[2]},
		Fields:     []*sqlgraph.FieldSpec{{Column: "name", Type: field.TypeString, Value: "upserted"}, {Column: "age", Type: field.TypeInt, Value: 99}},
		OnConflict: []entsql.ConflictOption{entsql.ConflictColumns("id"), entsql.ResolveWithNewValues()}}
	must("upsert user by id", sqlgraph.CreateNode(ctx, drv, up))

	// Transactions: one committed across the tables, one rolled back.
	tx, err := drv.Tx(ctx)
	must("tx", err)
	if err == nil {
		var res sql.Result
		must("tx insert log", tx.Exec(ctx, "INSERT INTO `e15_logs` (`msg`) VALUES (?)", []any{fmt.Sprintf("start %d", start)}, &res))
		must("tx update pets", tx.Exec(ctx, "UPDATE `e15_pets` SET `kind_id` = ? WHERE `owner_id` IN (?, ?)", []any{3, ids[0], ids[1]}, nil))
		must("tx update kind", tx.Exec(ctx, "UPDATE `e15_kinds` SET `legs` = `legs` + 1 WHERE `name` = ?", []any{"bird"}, nil))
		must("commit", tx.Commit())
	}
	tx, err = drv.Tx(ctx)
	must("tx2", err)
	if err == nil {
		must("tx2 insert user", tx.Exec(ctx, "INSERT INTO `e15_users` (`name`, `age`) VALUES (?, ?)", []any{"rolled", 1}, nil))
		must("tx2 delete pets", tx.Exec(ctx, "DELETE FROM `e15_pets` WHERE `kind_id` = ?", []any{3}, nil))
		must("tx2 insert log", tx.Exec(ctx, "INSERT INTO `e15_logs` (`msg`) VALUES (?)", []any{"rolled"}, nil))
		must("rollback", tx.Rollback())
	}
	q, args = entsql.Dialect(dialect.MySQL).Select("name", "age", "email").From(entsql.Table("e15_users")).OrderBy("name").Query()
	log("users %v", rowsOf("users", q, args))
	q, args = entsql.Dialect(dialect.MySQL).Select("name", "legs").From(entsql.Table("e15_kinds")).OrderBy("name").Query()
	log("kinds %v", rowsOf("kinds", q, args))
	q, args = entsql.Dialect(dialect.MySQL).Select("msg").From(entsql.Table("e15_logs")).OrderBy("id").Query()
	log("logs %v", rowsOf("logs", q, args))
	s := entsql.Dialect(dialect.MySQL).Select(entsql.As("kind_id", "k"), entsql.As(entsql.Count("*"), "n")).From(entsql.Table("e15_pets")).GroupBy("kind_id").OrderBy("kind_id")
	q, args = s.Query()
	log("pets by kind %v", rowsOf("pets by kind", q, args))
}
