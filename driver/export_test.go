package driver

// WithXAHook calls f at each stage of an XA commit ("prepare:<ds>" after a
// branch prepares, "decided" after the commit decision is logged,
// "commit:<ds>" after a branch commits), so crash tests can die there.
func WithXAHook(f func(stage string)) Option {
	return func(o *options) error {
		o.xaHook = f
		return nil
	}
}
