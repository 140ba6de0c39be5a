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
	what    string // the step last shown
	printed bool
}

// progress shows how far a long step has come on a terminal, on one line
// that each report rewrites: every new step, and within a step at most ten
// updates a second. Without a
// terminal it prints nothing: the structured log lines carry the figures.
func (a *app) progress(p pipeline.Progress) {
	if !a.interactive {
		return
	}
	a.prog.mu.Lock()
	defer a.prog.mu.Unlock()
	what := p.Stage
	if p.Source != "" {
		what += " " + p.Source
	}
	now := time.Now()
	if what == a.prog.what && now.Sub(a.prog.last) < 100*time.Millisecond {
		return
	}
	a.prog.last, a.prog.what, a.prog.printed = now, what, true
	if p.Done == 0 {
		fmt.Fprintf(a.stderr, "\r\x1b[K%s…", what)
		return
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
