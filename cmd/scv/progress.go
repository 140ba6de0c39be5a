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

	started map[string]time.Time // when each step was first reported, for rates
	logged  map[string]time.Time // when each source's progress was last logged
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
		a.prog.mu.Lock()
		delete(a.prog.started, what)
		a.prog.mu.Unlock()
		a.showProgress(what, what+"…")
		return
	}
	if p.Source == "" {
		a.showProgress(what, fmt.Sprintf("%s: %d records", what, p.Done))
		return
	}
	a.prog.mu.Lock()
	if a.prog.started == nil {
		a.prog.started, a.prog.logged = map[string]time.Time{}, map[string]time.Time{}
	}
	now := time.Now()
	start, ok := a.prog.started[what]
	if !ok {
		start = now
		a.prog.started[what] = now
	}
	logNow := !a.interactive && now.Sub(a.prog.logged[what]) >= 5*time.Second
	if logNow {
		a.prog.logged[what] = now
	}
	a.prog.mu.Unlock()
	rate := 0.0
	if d := now.Sub(start).Seconds(); d > 0.05 {
		rate = float64(p.Done) / d
	}
	if logNow {
		a.logger.Named("sync").Info("sync progress", "source", p.Source, "rows", p.Done, "rows_per_s", int(rate), "quarantined", p.Quarantined)
	}
	line := fmt.Sprintf("%s: %d rows, %.0f rows/s, %d quarantined", what, p.Done, rate, p.Quarantined)
	if p.Total > 0 {
		line = fmt.Sprintf("%s: %d of %d rows (%.0f%%), %.0f rows/s, %d quarantined", what, p.Done, p.Total,
			100*float64(p.Done)/float64(p.Total), rate, p.Quarantined)
		if left := p.Total - p.Done; rate > 0 && left > 0 {
			line += fmt.Sprintf(", %s left", time.Duration(float64(left)/rate*float64(time.Second)).Round(time.Second))
		}
	}
	a.showProgress(what, line)
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
