package main

import (
	"slices"
	"time"
)

// recorder holds one worker's latencies. Each worker owns its recorder, so
// the hot path takes no lock; recorders are merged after the cell.
type recorder struct {
	lat      []time.Duration
	errs     int
	firstErr error
}

func newRecorder(capacity int) *recorder {
	return &recorder{lat: make([]time.Duration, 0, capacity)}
}

func (r *recorder) record(d time.Duration, err error) {
	if err != nil {
		r.errs++
		if r.firstErr == nil {
			r.firstErr = err
		}
		return
	}
	r.lat = append(r.lat, d)
}

// summary is the merged result of the recorders of one measurement.
type summary struct {
	ops      int           // statements that succeeded
	errs     int           // statements that failed
	firstErr string        // the first failure, if any
	elapsed  time.Duration // wall time from start until every worker stopped
	qps      float64
	p50      time.Duration
	p95      time.Duration
	p99      time.Duration
	max      time.Duration
}

// summarize merges recorders measured over elapsed.
func summarize(recs []*recorder, elapsed time.Duration) summary {
	n := 0
	for _, r := range recs {
		n += len(r.lat)
	}
	all := make([]time.Duration, 0, n)
	s := summary{elapsed: elapsed}
	for _, r := range recs {
		all = append(all, r.lat...)
		s.errs += r.errs
		if r.firstErr != nil && s.firstErr == "" {
			s.firstErr = r.firstErr.Error()
		}
	}
	slices.Sort(all)
	s.ops = len(all)
	if elapsed > 0 {
		s.qps = float64(s.ops) / elapsed.Seconds()
	}
	s.p50 = percentile(all, 50)
	s.p95 = percentile(all, 95)
	s.p99 = percentile(all, 99)
	if len(all) > 0 {
		s.max = all[len(all)-1]
	}
	return s
}

// percentile returns the nearest-rank percentile p of sorted latencies.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.999999999) - 1
	rank = max(0, min(rank, len(sorted)-1))
	return sorted[rank]
}
