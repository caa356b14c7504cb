package seq

import (
	"fmt"
	"runtime"
	"time"
)

// millis reads the clock as milliseconds since the epoch.
func (s *Snowflake) millis() int64 {
	return s.now().UnixMilli() - s.epochMs
}

// waitBackward handles a clock at ms, behind the last id's millisecond last:
// it sleeps for the difference if that is within the tolerance, and returns
// an error wrapping ErrClockBackward otherwise. The caller reads the clock
// again afterwards.
func (s *Snowflake) waitBackward(ms, last int64) error {
	behind := time.Duration(last-ms) * time.Millisecond
	if behind > s.maxBack {
		return fmt.Errorf("%w: the clock is %v behind the last id's timestamp, more than the %v WithMaxBackward allows; ids are refused until it catches up (check NTP, or raise WithMaxBackward to wait longer)", ErrClockBackward, behind, s.maxBack)
	}
	time.Sleep(behind)
	return nil
}

// waitAfter polls the clock until it is past millisecond last. The wait is
// under a millisecond unless the clock steps back meanwhile, so it spins:
// sleeping would round up to the runtime's timer resolution and lose up to
// half of the ids a millisecond can hold.
func (s *Snowflake) waitAfter(last int64) {
	for ms := s.millis(); ms == last; ms = s.millis() {
		runtime.Gosched()
	}
}
