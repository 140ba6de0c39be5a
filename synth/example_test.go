package synth_test

import (
	"context"
	"fmt"
	"os"

	"github.com/scvhq/scv/synth"
)

func ExampleGenerate() {
	dir, err := os.MkdirTemp("", "scv-gen-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	sum, err := synth.Generate(context.Background(), dir, synth.Options{Customers: 1000, Seed: synth.DefaultSeed})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range sum.Sources {
		fmt.Printf("%-14s %4d rows, %d without an id\n", s.File, s.Records, s.Quarantined)
	}
	fmt.Printf("%s: %d records of %d people\n", synth.TruthFile, sum.Truth, sum.Customers)
	// Output:
	// crm.csv         657 rows, 0 without an id
	// shop.csv        619 rows, 2 without an id
	// support.csv     447 rows, 2 without an id
	// newsletter.csv  424 rows, 1 without an id
	// truth.csv: 2142 records of 1000 people
}
