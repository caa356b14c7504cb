// Package flagclean takes back the command-line flags that shardsql's
// dependencies register in flag.CommandLine when they are imported, so that
// importing a shardsql package leaves a program's flag set as it was.
//
// Hazard: Vitess's go/vt/log imports github.com/golang/glog, whose init
// registers -v, -vmodule, -log_dir and six more flags in the global flag
// set (Vitess issue #4089), and go-mysql-server's copy of Vitess
// (github.com/dolthub/vitess/go/mysql, imported by shardtest) registers
// four -mysql_auth_*/-mysql_clientcert_* flags. A program defining its own
// -v then panics at start ("flag redefined: v"), and its -h lists flags it
// does not have. Neither library offers a way not to register them, and
// the flag package cannot delete a flag, so Clean replaces flag.CommandLine
// by a copy without them (same name, error handling and Usage; the other
// flags keep their flag.Value, so nothing registered elsewhere is lost).
// The libraries read their settings through the variables the flags point
// to, which keep their defaults.
//
// Limits: Clean runs from the init of the packages that import these
// libraries (route, merge, shardtest), which Go runs after the libraries'
// own init and before the importing program's; a package that captured
// flag.CommandLine's pointer in between registers on the old set. A program
// that wants glog's flags itself must register its own (glog's are not
// reachable once taken back). A package that registers -v and is
// initialised before glog still makes glog's init panic: only not
// importing glog would avoid that, and Vitess's parser imports it.
package flagclean

import (
	"flag"

	// Imported so that glog's init (through Vitess's log package) has
	// registered its flags before this package's init takes them back.
	_ "vitess.io/vitess/go/vt/log"
)

// taken are the flags the dependencies register, by the package that does.
var taken = map[string]string{
	// github.com/golang/glog
	"v": "glog", "vmodule": "glog", "log_dir": "glog", "log_link": "glog",
	"logbuflevel": "glog", "logtostderr": "glog", "alsologtostderr": "glog",
	"stderrthreshold": "glog", "log_backtrace_at": "glog",
	// github.com/dolthub/vitess/go/mysql
	"mysql_auth_server_static_file":     "dolthub/vitess",
	"mysql_auth_server_static_string":   "dolthub/vitess",
	"mysql_auth_static_reload_interval": "dolthub/vitess",
	"mysql_clientcert_auth_method":      "dolthub/vitess",
}

func init() { Clean() }

// Clean removes the dependencies' flags from flag.CommandLine if any are
// there; it does nothing otherwise, and nothing once the flags were parsed
// (the program is running and may have set them). It is called from init
// functions only, before main runs, so it races with nothing.
func Clean() {
	old := flag.CommandLine
	if old.Parsed() {
		return
	}
	found := false
	old.VisitAll(func(f *flag.Flag) {
		if _, ok := taken[f.Name]; ok {
			found = true
		}
	})
	if !found {
		return
	}
	fs := flag.NewFlagSet(old.Name(), old.ErrorHandling())
	fs.Usage = old.Usage
	fs.SetOutput(old.Output())
	old.VisitAll(func(f *flag.Flag) {
		if _, ok := taken[f.Name]; ok {
			return
		}
		fs.Var(f.Value, f.Name, f.Usage)
		fs.Lookup(f.Name).DefValue = f.DefValue
	})
	flag.CommandLine = fs
}
