package config_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scvhq/scv/config"
)

const clientSource = `
source "crm" {
  type = "csv"
  path = "crm.csv"
  id   = "customer_id"
}
`

func TestLoadClients(t *testing.T) {
	t.Setenv("SCV_TEST_TOKEN", "s3cret")
	digest := sha256.Sum256([]byte("other"))
	path := writeConfig(t, clientSource+`
client "dashboard" {
  token  = env("SCV_TEST_TOKEN")
  scopes = ["profiles.read"]
}
client "ops" {
  token_sha256 = "`+hex.EncodeToString(digest[:])+`"
  scopes       = ["admin", "profiles.read_pii", "admin"]
}
`)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Clients) != 2 {
		t.Fatalf("got %d clients, want 2", len(cfg.Clients))
	}
	d, o := cfg.Clients[0], cfg.Clients[1]
	if d.Name != "dashboard" || d.TokenSHA256 != sha256.Sum256([]byte("s3cret")) || !slices.Equal(d.Scopes, []string{"profiles.read"}) {
		t.Errorf("dashboard = %+v", d)
	}
	if o.Name != "ops" || o.TokenSHA256 != digest || !slices.Equal(o.Scopes, []string{"admin", "profiles.read_pii"}) {
		t.Errorf("ops = %+v", o)
	}
}

func TestLoadClientErrors(t *testing.T) {
	t.Setenv("SCV_TEST_TOKEN", "s3cret")
	for _, tt := range []struct {
		name, text string
		want       []string
	}{
		{"literal token", `client "a" {
  token  = "s3cret"
  scopes = ["admin"]
}`, []string{`scv.hcl:9,12-20: Secret in the file`, `"token" of client "a"`, `env("NAME")`}},
		{"both", `client "a" {
  token        = env("SCV_TEST_TOKEN")
  token_sha256 = "00"
  scopes       = ["admin"]
}`, []string{`scv.hcl:9,3-8: Conflicting arguments`}},
		{"no token", `client "a" {
  scopes = ["admin"]
}`, []string{`Missing required argument`, `Client "a" needs its token`}},
		{"bad digest", `client "a" {
  token_sha256 = "abc"
  scopes       = ["admin"]
}`, []string{`scv.hcl:9,18-23: Invalid value`, `"token_sha256" of client "a" must be the 64 hex digits`}},
		{"unknown scope", `client "a" {
  token  = env("SCV_TEST_TOKEN")
  scopes = ["profiles.write"]
}`, []string{`scv.hcl:10,12-30: Invalid value`, `not "profiles.write"`}},
		{"no scopes", `client "a" {
  token = env("SCV_TEST_TOKEN")
}`, []string{`Missing required argument`, `"scopes"`}},
		{"duplicate name", `client "a" {
  token  = env("SCV_TEST_TOKEN")
  scopes = ["admin"]
}
client "a" {
  token_sha256 = "` + strings.Repeat("0", 64) + `"
  scopes       = ["admin"]
}`, []string{`scv.hcl:12,8-11: Duplicate client`}},
		{"shared token", `client "a" {
  token  = env("SCV_TEST_TOKEN")
  scopes = ["admin"]
}
client "b" {
  token  = env("SCV_TEST_TOKEN")
  scopes = ["profiles.read"]
}`, []string{`Duplicate client token`, `Client "b" has the same token as client "a"`}},
		{"unknown key", `client "a" {
  token  = env("SCV_TEST_TOKEN")
  scopes = ["admin"]
  scope  = "admin"
}`, []string{`scv.hcl:11,3-8: Unsupported argument`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(writeConfig(t, clientSource+"\n"+tt.text))
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Load: %v, want a *config.Error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows the token", err)
			}
		})
	}
}

func TestLoadServerTLS(t *testing.T) {
	path := writeConfig(t, clientSource+`
server {
  listen      = "0.0.0.0:7443"
  http_listen = "127.0.0.1:7071"
  tls_cert  = "tls/server.crt"
  tls_key   = "tls/server.key"
  client_ca = "/etc/scv/ca.pem"
}
`)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(path)
	want := config.Server{Listen: "0.0.0.0:7443", HTTPListen: "127.0.0.1:7071", TLSCert: filepath.Join(dir, "tls/server.crt"),
		TLSKey: filepath.Join(dir, "tls/server.key"), ClientCA: "/etc/scv/ca.pem"}
	if cfg.Server != want {
		t.Errorf("server = %+v, want %+v", cfg.Server, want)
	}
	for _, tt := range []struct{ name, block, want string }{
		{"cert without key", `server {
  tls_cert = "a.crt"
}`, `needs both "tls_cert" and "tls_key"`},
		{"bad http_listen", `server {
  http_listen = "7071"
}`, `"http_listen" of the server block must be host:port`},
		{"client_ca without cert", `server {
  client_ca = "ca.pem"
}`, `"client_ca" of the server block asks for mutual TLS`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(writeConfig(t, clientSource+tt.block))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "scv.hcl:") {
				t.Errorf("Load: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
