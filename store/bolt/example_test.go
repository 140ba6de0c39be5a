package bolt_test

import (
	"context"
	"fmt"
	"os"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/store"
	"github.com/scvhq/scv/store/bolt"
)

func Example() {
	dir, err := os.MkdirTemp("", "scv-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	db, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		panic(err)
	}
	defer db.Close()

	// A sync writes normalized records in batches.
	ann := customer.Record{Source: "crm", ID: "17", Row: 2}
	ann.Fields[customer.Email] = customer.Value{Raw: "Ann@Example.com", Norm: "ann@example.com", Status: customer.Valid}
	shop := customer.Record{Source: "shop", ID: "a9", Row: 5}
	shop.Fields[customer.Email] = customer.Value{Raw: "ann@example.com ", Norm: "ann@example.com", Status: customer.Valid}
	st, err := db.PutRecords(ctx, store.Batch{Records: []customer.Record{ann, shop}})
	if err != nil {
		panic(err)
	}
	fmt.Println("changed:", st.Changed)

	// Both are pending until the resolver stores which profile each
	// record belongs to.
	pending, err := db.Pending(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println("pending:", pending.Keys)
	err = db.ApplyResolution(ctx, store.Resolution{
		Assign: map[string]string{"crm/17": "p-1", "shop/a9": "p-1"},
		Full:   true, Resolved: pending.Keys, PendingSeq: pending.Seq,
	})
	if err != nil {
		panic(err)
	}

	// The server looks profiles up by a normalized identifier.
	ids, err := db.Lookup(ctx, customer.KindEmail, "ann@example.com")
	if err != nil {
		panic(err)
	}
	p, err := db.Profile(ctx, ids[0])
	if err != nil {
		panic(err)
	}
	for _, m := range p.Members {
		fmt.Println(p.ID, m.Key(), m.Get(customer.Email).Raw)
	}
	// Output:
	// changed: [crm/17 shop/a9]
	// pending: [crm/17 shop/a9]
	// p-1 crm/17 Ann@Example.com
	// p-1 shop/a9 ann@example.com
}
