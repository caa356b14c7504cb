package shardtest

import (
	"errors"
	"fmt"
)

// StartMariaDBArgs starts one throwaway mariadbd as StartMariaDB does, with
// extra mariadbd arguments (TLS certificates, a variable a test needs at
// start), and creates database db. The caller must Close the server.
func StartMariaDBArgs(db string, args ...string) (*Server, error) {
	if db == "" {
		return nil, errors.New("shardtest: StartMariaDBArgs: empty database name")
	}
	bin := findMariaDB()
	if bin.err != nil {
		return nil, bin.err
	}
	sc := serverConfig{create: true, args: append([]string{"--skip-log-bin"}, args...)}
	var err error
	for attempt := 0; attempt < bindAttempts; attempt++ {
		var s *Server
		if s, err = startMariaDBWith(bin, db, sc); err == nil {
			return s, nil
		}
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	return nil, fmt.Errorf("shardtest: start MariaDB server: %w", err)
}
