//go:build !unix

package main

import "time"

// cpuTime is not measured on this system: the report leaves client CPU out.
func cpuTime() time.Duration { return 0 }
