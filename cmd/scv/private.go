package main

import "os"

// createPrivate creates or truncates the file path readable and writable
// by its owner only (0600), for output holding personal data: a file that
// already exists is narrowed to 0600 too.
func createPrivate(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
