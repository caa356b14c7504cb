package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"

	"github.com/shardsql/shardsql/shard"
)

// DriverName is the name shardsql registers with database/sql.
const DriverName = "shardsql"

// Driver is the database/sql driver registered as "shardsql". Its data
// source names are names given to Register.
type Driver struct{}

var (
	_ driver.Driver        = Driver{}
	_ driver.DriverContext = Driver{}
)

// registry maps names given to Register to their topologies and options.
// It is the driver registration, the only package-level state.
var registry sync.Map // string → registration

type registration struct {
	topo *shard.Topology
	opts []Option
}

func init() { sql.Register(DriverName, Driver{}) }

// Register makes topo available as sql.Open("shardsql", name). Registering
// a name twice is an error.
func Register(name string, topo *shard.Topology, opts ...Option) error {
	if name == "" || topo == nil {
		return fmt.Errorf("shardsql: Register needs a name and a topology")
	}
	if _, loaded := registry.LoadOrStore(name, registration{topo: topo, opts: opts}); loaded {
		return fmt.Errorf("shardsql: Register: name %q is already registered", name)
	}
	return nil
}

// OpenConnector returns a Connector for a name given to Register.
func (Driver) OpenConnector(name string) (driver.Connector, error) {
	v, ok := registry.Load(name)
	if !ok {
		return nil, fmt.Errorf("shardsql: no topology registered as %q; call driver.Register(%q, topo) first", name, name)
	}
	reg := v.(registration)
	return NewConnector(reg.topo, reg.opts...)
}

// Open returns a connection for a name given to Register. database/sql
// uses OpenConnector instead.
func (d Driver) Open(name string) (driver.Conn, error) {
	c, err := d.OpenConnector(name)
	if err != nil {
		return nil, err
	}
	return c.Connect(context.Background())
}
