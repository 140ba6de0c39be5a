package server

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// grpcurlPath finds the grpcurl binary: $SCV_GRPCURL, then PATH, then the
// pinned one that `make tools` installs into the repository's .bin/. It
// skips the test when there is none, unless CI=true.
func grpcurlPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SCV_GRPCURL"); p != "" {
		return p
	}
	if p, err := exec.LookPath("grpcurl"); err == nil {
		return p
	}
	p, err := filepath.Abs(filepath.Join("..", ".bin", "grpcurl"))
	if err == nil {
		if _, err = os.Stat(p); err == nil {
			return p
		}
	}
	msg := "grpcurl not found in $SCV_GRPCURL, PATH or .bin/ (run `make tools`)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func TestGrpcurl(t *testing.T) {
	grpcurl := grpcurlPath(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	st := manyStore(t, 5) // the fixture and p000…p004
	go func() { served <- New(st, Options{DefaultCountry: "GB"}).Serve(ctx, lis) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	addr := lis.Addr().String()
	run := func(args ...string) (string, int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, grpcurl, append([]string{"-plaintext"}, args...)...).CombinedOutput()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return string(out), exit.ExitCode()
		}
		if err != nil {
			t.Fatalf("grpcurl %q: %v", args, err)
		}
		return string(out), 0
	}

	t.Run("list", func(t *testing.T) {
		out, code := run(addr, "list")
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		for _, want := range []string{"scv.v1.ProfileService", "grpc.health.v1.Health"} {
			if !strings.Contains(out, want) {
				t.Errorf("list lacks %s:\n%s", want, out)
			}
		}
	})

	t.Run("lookup by email in any case", func(t *testing.T) {
		out, code := run("-d", `{"identifier":{"kind":"email","value":"ALICE@Example.com"},"view":"PROFILE_VIEW_FULL"}`, addr, "scv.v1.ProfileService/LookupProfile")
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		var resp struct {
			Profiles []struct {
				Name    string
				Members []struct {
					Source, ID string
					Fields     []struct{ Name, Raw, Normalized, Status string }
				}
			}
		}
		if err := json.Unmarshal([]byte(out), &resp); err != nil {
			t.Fatalf("decode %q: %v", out, err)
		}
		if len(resp.Profiles) != 1 || resp.Profiles[0].Name != "profiles/pAlice" || len(resp.Profiles[0].Members) != 2 {
			t.Fatalf("want profiles/pAlice with 2 members, got:\n%s", out)
		}
		m := resp.Profiles[0].Members[0]
		if m.Source != "crm" || m.ID != "1" || len(m.Fields) == 0 || m.Fields[0].Status != "FIELD_STATUS_VALID" {
			t.Errorf("first member %+v, want crm/1 with valid fields", m)
		}
	})

	t.Run("list profiles page by page with a filter", func(t *testing.T) {
		type page struct {
			Profiles []struct {
				Name    string
				Summary struct{ GivenName string }
				Members []struct{ Key string }
			}
			NextPageToken string
		}
		var ids []string
		token := ""
		for pages := 1; ; pages++ {
			body := `{"page_size": 2, "filter": "source = \"web\" OR source = \"crm\""}`
			if pages == 1 {
				// OR is refused, naming the filter field.
				out, code := run("-d", body, addr, "scv.v1.ProfileService/ListProfiles")
				if code != 64+3 || !strings.Contains(out, "OR is not supported") {
					t.Fatalf("filter with OR: exit %d:\n%s", code, out)
				}
			}
			body = `{"page_size": 2, "filter": "update_time >= \"2025-01-02T00:00:00Z\"", "view": "PROFILE_VIEW_MARKETING", "page_token": "` + token + `"}`
			out, code := run("-d", body, addr, "scv.v1.ProfileService/ListProfiles")
			if code != 0 {
				t.Fatalf("page %d: exit %d:\n%s", pages, code, out)
			}
			var p page
			if err := json.Unmarshal([]byte(out), &p); err != nil {
				t.Fatalf("decode %q: %v", out, err)
			}
			for _, pr := range p.Profiles {
				if len(pr.Members) != 0 || pr.Summary.GivenName == "" {
					t.Errorf("marketing view of %s: %+v, want a summary without members", pr.Name, pr)
				}
				ids = append(ids, pr.Name)
			}
			if p.NextPageToken == "" {
				break
			}
			token = p.NextPageToken
			if pages > 10 {
				t.Fatal("more than 10 pages")
			}
		}
		// p000 is older than the filter; pBob has no update time.
		want := []string{"profiles/p001", "profiles/p002", "profiles/p003", "profiles/p004", "profiles/pAlice"}
		if strings.Join(ids, " ") != strings.Join(want, " ") {
			t.Errorf("listed %q, want %q", ids, want)
		}
	})

	t.Run("batch get", func(t *testing.T) {
		out, code := run("-d", `{"names": ["profiles/pBob", "profiles/p003"]}`, addr, "scv.v1.ProfileService/BatchGetProfiles")
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		var resp struct{ Profiles []struct{ Name string } }
		if err := json.Unmarshal([]byte(out), &resp); err != nil {
			t.Fatalf("decode %q: %v", out, err)
		}
		if len(resp.Profiles) != 2 || resp.Profiles[0].Name != "profiles/pBob" || resp.Profiles[1].Name != "profiles/p003" {
			t.Errorf("got %+v, want pBob then p003", resp.Profiles)
		}
	})

	t.Run("not found and invalid argument", func(t *testing.T) {
		// grpcurl exits with 64 plus the gRPC code of a failed call.
		for _, tt := range []struct {
			name, body string
			exit       int
			output     string
		}{
			{"unknown email", `{"identifier":{"kind":"email","value":"nobody@example.com"}}`, 64 + 5, "NotFound"},
			{"malformed email", `{"identifier":{"kind":"email","value":"nobody"}}`, 64 + 3, "identifier.value"},
		} {
			out, code := run("-d", tt.body, addr, "scv.v1.ProfileService/LookupProfile")
			if code != tt.exit || !strings.Contains(out, tt.output) {
				t.Errorf("%s: exit %d, want %d with %q in:\n%s", tt.name, code, tt.exit, tt.output, out)
			}
		}
	})
}
