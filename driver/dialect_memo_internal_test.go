package driver

import (
	"fmt"
	"testing"

	"github.com/shardsql/shardsql/internal/schema"
	"github.com/shardsql/shardsql/route"
)

// BenchmarkDialectWords: checkDialect's question of a 1x8 catalog's
// sources, as the walk of the Sources map it made per statement before
// round 16 (walk) and from the memo (memo).
func BenchmarkDialectWords(b *testing.B) {
	cat := &schema.Catalog{Sources: map[string]schema.Source{}}
	for i := range 8 {
		src := schema.Source{Database: "d", Version: "10.11.19-MariaDB", TimeZone: "SYSTEM", DefaultCharsets: []string{"utf8mb4"}, EvalSession: []string{"4", "en_US", "0"}}
		src.SetSQLModes("STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO", "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO", route.DialectModeIn)
		cat.Sources[fmt.Sprintf("ds%d", i)] = src
	}
	b.Run("walk", func(b *testing.B) {
		for b.Loop() {
			for _, src := range cat.Sources {
				if src.SQLModeKnown && src.DialectSession != "" {
					b.Fatal(src.DialectSession)
				}
			}
		}
	})
	b.Run("memo", func(b *testing.B) {
		var m dialectMemo
		for b.Loop() {
			if w := m.words(cat); w.session != "" {
				b.Fatal(w.session)
			}
		}
	})
}
