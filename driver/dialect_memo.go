package driver

import (
	"strings"
	"sync/atomic"

	"github.com/shardsql/shardsql/internal/schema"
)

// dialectWords is what checkDialect needs of one catalog's data sources:
// a dialect word of some source's session sql_mode and of some source's
// global one ("" when no source's has one), found once per catalog
// instead of per statement.
//
// Why: checkDialect runs for every statement shardsql parsed or
// rewrote, and walked the catalog's Sources map, copying each
// schema.Source (a few hundred bytes) out of it: 0.15–0.4 µs of a
// sharded point select's client CPU at 1x8 (round 16's profiles).
//
// Hazard, and why the memo cannot go stale: the words are a function of
// the catalog's Sources alone, and a published *schema.Catalog's Sources
// is never written (a load, rebase or forget builds a new Catalog, and
// forget's copy shares the map unchanged). The memo is keyed by the
// catalog's pointer and holds it, so a catalog is never freed and its
// address reused while the memo names it; any new catalog (a reload
// after SET GLOBAL sql_mode, a topology change) misses and recomputes.
// Before the catalog is loaded (no Sources) the probed modes answer, as
// before, and nothing is memoized. TestDialectMemoReload fails when the
// key is dropped.
type dialectWords struct {
	cat             *schema.Catalog
	session, global string
	// charset: a character set other than utf8mb4 that some source's new
	// connections have for the client, the connection or results
	// (schema.Source.SessionCharsets), "" when none has one.
	charset string
}

// dialectMemo is the Connector's last dialectWords.
type dialectMemo struct {
	last atomic.Pointer[dialectWords]
}

// words returns the dialect words of cat's sources.
func (m *dialectMemo) words(cat *schema.Catalog) *dialectWords {
	if w := m.last.Load(); w != nil && w.cat == cat {
		return w
	}
	w := &dialectWords{cat: cat}
	for _, src := range cat.Sources {
		w.add(&src)
	}
	m.last.Store(w)
	return w
}

// add takes src's words where none was found yet.
func (w *dialectWords) add(src *schema.Source) {
	for _, cs := range src.SessionCharsets {
		if w.charset == "" && !strings.EqualFold(cs, "utf8mb4") {
			w.charset = cs
		}
	}
	if !src.SQLModeKnown {
		return
	}
	if w.session == "" {
		w.session = src.DialectSession
	}
	if w.global == "" {
		w.global = src.DialectGlobal
	}
}
