package driver

import (
	"github.com/go-sql-driver/mysql"
)

// interpolation is what the data sources' DSNs say of interpolateParams
// for one topology version.
type interpolation struct {
	version uint64
	on      bool
}

// interpolates reports whether a data source's DSN sets
// interpolateParams=true (route.Options.InterpolatedArgs): go-sql-driver
// then writes ? arguments into the text, where MariaDB reads a quoted
// LIMIT argument as a syntax error. Read once per topology version (a
// DSN parse per data source; a pool registered with AddDB hides its DSN
// and counts as not interpolating, go-sql-driver's default).
func (c *Connector) interpolates() bool {
	v := c.topo.Version()
	if p := c.interp.Load(); p != nil && p.version == v {
		return p.on
	}
	on := false
	for _, ds := range c.topo.DataSources() {
		if ds.DB != nil {
			continue
		}
		if cfg, err := mysql.ParseDSN(ds.DSN); err == nil && cfg.InterpolateParams {
			on = true
		}
	}
	c.interp.Store(&interpolation{version: v, on: on})
	return on
}
