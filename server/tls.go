package server

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// TLSFiles name the PEM files Serve uses for TLS. The certificate and key
// are read again when either file's modification time changes, so a
// renewed certificate is served without a restart.
type TLSFiles struct {
	Cert, Key string
	// ClientCA, when set, makes the server require client certificates
	// signed by one of its authorities (mutual TLS).
	ClientCA string
}

// TLSConfig returns the tls.Config of files: it fails now on files that
// cannot be loaded, and later keeps serving the last good pair when a
// reload fails.
func TLSConfig(files TLSFiles) (*tls.Config, error) {
	r := &certReloader{cert: files.Cert, key: files.Key}
	if _, err := r.get(); err != nil {
		return nil, err
	}
	cfg := &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return r.get() },
	}
	if files.ClientCA != "" {
		pem, err := os.ReadFile(files.ClientCA)
		if err != nil {
			return nil, fmt.Errorf("client CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("client CA %s: no PEM certificate in the file", files.ClientCA)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// certReloader caches a key pair and loads it again when the
// modification time of either file changes.
type certReloader struct {
	cert, key string

	mu      sync.Mutex
	pair    *tls.Certificate // guarded by mu
	modCert time.Time        // guarded by mu
	modKey  time.Time        // guarded by mu
}

func (r *certReloader) get() (*tls.Certificate, error) {
	ci, err1 := os.Stat(r.cert)
	ki, err2 := os.Stat(r.key)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := errors.Join(err1, err2); err != nil {
		if r.pair != nil {
			return r.pair, nil
		}
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	if r.pair != nil && ci.ModTime().Equal(r.modCert) && ki.ModTime().Equal(r.modKey) {
		return r.pair, nil
	}
	pair, err := tls.LoadX509KeyPair(r.cert, r.key)
	if err != nil {
		if r.pair != nil {
			// A renewal caught between writing the two files: keep the
			// old pair until both are written.
			return r.pair, nil
		}
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	r.pair, r.modCert, r.modKey = &pair, ci.ModTime(), ki.ModTime()
	return r.pair, nil
}
