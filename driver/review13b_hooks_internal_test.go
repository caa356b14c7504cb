package driver

// GateUsedOf reports how many connections of each limited pool of c
// shardsql counts as held (gate.go), for the review13b scatter tests.
func GateUsedOf(c *Connector) map[string]int64 {
	out := map[string]int64{}
	c.gates.Range(func(k, v any) bool {
		out[k.(string)] = v.(*gate).used.Load()
		return true
	})
	return out
}
