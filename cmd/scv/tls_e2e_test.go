package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

// writeCert writes a certificate for 127.0.0.1 named cn, signed by a new
// CA, to certFile and keyFile, and returns the CA's pool.
func writeCert(t *testing.T, cn, certFile, keyFile string, mod time.Time) *x509.CertPool {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CA " + cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for path, b := range map[string][]byte{
		certFile: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyFile:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}),
	} {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool
}

// TestServeTLSEndToEnd serves the demo over TLS from server.tls_cert and
// tls_key, then renews the certificate and sees a new connection get it
// without a restart.
func TestServeTLSEndToEnd(t *testing.T) {
	cfg := demoConfig(t)
	dir := filepath.Dir(cfg)
	certFile, keyFile := filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	pool := writeCert(t, "first", certFile, keyFile, time.Now().Add(-time.Minute))
	text, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	text = []byte(strings.Replace(string(text), `listen = "127.0.0.1:7070"`, `listen = "127.0.0.1:7070"
  tls_cert = "server.crt"
  tls_key  = "server.key"`, 1))
	if err := os.WriteFile(cfg, text, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := scv(t, "sync", "--config", cfg, "--log-level", "warn"); r.code != 0 {
		t.Fatalf("sync exited %d: %s", r.code, r.stderr)
	}
	addr, stop := startServer(t, cfg)
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: pool})))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := scvv1.NewProfileServiceClient(conn).ListProfiles(ctx, &scvv1.ListProfilesRequest{PageSize: 5}); err != nil {
		t.Fatalf("ListProfiles over TLS: %v", err)
	}
	served := func(pool *x509.CertPool) string {
		t.Helper()
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, NextProtos: []string{"h2"}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0].Subject.CommonName
	}
	if got := served(pool); got != "first" {
		t.Fatalf("served %q, want first", got)
	}
	renewed := writeCert(t, "renewed", certFile, keyFile, time.Now())
	if got := served(renewed); got != "renewed" {
		t.Fatalf("after renewal served %q, want renewed", got)
	}
	if code := stop(); code != 0 {
		t.Errorf("scv serve exited %d", code)
	}
}
