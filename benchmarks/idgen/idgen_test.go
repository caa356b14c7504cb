package idgen

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/snowflake"
	"github.com/sony/sonyflake"

	"github.com/shardsql/shardsql/seq"
)

// generator is the common shape of the generators compared.
type generator func() (int64, error)

func shardsql(tb testing.TB) generator {
	s, err := seq.NewSnowflake(1)
	if err != nil {
		tb.Fatal(err)
	}
	return s.NextID
}

func bwmarrin(tb testing.TB) generator {
	n, err := snowflake.NewNode(1)
	if err != nil {
		tb.Fatal(err)
	}
	return func() (int64, error) { return n.Generate().Int64(), nil }
}

func sony(tb testing.TB) generator {
	s, err := sonyflake.New(sonyflake.Settings{MachineID: func() (uint16, error) { return 1, nil }})
	if err != nil {
		tb.Fatal(err)
	}
	return func() (int64, error) {
		id, err := s.NextID()
		return int64(id), err
	}
}

var generators = []struct {
	name string
	new  func(testing.TB) generator
}{
	{"shardsql", shardsql},
	{"bwmarrin", bwmarrin},
	{"sonyflake", sony},
}

func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
}

func BenchmarkSnowflake(b *testing.B) {
	for _, g := range generators {
		b.Run(g.name, func(b *testing.B) {
			next := g.new(b)
			for b.Loop() {
				if _, err := next(); err != nil {
					b.Fatal(err)
				}
			}
			reportRate(b)
		})
	}
}

func BenchmarkSnowflakeParallel(b *testing.B) {
	for _, g := range generators {
		b.Run(g.name, func(b *testing.B) {
			next := g.new(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := next(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			reportRate(b)
		})
	}
}

// TestLowRateSpread generates ids about once per millisecond with each
// generator and logs how they fall on id % 2 and id % 8, as Mod sharding
// over 2 and 8 nodes would place them. It reports; it does not assert.
func TestLowRateSpread(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a second per generator")
	}
	const n = 800
	for _, g := range generators {
		next := g.new(t)
		mod2, mod8 := make([]int, 2), make([]int, 8)
		tick := time.NewTicker(time.Millisecond)
		for range n {
			<-tick.C
			id, err := next()
			if err != nil {
				t.Fatal(err)
			}
			mod2[id%2]++
			mod8[id%8]++
		}
		tick.Stop()
		t.Logf("%-9s id%%2 %v  id%%8 %s", g.name, mod2, strings.Trim(fmt.Sprint(mod8), "[]"))
	}
}
