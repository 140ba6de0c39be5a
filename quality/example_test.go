package quality_test

import (
	"fmt"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/quality"
)

// A Tally counts each field's values as normalized records stream by, as
// the sync summary does; Report turns the counts into scores.
func ExampleTally() {
	t := quality.NewTally(quality.Options{Sources: []quality.Source{
		{Name: "crm", MappedFields: []customer.Field{customer.Email}},
	}})
	for i, raw := range []string{"ann@example.com", "bob at example dot com", "n/a"} {
		r := customer.Record{Source: "crm", ID: fmt.Sprint("C", i+1), Row: int64(i + 2)}
		r.Fields[customer.Email] = customer.NormalizeEmail(raw)
		t.Add(&r)
	}
	t.AddQuarantined("crm", 5, "customer_id", ",Dee,dee@example.com", "no record id")

	s := t.Report().Sources[0]
	f := s.Fields[0]
	fmt.Printf("%s: %d present, %d missing, %d valid, %d invalid\n", f.Name, f.Present, f.Missing, f.Valid, f.Invalid)
	fmt.Printf("completeness %.3f, validity %.3f, source score %.3f\n", f.Completeness, f.Validity, s.Score)
	r := t.Report()
	for _, q := range r.Sources[0].Quarantine {
		fmt.Printf("quarantined: %d row, %s\n", q.Count, q.Reason)
	}
	for _, o := range r.WorstOffenders {
		fmt.Printf("row %d: %d invalid, %d missing\n", o.Row, o.Invalid, o.Missing)
		for _, p := range o.Problems {
			fmt.Printf("  %s %q: %s\n", p.Field, p.Raw, p.Reason)
		}
	}
	// Output:
	// email: 2 present, 1 missing, 1 valid, 1 invalid
	// completeness 0.667, validity 0.500, source score 0.583
	// quarantined: 1 row, no record id
	// row 3: 1 invalid, 0 missing
	//   email "bob at example dot com": email address has no @
	// row 4: 0 invalid, 1 missing
}
