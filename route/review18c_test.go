package route

import "testing"

// review18cCases are refusals of what ORMs send every day whose messages
// did not say what to send instead (review18c).
var review18cCases = []errorCase{
	// gorm: Where("created_at < ?", t).Limit(1000).Delete(&Log{})
	{name: "batched purge across nodes", sql: "DELETE FROM t_user WHERE name < 'm' LIMIT 1000",
		contains: []string{"DELETE with ORDER BY/LIMIT on sharded table t_user across 4 nodes", "name the sharding column", "select the rows' keys first", "DELETE those rows by key"}},
	{name: "ordered update across nodes", sql: "UPDATE t_user SET name = 'x' WHERE name = 'a' ORDER BY id LIMIT 5",
		contains: []string{"UPDATE with ORDER BY/LIMIT", "UPDATE those rows by key"}},
}

func TestReview18cMessages(t *testing.T) {
	r := testRouter(t)
	for _, tc := range review18cCases {
		tc.unsupported = true
		t.Run(tc.name, func(t *testing.T) { checkRouteError(t, r, tc) })
	}
}
