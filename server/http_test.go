package server

import (
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

// TestMetricsAndHealth serves /metrics, /healthz and /readyz on a
// loopback listener, makes a call and parses the scrape.
func TestMetricsAndHealth(t *testing.T) {
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	profiles := prometheus.NewGauge(prometheus.GaugeOpts{Name: "scv_profiles", Help: "Profiles in the store."})
	profiles.Set(2)
	client := fixtureServer(t, Options{HTTP: hl, Collectors: []prometheus.Collector{profiles}})
	if _, err := client.GetProfile(context.Background(), &scvv1.GetProfileRequest{Name: "profiles/pAlice"}); err != nil {
		t.Fatal(err)
	}
	base := "http://" + hl.Addr().String()
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %s", path, resp.Status)
		}
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	handled := families["grpc_server_handled_total"]
	if handled == nil {
		t.Fatal("no grpc_server_handled_total")
	}
	var found bool
	for _, m := range handled.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["grpc_method"] == "GetProfile" && labels["grpc_code"] == "OK" && m.GetCounter().GetValue() == 1 {
			found = true
		}
	}
	if !found {
		t.Errorf("grpc_server_handled_total has no GetProfile OK = 1: %v", handled)
	}
	for _, name := range []string{"grpc_server_handling_seconds", "scv_profiles", "go_goroutines"} {
		if families[name] == nil {
			t.Errorf("no %s in the scrape", name)
		}
	}
}
