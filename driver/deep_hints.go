package driver

import "github.com/shardsql/shardsql/route"

// hintDeepPage returns a deep page's plan with position hints
// (merge/deep_hints.go, docs/deep-pages.md "Round 9"): its operator keeps
// the cut page's positions under the shape's key and, when a hint of the
// shape is kept, its phase 1 reads each node's predicted window. It must
// run before the plan's units start: they are phase 1 (Conn.query
// prepares and starts them), so the hinted windows are the units the
// transaction, the pins, the replicas and the scatter run, as the cold
// ones would be.
func (c *Connector) hintDeepPage(p *route.Plan) *route.Plan {
	if c.deepHints == nil {
		return p
	}
	key := p.DeepPage.HintKey()
	if key == "" {
		return p
	}
	return p.WithDeepHint(key, c.deepHints.Windows(key, p.DeepPage.Page))
}
