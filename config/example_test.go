package config_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/scvhq/scv/config"
)

func ExampleLoad() {
	dir, err := os.MkdirTemp("", "scv-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "crm.csv"), []byte("customer_id,first_name\n"), 0o644)
	path := filepath.Join(dir, "scv.hcl")
	os.WriteFile(path, []byte(`
source "crm" {
  type = "csv"
  path = "crm.csv"
  id   = "customer_id"
  map {
    given_name = "first_name"
  }
}
`), 0o644)

	cfg, err := config.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	src := cfg.Sources[0]
	fmt.Println(src.Name, src.Type, src.ID, src.Map["given_name"], src.Trust, cfg.Server.Listen)
	fmt.Println(filepath.Base(src.Path), filepath.Base(cfg.DataDir))
	// Output:
	// crm csv customer_id [first_name] 0.5 127.0.0.1:7070
	// crm.csv scv-data
}

func ExampleError() {
	dir, err := os.MkdirTemp("", "scv-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "scv.hcl")
	os.WriteFile(path, []byte(`
source "crm" {
  type  = "xlsx"
  pathh = "crm.csv"
  id    = "customer_id"
}
`), 0o644)

	_, err = config.Load(path)
	var cerr *config.Error
	if errors.As(err, &cerr) {
		fmt.Println(len(cerr.Diagnostics), "problems")
	}
	fmt.Println(strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""))
	// Output:
	// 2 problems
	// scv.hcl:3,11-17: Unsupported source type; The argument "type" of source "crm" is "xlsx"; known types: csv, jsonl, postgres, mysql, http, nats, api.
	// scv.hcl:4,3-8: Unsupported argument; An argument named "pathh" is not expected here. Did you mean "path"?
}
