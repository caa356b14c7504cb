package shardtest

import (
	"os"
	"testing"
)

// MariaDBReplicated starts a MariaDB primary with database "app" and n
// replicas of it for a test (StartMariaDBReplicated), and stops them when
// the test ends. Like MariaDB, it skips the test when MariaDB is not
// installed, or fails it when SHARDSQL_REQUIRE_MARIADB=1.
func MariaDBReplicated(t testing.TB, n int, opts ReplicaOptions) *Replicated {
	t.Helper()
	switch missingMariaDB(HaveMariaDB(), os.Getenv(RequireMariaDBEnv)) {
	case actionSkip:
		t.Skip(missingMessage())
	case actionFail:
		t.Fatalf("%s (%s=1)", missingMessage(), RequireMariaDBEnv)
	}
	r, err := StartMariaDBReplicated(n, "app", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	})
	return r
}
