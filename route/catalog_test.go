package route

import "github.com/shardsql/shardsql/internal/schema"

// testCatalog is what the servers of testTopology would say: both data
// sources use database "app" on Linux servers (lower_case_table_names = 0);
// t_order's primary key (order_id, user_id) and t_user's (id) contain their
// sharding columns, so REPLACE and ON DUPLICATE KEY UPDATE are exact.
func testCatalog() *schema.Catalog {
	return &schema.Catalog{
		Sources: map[string]schema.Source{
			"ds0": {Database: "app"},
			"ds1": {Database: "app"},
		},
		Tables: map[string]*schema.Table{
			"t_order": {Name: "t_order",
				Columns: []schema.Column{
					{Name: "order_id", DataType: "bigint", ColumnType: "bigint(20)"},
					{Name: "user_id", DataType: "bigint", ColumnType: "bigint(20)"},
				},
				Indexes: []schema.Index{{Name: "PRIMARY", Primary: true, Columns: []string{"order_id", "user_id"}}}},
			"t_user": {Name: "t_user",
				Columns: []schema.Column{
					{Name: "id", DataType: "bigint", ColumnType: "bigint(20)"},
					{Name: "name", DataType: "varchar", ColumnType: "varchar(50)", Collation: "utf8mb4_general_ci", Nullable: true},
				},
				Indexes: []schema.Index{{Name: "PRIMARY", Primary: true, Columns: []string{"id"}}}},
		},
	}
}
