//go:build unix

package main

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process (the client: the servers are other
// processes) has used, user and system together.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
