package driver

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReplicaSessionDSN: a replica DSN takes the session settings of its
// primary's DSN it leaves out, and is refused when it sets one otherwise;
// a server setting its primary leaves out (or a primary given as a pool)
// is checked on the servers (check).
func TestReplicaSessionDSN(t *testing.T) {
	const p = "app:pw@tcp(db0:3306)/app?parseTime=true&loc=Local&time_zone=%27%2B05%3A00%27&charset=utf8mb4&timeout=5s"
	for _, c := range []struct {
		primary, replica, want, err string
		check                       bool
	}{
		{p, "app:pw@tcp(r1:3306)/app", "app:pw@tcp(r1:3306)/app?charset=utf8mb4&loc=Local&parseTime=true&time_zone=%27%2B05%3A00%27", "", false},
		{p, "app:pw@tcp(r1:3306)/app?parseTime=1&readTimeout=2s", "app:pw@tcp(r1:3306)/app?parseTime=1&readTimeout=2s&charset=utf8mb4&loc=Local&time_zone=%27%2B05%3A00%27", "", false},
		{p, "app:pw@tcp(r1:3306)/app?time_zone=%27%2B05%3A00%27&parseTime=true&loc=Local&charset=UTF8MB4", "app:pw@tcp(r1:3306)/app?time_zone=%27%2B05%3A00%27&parseTime=true&loc=Local&charset=UTF8MB4", "", false},
		{p, "app:pw@tcp(r1:3306)/app?time_zone=%27%2B00%3A00%27", "", "time_zone", false},
		{p, "app:pw@tcp(r1:3306)/app?parseTime=false", "", "parseTime", false},
		{p, "app:pw@tcp(r1:3306)/app?sql_mode=%27ANSI_QUOTES%27", "app:pw@tcp(r1:3306)/app?sql_mode=%27ANSI_QUOTES%27&charset=utf8mb4&loc=Local&parseTime=true&time_zone=%27%2B05%3A00%27", "", true},
		{"app:pw@tcp(db0:3306)/app", "app:pw@tcp(r1:3306)/app?charset=utf8mb4", "app:pw@tcp(r1:3306)/app?charset=utf8mb4", "", true},
		{"app:pw@tcp(db0:3306)/app", "app:pw@tcp(r1:3306)/app?parseTime=true", "", "parseTime", false},
		{"app:pw@tcp(db0:3306)/app", "app:pw@tcp(r1:3306)/app?loc=Local", "", "loc", false},
		{"app:pw@tcp(db0:3306)/app", "app:pw@tcp(r1:3306)/app?parseTime=false&loc=UTC&timeout=1s", "app:pw@tcp(r1:3306)/app?parseTime=false&loc=UTC&timeout=1s", "", false},
		{"", "app:pw@tcp(r1:3306)/app?time_zone=%27%2B00%3A00%27", "app:pw@tcp(r1:3306)/app?time_zone=%27%2B00%3A00%27", "", true},
	} {
		got, check, err := replicaSessionDSN(c.primary, c.replica)
		if c.err != "" {
			require.Error(t, err, c.replica)
			assert.True(t, errors.Is(err, ErrUnsupported), "%v", err)
			assert.Contains(t, err.Error(), c.err)
			continue
		}
		require.NoError(t, err, c.replica)
		assert.Equal(t, c.want, got)
		assert.Equal(t, c.check, check, c.replica)
		cfg, _, err := replicaConfig(c.primary, c.replica)
		require.NoError(t, err)
		if c.primary == p {
			assert.True(t, cfg.ParseTime)
			assert.Equal(t, "'+05:00'", cfg.Params["time_zone"])
		}
	}
}
