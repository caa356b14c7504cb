package shardtest

// Importing shardtest must leave flag.CommandLine as the program had it; the
// dependencies' flags are taken back by internal/flagclean's init, which
// runs after theirs (see the hazard described there).
import "github.com/shardsql/shardsql/internal/flagclean"

// go-mysql-server's copy of Vitess registers its -mysql_auth_* flags in
// an init that may run after internal/flagclean's: take them back again
// once every import of this package is initialised.
func init() { flagclean.Clean() }
