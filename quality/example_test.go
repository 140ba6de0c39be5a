package quality_test

import (
	"fmt"
	"os"

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
	if err := quality.WriteProblems(os.Stdout, t.Report()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// email: 2 present, 1 missing, 1 valid, 1 invalid
	// completeness 0.667, validity 0.500, source score 0.583
	//
	// Quarantined rows (not records: fix them at the source)
	//   source  rows  reason        first rows
	//   crm        1  no record id  5
	//
	// Worst rows
	//   crm row 3 (id C2): 1 invalid, 0 missing
	//     email "bob at example dot com": email address has no @
	//   crm row 4 (id C3): 0 invalid, 1 missing
}
