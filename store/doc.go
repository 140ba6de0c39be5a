// Package store is the home of scv's persistence backends; it holds no
// code itself. Each backend is a subpackage named after what it wraps and
// is used through the small interfaces its consumers declare (the server's
// Store, the quality report's Store), so a backend only has to provide the
// methods those need:
//
//   - bolt: the default, an embedded go.etcd.io/bbolt file in the
//     configured data_dir, for a single process.
//
// A PostgreSQL backend for several replicas is planned.
package store
