package connectors_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors"
	"github.com/scvhq/scv/customer"
)

// ExampleOpen reads a JSON Lines export: nested fields by dotted path, an
// array of emails, and a line that cannot be read set aside for
// quarantine, which makes the read incomplete.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "scv-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "crm.jsonl")
	os.WriteFile(path, []byte(`{"id": 1, "name": {"given": "Ann"}, "emails": ["ann@example.com", "a.lee@work.example"]}
{"id": 2, "name": {"given": "Bob"
{"id": 3, "name": {"given": "Cy"}, "emails": []}
`), 0o644)
	src := config.Source{
		Name: "crm", Type: "jsonl", Path: path, ID: "id",
		Map: map[string][]string{"given_name": {"name.given"}, "email": {"emails"}},
	}
	ctx := context.Background()
	r, err := connectors.Open(ctx, src, connectors.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	st, err := r.Read(ctx,
		func(rec customer.Record, _ string) error {
			fmt.Print(rec.Key(), " ", rec.Get(customer.GivenName).Raw)
			rec.Each(customer.Email, func(v customer.Value) bool {
				if v.Raw != "" {
					fmt.Print(" ", v.Raw)
				}
				return true
			})
			fmt.Println()
			return nil
		},
		func(e *connectors.RowError) error { fmt.Println("quarantined:", e); return nil })
	fmt.Println(st.Records, "records;", "incomplete:", st.Incomplete, err)
	// Output:
	// crm/1 Ann ann@example.com a.lee@work.example
	// quarantined: source "crm" row 2: malformed JSON: the object is cut short
	// crm/3 Cy
	// 2 records; incomplete: row 2: malformed JSON: the object is cut short <nil>
}
