// Command ownflags is a program with its own -v flag that imports every
// public shardsql package: it must start (no "flag redefined" panic) and
// its flag set must hold only its own flags. driver's TestOwnFlags runs it.
package main

import (
	"flag"
	"fmt"

	_ "github.com/shardsql/shardsql/driver"
	_ "github.com/shardsql/shardsql/merge"
	_ "github.com/shardsql/shardsql/route"
	_ "github.com/shardsql/shardsql/seq"
	_ "github.com/shardsql/shardsql/shard"
	_ "github.com/shardsql/shardsql/shardtest"
)

var verbose = flag.Bool("v", false, "the program's own -v")

func main() {
	flag.Parse()
	flag.VisitAll(func(f *flag.Flag) { fmt.Printf("-%s=%s\n", f.Name, f.Value) })
}
