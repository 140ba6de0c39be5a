package pipeline

// Committed returns a channel that is closed once the pipeline has
// committed its next write (Ingest, DeleteRecord, ResolvePending), so a
// change-log watcher can wait for new entries instead of polling. Take
// the channel before reading the log, so no commit is missed between the
// read and the wait.
func (p *Pipeline) Committed() <-chan struct{} {
	p.nmu.Lock()
	defer p.nmu.Unlock()
	if p.committed == nil {
		p.committed = make(chan struct{})
	}
	return p.committed
}

// notify wakes everyone waiting on Committed.
func (p *Pipeline) notify() {
	p.nmu.Lock()
	defer p.nmu.Unlock()
	if p.committed != nil {
		close(p.committed)
		p.committed = nil
	}
}
