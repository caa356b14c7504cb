// Package idgen benchmarks shardsql's Snowflake generator against
// github.com/bwmarrin/snowflake and github.com/sony/sonyflake. It is a module
// of its own so that shardsql does not depend on them:
//
//	cd benchmarks/idgen && go test -run XXX -bench . -benchtime 1s
//
// TestLowRateSpread (go test -v -run Spread) shows how ids generated about
// once per millisecond fall on id % 2 and id % 8.
package idgen
