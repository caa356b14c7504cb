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

// entAccounts is a table sharded by tenant_id whose ids shardsql generates
// (AUTO_INCREMENT on one database), with a unique key (tenant_id, name)
// that lacks the id: ent's upsert conflicts on it.
func entAccounts() []*schema.Table {
	accounts := &schema.Table{Name: "e_accounts", Columns: []*schema.Column{
		{Name: "id", Type: field.TypeInt64, Increment: true},
		{Name: "tenant_id", Type: field.TypeInt64},
		{Name: "name", Type: field.TypeString, Size: 32},
		{Name: "balance", Type: field.TypeInt},
	}}
	accounts.PrimaryKey = accounts.Columns[:1]
	accounts.Indexes = []*schema.Index{{Name: "account_tenant_name", Unique: true, Columns: accounts.Columns[1:3]}}
	return []*schema.Table{accounts}
}

// TestEntUpsertID runs ent's
// Create().…OnConflict(…).UpdateNewValues().ID(ctx) (and .Exec, which
// reads the id too) on a table whose ids shardsql generates and whose
// unique key lacks the id: ent sends INSERT … ON DUPLICATE KEY UPDATE …,
// id = LAST_INSERT_ID(e_accounts.id) and takes LastInsertId as the row's
// id, whether the row was inserted, updated or left unchanged. The id ent
// returns must be the id of the row stored under the unique key, as on one
// MariaDB database.
func TestEntUpsertID(t *testing.T) {
	e := newEnv(t, "entupsert", table{"e_accounts", "tenant_id", "id"})
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
		must(m.Create(ctx, entAccounts()...))

		// stored returns the id of the row (tenant, name).
		stored := func(tenant int64, name string) int64 {
			t.Helper()
			var id int64
			must(db.QueryRowContext(ctx, "SELECT id FROM e_accounts WHERE tenant_id = ? AND name = ?", tenant, name).Scan(&id))
			return id
		}
		var seen []int64 // ids in order of first appearance: the transcript names them by index
		label := func(id int64) int {
			if i := slices.Index(seen, id); i >= 0 {
				return i
			}
			seen = append(seen, id)
			return len(seen) - 1
		}
		upsert := func(tenant int64, name string, balance int) {
			t.Helper()
			spec := &sqlgraph.CreateSpec{Table: "e_accounts", ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64},
				Fields: []*sqlgraph.FieldSpec{
					{Column: "tenant_id", Type: field.TypeInt64, Value: tenant},
					{Column: "name", Type: field.TypeString, Value: name},
					{Column: "balance", Type: field.TypeInt, Value: balance},
				},
				OnConflict: []entsql.ConflictOption{entsql.ConflictColumns("tenant_id", "name"), entsql.ResolveWithNewValues()}}
			must(sqlgraph.CreateNode(ctx, drv, spec))
			id := spec.ID.Value.(int64)
			want := stored(tenant, name)
			log("upsert %d/%s %d: id #%d, stored #%d, same %v", tenant, name, balance, label(id), label(want), id == want)
		}
		// Inserted, updated, unchanged, on several tenants (nodes).
		for tenant := int64(1); tenant <= 4; tenant++ {
			upsert(tenant, "alice", 10)
			upsert(tenant, "bob", 20)
			upsert(tenant, "alice", 11) // updated
			upsert(tenant, "alice", 11) // unchanged
			upsert(tenant, "carol", 30)
			upsert(tenant, "bob", 21)
		}
		// Inside a transaction, as ent's generated tx client does.
		tx, err := drv.Tx(ctx)
		must(err)
		spec := &sqlgraph.CreateSpec{Table: "e_accounts", ID: &sqlgraph.FieldSpec{Column: "id", Type: field.TypeInt64},
			Fields: []*sqlgraph.FieldSpec{
				{Column: "tenant_id", Type: field.TypeInt64, Value: int64(2)},
				{Column: "name", Type: field.TypeString, Value: "bob"},
				{Column: "balance", Type: field.TypeInt, Value: 99},
			},
			OnConflict: []entsql.ConflictOption{entsql.ConflictColumns("tenant_id", "name"), entsql.ResolveWithNewValues()}}
		must(sqlgraph.CreateNode(ctx, entTxDriver{tx}, spec))
		must(tx.Commit())
		log("in tx: id #%d, stored #%d", label(spec.ID.Value.(int64)), label(stored(2, "bob")))

		rows, err := db.QueryContext(ctx, "SELECT id, tenant_id, name, balance FROM e_accounts ORDER BY tenant_id, name")
		must(err)
		defer rows.Close()
		for rows.Next() {
			var id, tenant int64
			var name string
			var balance int
			must(rows.Scan(&id, &tenant, &name, &balance))
			log("row #%d %d/%s %d", label(id), tenant, name, balance)
		}
		must(rows.Err())
	})
	if !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("ent observed different results:\noracle:  %q\nsharded: %q", transcripts[0], transcripts[1])
	}
}

// entTxDriver is the driver ent's generated transactional client runs
// statements on: the transaction, with nested transactions as no-ops.
type entTxDriver struct{ tx dialect.Tx }

func (d entTxDriver) Tx(context.Context) (dialect.Tx, error) { return dialect.NopTx(d), nil }
func (d entTxDriver) Exec(ctx context.Context, q string, args, v any) error {
	return d.tx.Exec(ctx, q, args, v)
}
func (d entTxDriver) Query(ctx context.Context, q string, args, v any) error {
	return d.tx.Query(ctx, q, args, v)
}
func (entTxDriver) Close() error    { return nil }
func (entTxDriver) Dialect() string { return dialect.MySQL }
