package shardtest

import (
	"os"
	"strings"
	"testing"
)

// RequireMariaDBEnv is the environment variable that turns a missing MariaDB
// installation from a skipped test into a failed one: set it to "1" (as CI
// does) to make MariaDB fail tests instead of skipping them.
const RequireMariaDBEnv = "SHARDSQL_REQUIRE_MARIADB"

// notFoundMessage explains a missing MariaDB installation.
const notFoundMessage = "mariadbd not found on PATH; install mariadb-server to run MariaDB tests"

// Embedded is StartEmbedded for tests: it starts n embedded servers, each with
// an empty database named "app", fails the test on error and closes the
// servers when the test and its subtests finish.
func Embedded(t testing.TB, n int) []*Server {
	t.Helper()
	servers, err := StartEmbedded(n, "app")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := closeAll(servers); err != nil {
			t.Error(err)
		}
	})
	return servers
}

// MariaDB is StartMariaDB for tests: it starts n MariaDB servers, each with
// an empty database named "app", fails the test on error and closes the
// servers when the test and its subtests finish.
//
// If MariaDB is not installed (see HaveMariaDB) the test is skipped, unless
// the environment variable SHARDSQL_REQUIRE_MARIADB is "1", in which case it
// fails.
func MariaDB(t testing.TB, n int) []*Server {
	t.Helper()
	switch missingMariaDB(HaveMariaDB(), os.Getenv(RequireMariaDBEnv)) {
	case actionSkip:
		t.Skip(missingMessage())
	case actionFail:
		t.Fatalf("%s (%s=1)", missingMessage(), RequireMariaDBEnv)
	}
	servers, err := StartMariaDB(n, "app")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := closeAll(servers); err != nil {
			t.Error(err)
		}
	})
	return servers
}

// missingMessage says which MariaDB binary is missing.
func missingMessage() string {
	if err := findMariaDB().err; err != nil {
		return strings.TrimPrefix(err.Error(), "shardtest: ")
	}
	return notFoundMessage
}

// action is what MariaDB does before starting servers.
type action int

const (
	actionRun action = iota
	actionSkip
	actionFail
)

// missingMariaDB decides whether MariaDB tests run, are skipped or fail, given
// whether the binaries were found and the value of SHARDSQL_REQUIRE_MARIADB.
func missingMariaDB(found bool, require string) action {
	switch {
	case found:
		return actionRun
	case require == "1":
		return actionFail
	default:
		return actionSkip
	}
}
