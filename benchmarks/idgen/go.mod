module github.com/shardsql/shardsql/benchmarks/idgen

go 1.26.7

replace github.com/shardsql/shardsql => ../..

require (
	github.com/bwmarrin/snowflake v0.3.0
	github.com/shardsql/shardsql v0.0.0-00010101000000-000000000000
	github.com/sony/sonyflake v1.2.1
)
