package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/scvhq/scv/demo"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

// scvBin is the scv binary built once for the end-to-end tests.
var scvBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "scv-e2e-")
	if err != nil {
		panic(err)
	}
	scvBin = filepath.Join(dir, "scv")
	build := exec.Command("go", "build", "-o", scvBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		panic("build scv: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the binary did.
type result struct {
	code           int
	stdout, stderr string
}

// scv runs the built binary with args and returns its exit code and output.
func scv(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, scvBin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run scv %v: %v", args, err)
	}
	return result{code, out.String(), errOut.String()}
}

// demoConfig writes the bundled demo silos into a fresh directory and
// returns the path of their config.
func demoConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := demo.WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "scv.hcl")
}

func TestEndToEnd(t *testing.T) {
	cfg := demoConfig(t)

	r := scv(t, "sync", "--config", cfg, "--log-level", "warn")
	if r.code != 0 {
		t.Fatalf("sync exited %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"crm", "shop", "support", "resolved 100 records"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("sync output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = scv(t, "sync", "--config", cfg, "--log-json")
	if r.code != 0 || strings.Count(r.stdout, "unchanged since last sync") != 3 {
		t.Fatalf("second sync (exit %d) should find every source unchanged:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, `"@message":"source unchanged since last sync"`) {
		t.Errorf("--log-json should log JSON lines, got:\n%s", r.stderr)
	}

	first := exportClusters(t, cfg)
	if len(first) != 100 {
		t.Fatalf("export has %d rows, want one per live record (100)", len(first))
	}
	if again := exportClusters(t, cfg); !equalMaps(first, again) {
		t.Error("profile ids changed when resolving the same data again")
	}

	addr, stop := startServer(t, cfg)

	// A second process cannot open the store the server holds.
	r = scv(t, "sync", "--config", cfg)
	if r.code != 1 || !strings.Contains(r.stderr, "in use") {
		t.Errorf("sync while serving: exit %d, stderr %q; want 1 and a store-in-use error", r.code, r.stderr)
	}

	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := scvv1.NewProfileServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := client.LookupProfile(ctx, &scvv1.LookupProfileRequest{
		Identifier: &scvv1.Identifier{Kind: "email", Value: "  AMELIA.Hart@Example.COM "},
		View:       scvv1.ProfileView_PROFILE_VIEW_FULL,
	})
	if err != nil {
		t.Fatalf("LookupProfile: %v", err)
	}
	if len(resp.GetProfiles()) != 1 {
		t.Fatalf("LookupProfile found %d profiles, want 1", len(resp.GetProfiles()))
	}
	prof := resp.GetProfiles()[0]
	sources := map[string]bool{}
	for _, m := range prof.GetMembers() {
		sources[m.GetSource()] = true
		if first[m.GetSource()+"/"+m.GetId()] != prof.GetId() {
			t.Errorf("member %s/%s: served profile %s, exported %s", m.GetSource(), m.GetId(), prof.GetId(), first[m.GetSource()+"/"+m.GetId()])
		}
	}
	if len(sources) != 3 {
		t.Errorf("Amelia Hart's profile spans sources %v, want crm, shop and support", sources)
	}
	byPhone, err := client.LookupProfile(ctx, &scvv1.LookupProfileRequest{
		Identifier: &scvv1.Identifier{Kind: "phone", Value: "07700 900101"},
	})
	if err != nil || byPhone.GetProfiles()[0].GetId() != prof.GetId() {
		t.Errorf("lookup by national phone: %v, %v; want profile %s", byPhone, err, prof.GetId())
	}
	_, err = client.LookupProfile(ctx, &scvv1.LookupProfileRequest{
		Identifier: &scvv1.Identifier{Kind: "email", Value: "nobody@example.org"},
	})
	if status.Code(err) != codes.NotFound {
		t.Errorf("unknown email: %v, want NotFound", err)
	}

	if grpcurl := findGrpcurl(t); grpcurl != "" {
		out, err := exec.CommandContext(ctx, grpcurl, "-plaintext", "-d",
			`{"identifier":{"kind":"source_record","value":"shop/WS-88412"}}`,
			addr, "scv.v1.ProfileService/LookupProfile").CombinedOutput()
		if err != nil || !strings.Contains(string(out), prof.GetId()) {
			t.Errorf("grpcurl LookupProfile: %v\n%s", err, out)
		}
	}

	if code := stop(); code != 0 {
		t.Errorf("serve exited %d after SIGTERM, want 0", code)
	}
	// The store is free again once the server has stopped.
	if r := scv(t, "sync", "--config", cfg, "--log-level", "error"); r.code != 0 {
		t.Errorf("sync after the server stopped: exit %d: %s", r.code, r.stderr)
	}
}

// exportClusters runs scv resolve --export-clusters and returns the
// export as record key -> profile id, checking its header.
func exportClusters(t *testing.T, cfg string) map[string]string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "clusters.csv")
	r := scv(t, "resolve", "--config", cfg, "--export-clusters", out, "--log-level", "warn")
	if r.code != 0 {
		t.Fatalf("resolve exited %d: %s", r.code, r.stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "source,record_id,profile_id" {
		t.Fatalf("export header %v, want source,record_id,profile_id", rows)
	}
	m := make(map[string]string, len(rows)-1)
	for _, row := range rows[1:] {
		m[row[0]+"/"+row[1]] = row[2]
	}
	return m
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// startServer starts scv serve on a free loopback port and returns its
// address and a func that sends SIGTERM and returns the exit code.
func startServer(t *testing.T, cfg string) (addr string, stop func() int) {
	t.Helper()
	addr, stop, _ = startServerLogs(t, cfg)
	return addr, stop
}

// startServerLogs is startServer that also returns a func giving every
// line scv serve has written to stderr so far.
func startServerLogs(t *testing.T, cfg string) (addr string, stop func() int, logs func() string) {
	t.Helper()
	cmd := exec.Command(scvBin, "serve", "--config", cfg, "--listen", "127.0.0.1:0", "--log-json")
	var mu sync.Mutex
	var lines strings.Builder
	logs = func() string {
		mu.Lock()
		defer mu.Unlock()
		return lines.String()
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			mu.Lock()
			lines.Write(sc.Bytes())
			lines.WriteByte('\n')
			mu.Unlock()
			var line struct {
				Message string `json:"@message"`
				Address string `json:"address"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Message == "serving" {
				found <- line.Address
			}
		}
		close(found)
	}()
	select {
	case addr = <-found:
	case <-time.After(30 * time.Second):
	}
	if addr == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("scv serve did not log its address")
	}
	var stopped bool
	stop = func() int {
		if stopped {
			return 0
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return ee.ExitCode()
			}
			if err != nil {
				t.Errorf("wait for scv serve: %v", err)
				return -1
			}
			return 0
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Error("scv serve did not stop within 15s of SIGTERM")
			return -1
		}
	}
	t.Cleanup(func() { stop() })
	return addr, stop, logs
}

// findGrpcurl returns the grpcurl binary ($SCV_GRPCURL, PATH or the
// repository's .bin/ from make tools), or skips the check with a message;
// under CI=true a missing grpcurl fails the test.
func findGrpcurl(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SCV_GRPCURL"); p != "" {
		return p
	}
	if p, err := exec.LookPath("grpcurl"); err == nil {
		return p
	}
	if p, err := filepath.Abs(filepath.Join("..", "..", ".bin", "grpcurl")); err == nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Error("grpcurl not found in $SCV_GRPCURL, PATH or .bin/ (run make tools)")
	} else {
		t.Log("skipping the grpcurl check: grpcurl not found in $SCV_GRPCURL, PATH or .bin/ (run make tools)")
	}
	return ""
}

func TestExitCodes(t *testing.T) {
	cfg := demoConfig(t)
	bad := filepath.Join(t.TempDir(), "bad.hcl")
	if err := os.WriteFile(bad, []byte("data_dir = \"x\"\nsource \"crm\" {\n  type = \"csv\"\n  pathh = \"crm.csv\"\n  id = \"id\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string // in stdout or stderr
	}{
		{"no command", nil, 2, "Usage"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"help", []string{"sync", "--help"}, 0, "--config"},
		{"missing config flag", []string{"sync"}, 2, "--config is required"},
		{"unknown flag", []string{"resolve", "--nope"}, 2, "flag provided but not defined"},
		{"bad log level", []string{"sync", "--config", cfg, "--log-level", "loud"}, 2, "unknown log level"},
		{"config error names file and line", []string{"sync", "--config", bad}, 1, "bad.hcl:4,3-8"},
		{"missing config file", []string{"sync", "--config", filepath.Join(t.TempDir(), "none.hcl")}, 1, "none.hcl"},
		{"unknown source", []string{"sync", "--config", cfg, "--source", "erp"}, 1, `unknown source "erp"`},
		{"audit below the bar", []string{"audit", "--config", cfg, "--fail-under", "0.99"}, 3, "below --fail-under"},
		{"audit above the bar", []string{"audit", "--config", cfg, "--fail-under", "0.5"}, 0, "Data quality score"},
		{"audit bad format", []string{"audit", "--config", cfg, "--format", "pdf"}, 2, "unknown --format"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := scv(t, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout+r.stderr, tt.want) {
				t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", tt.want, r.stdout, r.stderr)
			}
		})
	}
}

func TestDemo(t *testing.T) {
	r := scv(t, "demo")
	if r.code != 0 {
		t.Fatalf("demo exited %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"unified profiles", "profile p", "Data quality: overall score",
		// Amelia Hart, in all three silos: the shop's newer email wins, the
		// support desk's typo loses, the shop's newer denial beats the
		// CRM's older grant; each with its source row.
		`email           "amelia.hart@newmail.example"  (recent)`,
		`from shop/WS-88412 column E-mail = "amelia.hart@newmail.example"`,
		`beat "Amelia Hrat" by trust: support/ZD-5001 "Amelia Hrat"`,
		`consent email   denied, 2025-02-11T19:22:05Z; not reachable: denied`,
		`beat "granted" by newer statement: crm/C1001 "yes"`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestChangesAndExplainProfile(t *testing.T) {
	cfg := demoConfig(t)
	if r := scv(t, "sync", "--config", cfg, "--log-level", "warn"); r.code != 0 {
		t.Fatalf("sync exited %d: %s", r.code, r.stderr)
	}
	r := scv(t, "changes", "--config", cfg, "--json")
	if r.code != 0 {
		t.Fatalf("changes exited %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	var first struct {
		Seq     uint64
		Profile string
		Kind    string
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Seq != 1 || first.Kind != "created" {
		t.Fatalf("first change %q (%v), want seq 1 created", lines[0], err)
	}
	if r := scv(t, "changes", "--config", cfg, "--since", fmt.Sprint(len(lines))); r.code != 0 || r.stdout != "" {
		t.Errorf("changes --since the last: exit %d, %q; want nothing", r.code, r.stdout)
	}
	r = scv(t, "explain", "--config", cfg, "--profile", first.Profile)
	if r.code != 0 || !strings.Contains(r.stdout, "profile "+first.Profile) || !strings.Contains(r.stdout, " column ") {
		t.Errorf("explain --profile: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := scv(t, "explain", "--config", cfg, "--profile", "nope"); r.code != 1 {
		t.Errorf("explain --profile of an unknown id: exit %d, want 1", r.code)
	}
}
