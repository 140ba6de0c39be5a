package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scvhq/scv/synth"
)

func TestRunGen(t *testing.T) {
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"writes silos", []string{"--customers", "200", "--seed", "9"}, 0, "generated silos"},
		{"no customers", nil, 2, "--customers is required"},
		{"customers not a number", []string{"--customers", "many"}, 2, "positive whole number"},
		{"customers zero", []string{"--customers", "0"}, 2, "positive whole number"},
		{"no out", []string{"--customers", "10", "--out", ""}, 2, "--out is required"},
		{"stray argument", []string{"--customers", "10", "extra"}, 2, "unexpected argument"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			args := append([]string{"gen", "--out", out}, tt.args...)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.stderr)
			}
			if tt.code != 0 {
				return
			}
			for _, name := range []string{"crm.csv", "shop.csv", "support.csv", "newsletter.csv", synth.TruthFile, synth.ConfigFile} {
				if _, err := os.Stat(filepath.Join(out, name)); err != nil {
					t.Errorf("missing output: %v", err)
				}
			}
		})
	}
}
