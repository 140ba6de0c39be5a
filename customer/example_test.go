package customer_test

import (
	"fmt"

	"github.com/scvhq/scv/customer"
)

func ExampleNormalizePhone() {
	for _, raw := range []string{"07700 900123", "+44 (0)20 7946 0958", "0044 20 7946 0958 ext. 12", "12345", "n/a"} {
		v := customer.NormalizePhone(raw, "GB")
		fmt.Printf("%-28q %-8v %s%s\n", raw, v.Status, v.Norm, v.Reason)
	}
	// Output:
	// "07700 900123"               valid    +447700900123
	// "+44 (0)20 7946 0958"        valid    +442079460958
	// "0044 20 7946 0958 ext. 12"  valid    +442079460958
	// "12345"                      invalid  phone number lacks its area code
	// "n/a"                        missing
}

func ExampleFoldName() {
	fmt.Println(customer.FoldName("Zoë O'Neil-Smith"))
	fmt.Println(customer.FoldName("STRAUß"))
	// Output:
	// zoe oneil smith
	// strauss
}

func ExampleNormalize() {
	var r customer.Record
	r.Fields[customer.Email].Raw = "Jane.Doe@Example.COM"
	r.Fields[customer.PostalCode].Raw = "sw1a1aa"
	r.Fields[customer.DateOfBirth].Raw = "31/12/1985"
	customer.Normalize(&r, customer.Options{DefaultCountry: "GB", DateFormat: customer.DateDMY})
	for _, f := range []customer.Field{customer.Email, customer.PostalCode, customer.DateOfBirth, customer.Country} {
		v := r.Get(f)
		fmt.Printf("%s: %v %q\n", f, v.Status, v.Norm)
	}
	// Output:
	// email: valid "jane.doe@example.com"
	// postal_code: valid "SW1A 1AA"
	// date_of_birth: valid "1985-12-31"
	// country: missing ""
}
