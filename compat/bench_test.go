package compat_test

import "testing"

// BenchmarkGormAutoMigrateAgain measures an AutoMigrate that finds
// everything in place (every start of a gorm program) through shardsql:
// its lookups of two sharded tables of four nodes each.
func BenchmarkGormAutoMigrateAgain(b *testing.B) {
	e := newEnv(b, "gormbench", table{"g_users", "id", "id"}, table{"g_orders", "user_id", "id"})
	g := openGorm(b, e.Sharded, false)
	if err := g.AutoMigrate(&gormUser{}, &gormOrder{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := g.AutoMigrate(&gormUser{}, &gormOrder{}); err != nil {
			b.Fatal(err)
		}
	}
}
