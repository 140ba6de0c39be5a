// Package store is the home of scv's persistence backends; it holds no
// code itself. Each backend is a subpackage named after what it wraps. The
// server and the quality report use it through small interfaces they
// declare (their Store); the pipeline, which writes, holds the backend
// itself:
//
//   - bolt: the default, an embedded go.etcd.io/bbolt file in the
//     configured data_dir, for a single process.
//
// A PostgreSQL backend for several replicas is planned.
package store
