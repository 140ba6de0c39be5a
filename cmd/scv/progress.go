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

// progress shows how far a pipeline step has come on a terminal. Without
// a terminal it prints nothing: the structured log lines carry the
// figures.
func (a *app) progress(p pipeline.Progress) {
	what := p.Stage
	if p.Source != "" {
		what += " " + p.Source
	}
	if p.Done == 0 {
		a.showProgress(what, what+"…")
		return
	}
	a.showProgress(what, fmt.Sprintf("%s: %d records", what, p.Done))
}

// showProgress rewrites the progress line with line when a person is
// watching: at once for a new step what, and within a step at most ten
// times a second.
func (a *app) showProgress(what, line string) {
	if !a.interactive {
		return
	}
	a.prog.mu.Lock()
	defer a.prog.mu.Unlock()
	now := time.Now()
	if what == a.prog.what && now.Sub(a.prog.last) < 100*time.Millisecond {
		return
	}
	a.prog.last, a.prog.what, a.prog.printed = now, what, true
	fmt.Fprintf(a.stderr, "\r\x1b[K%s", line)
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
