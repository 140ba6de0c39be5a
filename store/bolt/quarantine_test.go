package bolt

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// quarantined lists the stored rows of source ("" = all) as source:row.
func quarantined(tb testing.TB, db *DB, source string) []Quarantined {
	tb.Helper()
	var out []Quarantined
	err := db.ForEachQuarantined(context.Background(), source, func(q Quarantined) error {
		out = append(out, q)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestQuarantine(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	row := func(src string, n int64, reason string) Quarantined {
		return Quarantined{Source: src, Row: n, Raw: "a,b,,", Reason: reason, Field: "customer_id", At: at}
	}

	for _, step := range []struct {
		name    string
		do      func() error
		want    []Quarantined // all sources, in order
		wantCRM int
	}{
		{
			name: "replace into empty",
			do: func() error {
				return db.ReplaceQuarantine(ctx, "crm", []Quarantined{row("crm", 12, "no id"), row("", 3, "bad quotes")})
			},
			want:    []Quarantined{row("crm", 3, "bad quotes"), row("crm", 12, "no id")},
			wantCRM: 2,
		},
		{
			name: "append to another source and the same row again",
			do: func() error {
				return db.AppendQuarantine(ctx, []Quarantined{row("shop", 1, "no id"), row("crm", 3, "again")})
			},
			want:    []Quarantined{row("crm", 3, "bad quotes"), row("crm", 3, "again"), row("crm", 12, "no id"), row("shop", 1, "no id")},
			wantCRM: 3,
		},
		{
			name:    "replace clears only its source",
			do:      func() error { return db.ReplaceQuarantine(ctx, "crm", []Quarantined{row("crm", 7, "no id")}) },
			want:    []Quarantined{row("crm", 7, "no id"), row("shop", 1, "no id")},
			wantCRM: 1,
		},
		{
			name:    "replace with nothing",
			do:      func() error { return db.ReplaceQuarantine(ctx, "crm", nil) },
			want:    []Quarantined{row("shop", 1, "no id")},
			wantCRM: 0,
		},
	} {
		t.Run(step.name, func(t *testing.T) {
			if err := step.do(); err != nil {
				t.Fatal(err)
			}
			got := quarantined(t, db, "")
			if !slices.EqualFunc(got, step.want, func(a, b Quarantined) bool { return a == b }) {
				t.Errorf("quarantine\n got %+v\nwant %+v", got, step.want)
			}
			src, err := db.Sources(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if src["crm"].Quarantined != step.wantCRM {
				t.Errorf("crm quarantined = %d, want %d", src["crm"].Quarantined, step.wantCRM)
			}
			if n := len(quarantined(t, db, "crm")); n != step.wantCRM {
				t.Errorf("ForEachQuarantined(crm) gave %d rows, want %d", n, step.wantCRM)
			}
		})
	}

	if err := db.ReplaceQuarantine(ctx, "crm", []Quarantined{row("shop", 1, "x")}); err == nil {
		t.Error("row of another source: no error")
	}
	if err := db.AppendQuarantine(ctx, []Quarantined{row("", 1, "x")}); err == nil {
		t.Error("row without source: no error")
	}
	stop := errors.New("stop")
	if err := db.ForEachQuarantined(ctx, "", func(Quarantined) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("fn error: got %v", err)
	}
}
