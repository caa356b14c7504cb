package route

// Importing route must leave flag.CommandLine as the program had it; the
// dependencies' flags are taken back by internal/flagclean's init, which
// runs after theirs (see the hazard described there).
import _ "github.com/shardsql/shardsql/internal/flagclean"
