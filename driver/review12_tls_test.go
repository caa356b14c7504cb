package driver_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"fmt"
	"log"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/shardsql/shardsql/shardtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// selfSignedCert writes a self-signed certificate for 127.0.0.1 and its key
// to dir and returns their paths and the certificate pool that trusts it.
func selfSignedCert(t *testing.T, dir string) (certFile, keyFile string, roots *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(12),
		Subject:               pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	kder, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	roots = x509.NewCertPool()
	roots.AddCert(cert)
	return certFile, keyFile, roots
}

// TestReview12TLS: data sources over TLS (tls=skip-verify, a registered
// tls.Config that verifies the server, tls=preferred). go-sql-driver's TLS
// upgrade wraps the socket shardsql dialed, so a context ending
// mid-statement still cuts it: the statement fails at once with the
// context's error, nothing is logged, and the pool answers exactly after.
// One small server started with a self-signed certificate.
func TestReview12TLS(t *testing.T) {
	if !shardtest.HaveMariaDB() {
		shardtest.MariaDB(t, 1) // skips, or fails under SHARDSQL_REQUIRE_MARIADB=1
	}
	logs := &lineLog{}
	require.NoError(t, mysql.SetLogger(logs))
	t.Cleanup(func() { _ = mysql.SetLogger(log.New(os.Stderr, "[mysql] ", log.Ldate|log.Ltime)) })
	certFile, keyFile, roots := selfSignedCert(t, t.TempDir())
	srv, err := shardtest.StartMariaDBArgs("r12a", "--ssl-cert="+certFile, "--ssl-key="+keyFile)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	require.NoError(t, mysql.RegisterTLSConfig("review12", &tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}))
	t.Cleanup(func() { mysql.DeregisterTLSConfig("review12") })

	ctx := context.Background()
	var dsns []string
	var plains []*sql.DB
	for i, name := range []string{"r12a", "r12b"} {
		cfg, err := mysql.ParseDSN(srv.DSN())
		require.NoError(t, err)
		cfg.DBName = name
		if i == 1 {
			admin := openPlain(t, srv.DSN())
			_, err := admin.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS r12b")
			require.NoError(t, err)
		}
		dsns = append(dsns, cfg.FormatDSN())
		plain := openPlain(t, cfg.FormatDSN())
		for _, q := range []string{
			"DROP TABLE IF EXISTS t_pk",
			"CREATE TABLE t_pk (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, v VARCHAR(40))",
		} {
			_, err := plain.ExecContext(ctx, q)
			require.NoError(t, err)
		}
		var vals []string
		for id := 1; id <= review12Rows; id++ {
			if (id%4)%2 == i {
				vals = append(vals, fmt.Sprintf("(%d, %d, 'v%d')", id, id%4, id))
			}
		}
		_, err = plain.ExecContext(ctx, "INSERT INTO t_pk (id, user_id, v) VALUES "+strings.Join(vals, ","))
		require.NoError(t, err)
		plains = append(plains, plain)
	}

	for k, mode := range []string{"skip-verify", "review12", "preferred"} {
		t.Run(mode, func(t *testing.T) {
			param := "tls=" + mode
			var cipher, name string
			plain := openPlain(t, dsns[0]+"&"+param)
			require.NoError(t, plain.QueryRowContext(ctx, "SHOW SESSION STATUS LIKE 'Ssl_cipher'").Scan(&name, &cipher))
			require.NotEmpty(t, cipher, "the connection is TLS")
			interp := k%2 == 0
			db := review12Open(t, dsns, func(_ int, b string) string {
				if interp {
					return b + "&" + param + "&interpolateParams=true"
				}
				return b + "&" + param
			})
			dsnFormCheck(t, db, fmt.Sprintf("tls=%s interpolate=%v", mode, interp), k)
		})
	}
	review12Values(t, plains)
	logs.mu.Lock()
	defer logs.mu.Unlock()
	assert.Empty(t, logs.lines, "go-sql-driver logged nothing")
}
