package seq

import (
	"sync"
	"testing"
	"time"
)

// reportRate adds ids/s to a benchmark's output.
func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
}

// BenchmarkSnowflake measures the real generator, which is capped by the
// layout at 4,096 ids per millisecond (about 244 ns/op).
func BenchmarkSnowflake(b *testing.B) {
	s, err := NewSnowflake(1)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.NextID(); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b)
}

func BenchmarkSnowflakeParallel(b *testing.B) {
	s, err := NewSnowflake(1)
	if err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.NextID(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportRate(b)
}

// fastClock runs 1,000 times faster than the real clock, so that the
// 4,096-ids-per-millisecond cap is out of reach and the cost of NextID
// itself shows.
func fastClock() func() time.Time {
	start := time.Now()
	return func() time.Time { return start.Add(time.Since(start) * 1000) }
}

// mutexSnowflake is NextID with a mutex instead of compare-and-swap, kept
// to compare the two.
type mutexSnowflake struct {
	mu    sync.Mutex
	inner *Snowflake
	state uint64
}

func (m *mutexSnowflake) NextID() (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.inner
	for {
		ms := s.millis()
		last := int64(m.state >> seqBits)
		var seq uint64
		switch {
		case ms > last:
			seq = (m.state + 1 + skip(ms)) & seqMask
		case ms == last:
			seq = (m.state + 1) & seqMask
			if seq == 0 {
				s.waitAfter(last)
				continue
			}
		default:
			if err := s.waitBackward(ms, last); err != nil {
				return 0, err
			}
			continue
		}
		m.state = uint64(ms)<<seqBits | seq
		return ms<<timeShift | s.worker | int64(seq), nil
	}
}

// BenchmarkSnowflakeUncapped compares compare-and-swap (the
// implementation) with a mutex, with the cap out of the way.
func BenchmarkSnowflakeUncapped(b *testing.B) {
	gens := map[string]func(b *testing.B) Generator{
		"cas": func(b *testing.B) Generator {
			s, err := NewSnowflake(1, WithClock(fastClock()))
			if err != nil {
				b.Fatal(err)
			}
			return s
		},
		"mutex": func(b *testing.B) Generator {
			s, err := NewSnowflake(1, WithClock(fastClock()))
			if err != nil {
				b.Fatal(err)
			}
			return &mutexSnowflake{inner: s, state: seqMask}
		},
	}
	for _, name := range []string{"cas", "mutex"} {
		b.Run(name, func(b *testing.B) {
			g := gens[name](b)
			for b.Loop() {
				if _, err := g.NextID(); err != nil {
					b.Fatal(err)
				}
			}
			reportRate(b)
		})
		b.Run(name+"/parallel", func(b *testing.B) {
			g := gens[name](b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := g.NextID(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			reportRate(b)
		})
	}
}

// segmentSteps are the block sizes the Segment benchmarks use: the default,
// where a fast caller outruns the database and waits for claims, and one
// large enough for the steady state, where claims finish in the background
// long before the block runs out.
var segmentSteps = []struct {
	name string
	step int64
}{{"step=1000", 1000}, {"step=16M", 1 << 24}}

// BenchmarkSegment needs MariaDB; it is skipped without it.
func BenchmarkSegment(b *testing.B) {
	open := testDB(b)
	db := open()
	if err := CreateSequenceTable(ctx(b), db); err != nil {
		b.Fatal(err)
	}
	for _, c := range segmentSteps {
		b.Run(c.name, func(b *testing.B) {
			s, err := NewSegment(ctx(b), db, "bench_"+c.name, WithStep(c.step))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			for b.Loop() {
				if _, err := s.NextID(); err != nil {
					b.Fatal(err)
				}
			}
			reportRate(b)
		})
	}
}

func BenchmarkSegmentParallel(b *testing.B) {
	open := testDB(b)
	db := open()
	if err := CreateSequenceTable(ctx(b), db); err != nil {
		b.Fatal(err)
	}
	for _, c := range segmentSteps {
		b.Run(c.name, func(b *testing.B) {
			s, err := NewSegment(ctx(b), db, "bench_"+c.name, WithStep(c.step))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.NextID(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			reportRate(b)
		})
	}
}
