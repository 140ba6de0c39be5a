package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/scvhq/scv/pipeline"
)

// progressState throttles progress lines on a terminal.
type progressState struct {
	mu      sync.Mutex
	last    time.Time
	printed bool
}

// progress shows how far a long step has come on a terminal, at most ten
// times a second, on one line that each report rewrites. Without a
// terminal it prints nothing: the structured log lines carry the figures.
func (a *app) progress(p pipeline.Progress) {
	if !a.interactive {
		return
	}
	a.prog.mu.Lock()
	defer a.prog.mu.Unlock()
	now := time.Now()
	if now.Sub(a.prog.last) < 100*time.Millisecond {
		return
	}
	a.prog.last = now
	a.prog.printed = true
	what := p.Stage
	if p.Source != "" {
		what += " " + p.Source
	}
	fmt.Fprintf(a.stderr, "\r\x1b[K%s: %d records", what, p.Done)
}

// endProgress clears the progress line, if one was printed.
func (a *app) endProgress() {
	a.prog.mu.Lock()
	defer a.prog.mu.Unlock()
	if a.prog.printed {
		fmt.Fprint(a.stderr, "\r\x1b[K")
		a.prog.printed = false
	}
}
