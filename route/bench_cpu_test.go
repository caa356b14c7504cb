//go:build unix

package route

import (
	"syscall"
	"testing"
	"time"
)

// reportCPU reports, when the benchmark ends, the process's CPU time per
// operation (cpu-ns/op, user and system): on a machine other work shares,
// ns/op moves with this process's share of the cores, CPU time much less.
// Call it as defer reportCPU(b)() before the benchmark loop.
func reportCPU(b *testing.B) func() {
	start := processCPU()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((processCPU()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
