package golden_test

import (
	"os"
	"time"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
)

func Example() {
	rec := func(src, id string, day int, email, consent string) customer.Record {
		r := customer.Record{Source: src, ID: id, UpdatedAt: time.Date(2026, 1, day, 0, 0, 0, 0, time.UTC)}
		r.Add(customer.Email, customer.Value{Raw: email})
		customer.Normalize(&r, customer.Options{})
		st := customer.ConsentGranted
		if consent == "no" {
			st = customer.ConsentDenied
		}
		r.Consent = map[string]customer.Consent{"email": {Status: st, At: r.UpdatedAt, Raw: consent}}
		return r
	}
	b := golden.New(golden.Options{Sources: map[string]golden.Source{
		"crm":  {Trust: 0.9, Columns: map[customer.Field]string{customer.Email: "email"}, Consent: map[string]string{"email": "newsletter"}},
		"shop": {Trust: 0.6, Columns: map[customer.Field]string{customer.Email: "mail"}, Consent: map[string]string{"email": "opt_in"}},
	}})
	p := b.Build("p1", []customer.Record{
		rec("crm", "C1", 1, "ada@old.example", "yes"),
		rec("shop", "S9", 20, "Ada@New.example", "no"),
	}, false)
	_ = golden.WriteText(os.Stdout, p)
	// Output:
	// profile p1 (match confidence 1.0000)
	//   email           "ada@new.example"  (recent)
	//       from shop/S9 column mail = "Ada@New.example", 2026-01-20
	//   email #2        "ada@old.example"  (recent)
	//       from crm/C1 column email = "ada@old.example", 2026-01-01
	//   consent email   denied, 2026-01-20; not reachable: denied
	//       from shop/S9 column opt_in = "no", 2026-01-20
	//       beat "granted" by newer statement: crm/C1 "yes"
	//   consent phone   unknown; not reachable: no valid value
	//   consent post    unknown; not reachable: no valid value
	//   consent sms     unknown; not reachable: no valid value
}
