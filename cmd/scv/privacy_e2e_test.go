package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/prototext"

	"github.com/scvhq/scv/demo"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

// demoPII returns every email, phone, name and date of birth of the demo
// silos as written and in the normalized forms scv stores (lower-case
// emails, E.164 phones, ISO dates).
func demoPII(t *testing.T) []string {
	t.Helper()
	columns := map[string][]string{
		"crm.csv":     {"first_name", "last_name", "email", "mobile", "dob"},
		"shop.csv":    {"Name", "E-mail", "Phone", "Birthday"},
		"support.csv": {"contact_name", "contact_email", "contact_phone"},
	}
	var out []string
	for file, cols := range columns {
		f, err := demo.FS.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows[1:] {
			for _, c := range cols {
				i := indexOf(rows[0], c)
				if i < 0 {
					t.Fatalf("%s has no column %q", file, c)
				}
				v := strings.TrimSpace(row[i])
				if len(v) < 3 {
					continue
				}
				out = append(out, v, strings.ToLower(v))
				digits := strings.Map(func(r rune) rune {
					if r >= '0' && r <= '9' {
						return r
					}
					return -1
				}, v)
				if len(digits) >= 9 {
					out = append(out, digits)
					if strings.HasPrefix(digits, "0") {
						out = append(out, "+44"+digits[1:])
					}
				}
				if d := strings.Split(v, "/"); len(d) == 3 && len(d[2]) == 4 {
					out = append(out, d[2]+"-"+d[1]+"-"+d[0])
				}
			}
		}
	}
	return out
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// TestPrivacyEndToEnd syncs the demo silos and serves them with client
// blocks: no token and a wrong one are refused, a profiles.read token
// sees masked contact values, a profiles.read_pii token sees them all,
// and no log line of sync, audit, resolve or serve shows any email,
// phone, name or date of birth of the demo data. Personal-data files
// are 0600 and the data directory 0700.
func TestPrivacyEndToEnd(t *testing.T) {
	cfg := demoConfig(t)
	t.Setenv("SCV_TEST_DASH_TOKEN", "dash-secret")
	t.Setenv("SCV_TEST_PII_TOKEN", "pii-secret")
	confText, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	withHTTP := strings.Replace(string(confText), `listen = "127.0.0.1:7070"`, `listen = "127.0.0.1:7070"
  http_listen = "127.0.0.1:0"`, 1)
	if err := os.WriteFile(cfg, []byte(withHTTP), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`
client "dashboard" {
  token  = env("SCV_TEST_DASH_TOKEN")
  scopes = ["profiles.read"]
}
client "crm" {
  token  = env("SCV_TEST_PII_TOKEN")
  scopes = ["profiles.read", "profiles.read_pii"]
}
`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	dir := filepath.Dir(cfg)
	var logs strings.Builder
	for _, args := range [][]string{
		{"sync", "--config", cfg},
		{"audit", "--config", cfg, "--out", filepath.Join(dir, "audit.txt")},
		{"resolve", "--config", cfg, "--export-clusters", filepath.Join(dir, "clusters.csv")},
	} {
		r := scv(t, args...)
		if r.code != 0 {
			t.Fatalf("scv %v exited %d: %s", args, r.code, r.stderr)
		}
		logs.WriteString(r.stderr)
	}
	for path, want := range map[string]os.FileMode{
		filepath.Join(dir, "audit.txt"):    0o600,
		filepath.Join(dir, "clusters.csv"): 0o600,
		filepath.Join(dir, "scv-data"):     0o700,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s has mode %o, want %o", path, got, want)
		}
	}

	addr, stop, serveLogs := startServerLogs(t, cfg)
	profiles := scvv1.NewProfileServiceClient(dial(t, addr))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	as := func(token string) context.Context {
		return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	lookup := &scvv1.LookupProfileRequest{Identifier: &scvv1.Identifier{Kind: "email", Value: "amelia.hart@example.com"}, View: scvv1.ProfileView_PROFILE_VIEW_FULL}
	if _, err := profiles.LookupProfile(ctx, lookup); status.Code(err) != codes.Unauthenticated {
		t.Errorf("no token: %v, want Unauthenticated", err)
	}
	if _, err := profiles.LookupProfile(as("wrong"), lookup); status.Code(err) != codes.Unauthenticated {
		t.Errorf("wrong token: %v, want Unauthenticated", err)
	}
	full, err := profiles.LookupProfile(as("pii-secret"), lookup)
	if err != nil {
		t.Fatal(err)
	}
	if text := prototext.Format(full); !strings.Contains(text, "amelia.hart@example.com") || !strings.Contains(text, "1986-03-14") {
		t.Errorf("profiles.read_pii lookup lacks the email or date of birth:\n%s", text)
	}
	masked, err := profiles.LookupProfile(as("dash-secret"), lookup)
	if err != nil {
		t.Fatal(err)
	}
	list, err := profiles.ListProfiles(as("dash-secret"), &scvv1.ListProfilesRequest{PageSize: 100, View: scvv1.ProfileView_PROFILE_VIEW_FULL})
	if err != nil {
		t.Fatal(err)
	}
	text := prototext.Format(masked) + prototext.Format(list)
	if !strings.Contains(text, "a•••@example.com") || !strings.Contains(text, "+44•••••0101") {
		t.Errorf("profiles.read responses lack the masked email and phone:\n%s", text)
	}
	pii := demoPII(t)
	for _, v := range pii {
		if isName(v) {
			continue // names are not masked for profiles.read
		}
		if strings.Contains(text, v) {
			t.Errorf("profiles.read responses hold %q", v)
		}
	}
	scrape(t, serveLogs())
	if code := stop(); code != 0 {
		t.Errorf("scv serve exited %d", code)
	}
	all := logs.String() + serveLogs()
	if !strings.Contains(serveLogs(), `"client":"dashboard"`) || !strings.Contains(serveLogs(), `"method":"/scv.v1.ProfileService/LookupProfile"`) {
		t.Errorf("serve logs lack the access lines:\n%s", serveLogs())
	}
	for _, v := range pii {
		if strings.Contains(all, v) {
			t.Errorf("a log line holds %q", v)
		}
	}
	if t.Failed() {
		t.Logf("logs:\n%s", all)
	}
}

// isName reports whether a demo value is a name rather than a contact
// value or date.
func isName(v string) bool {
	return !strings.ContainsAny(v, "@0123456789")
}

// TestServeRefusesOpenBeyondLoopback starts scv serve on every interface
// of a config without client blocks and expects it to refuse, saying why.
func TestServeRefusesOpenBeyondLoopback(t *testing.T) {
	cfg := demoConfig(t)
	r := scv(t, "serve", "--config", cfg, "--listen", "0.0.0.0:0")
	if r.code != 1 || !strings.Contains(r.stderr, "without client blocks") {
		t.Fatalf("scv serve on 0.0.0.0 exited %d: %s", r.code, r.stderr)
	}
}

// scrape finds the HTTP address in scv serve's logs, checks /readyz and
// parses /metrics.
func scrape(t *testing.T, logs string) {
	t.Helper()
	var addr string
	for _, line := range strings.Split(logs, "\n") {
		var l struct {
			Message string `json:"@message"`
			HTTP    string `json:"http_address"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Message == "serving" {
			addr = l.HTTP
		}
	}
	if addr == "" {
		t.Fatalf("scv serve logged no http_address:\n%s", logs)
	}
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz: %s", resp.Status)
	}
	resp, err = http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]float64{}
	for _, m := range families["grpc_server_handled_total"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["grpc_method"] == "LookupProfile" {
			codes[labels["grpc_code"]] = m.GetCounter().GetValue()
		}
	}
	if codes["OK"] != 2 || codes["Unauthenticated"] != 2 {
		t.Errorf("grpc_server_handled_total of LookupProfile by code = %v, want OK 2 and Unauthenticated 2", codes)
	}
	if f := families["scv_store_file_bytes"]; f == nil || f.GetMetric()[0].GetGauge().GetValue() <= 0 {
		t.Errorf("scv_store_file_bytes = %v, want > 0", f)
	}
	if families["grpc_server_handling_seconds"] == nil {
		t.Error("no grpc_server_handling_seconds")
	}
}
