// Package connectors turns the rows of a source silo into canonical
// customer records. Every kind of source meets one contract, Stream: a
// header, then rows in source order, each with the checkpoint position
// that covers it where the source has one. One sub-package per kind
// wraps its silo: csv, jsonl, postgres, mysql, httpapi and nats. Open
// opens a configured source by its type after a checkpoint, and a Reader
// maps each row's columns onto a customer.Record, sets aside the rows
// that cannot become a record (no id, a duplicate id, a wrong number of
// columns, undecodable text, a value of the wrong type) as *RowError
// values for quarantine, and says when a read was incomplete.
//
// Records leave here with Raw values only; the pipeline normalizes them
// with customer.Normalize.
package connectors

import "github.com/scvhq/scv/connectors/row"

// Row is one raw row read from a source.
type Row = row.Row

// RowError is a row that cannot become a record. It carries the source,
// line, raw text, reason and, when one column is at fault, its name.
type RowError = row.Error

// The kinds of row problems, for errors.Is on a *RowError.
var (
	ErrColumnCount = row.ErrColumnCount // more or fewer values than the header
	ErrEncoding    = row.ErrEncoding    // invalid UTF-8
	ErrMalformed   = row.ErrMalformed   // breaks the file format, such as a stray quote
	ErrNoID        = row.ErrNoID        // empty id column
	ErrDuplicateID = row.ErrDuplicateID // an earlier row of the read has the same id
	ErrType        = row.ErrType        // a value of a type the mapping cannot read, such as an object
)
