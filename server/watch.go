package server

import (
	"context"
	"time"

	scvv1 "github.com/scvhq/scv/proto/scv/v1"
	"github.com/scvhq/scv/store"
)

// ChangeLog is the change log WatchProfiles streams; store/bolt's *DB
// satisfies it.
type ChangeLog interface {
	// Changes returns up to limit entries with a sequence greater than
	// since, in order.
	Changes(ctx context.Context, since uint64, limit int) ([]store.Change, error)
	// LastChangeSeq returns the newest entry's sequence, or 0.
	LastChangeSeq(ctx context.Context) (uint64, error)
}

// watchPage is how many entries WatchProfiles reads per store call.
const watchPage = 1000

// watchFallback is how often WatchProfiles reads the log when no
// Options.Committed notifies it of commits.
const watchFallback = time.Second

var changeKinds = map[store.ChangeKind]scvv1.ChangeKind{
	store.Created: scvv1.ChangeKind_CHANGE_KIND_CREATED,
	store.Updated: scvv1.ChangeKind_CHANGE_KIND_UPDATED,
	store.Merged:  scvv1.ChangeKind_CHANGE_KIND_MERGED,
	store.Split:   scvv1.ChangeKind_CHANGE_KIND_SPLIT,
	store.Deleted: scvv1.ChangeKind_CHANGE_KIND_DELETED,
}

func profileNames(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = profileNamePrefix + id
	}
	return out
}

// WatchProfiles streams the change log after req.Since (or from now),
// waiting for each commit, until the client goes or the server stops.
func (p *profileService) WatchProfiles(req *scvv1.WatchProfilesRequest, stream scvv1.ProfileService_WatchProfilesServer) error {
	ctx := stream.Context()
	if p.changes == nil {
		return &preconditionError{kind: "SERVER", subject: "WatchProfiles", desc: "this server has no change log", reason: reasonNoChangeLog}
	}
	since := req.GetSince()
	if req.Since == nil {
		last, err := p.changes.LastChangeSeq(ctx)
		if err != nil {
			return err
		}
		since = last
	}
	for {
		var wake <-chan struct{}
		if p.committed != nil {
			wake = p.committed() // before the read, so no commit is missed
		}
		page, err := p.changes.Changes(ctx, since, watchPage)
		if err != nil {
			return err
		}
		for _, c := range page {
			resp := &scvv1.WatchProfilesResponse{
				Seq: c.Seq, Name: profileNamePrefix + c.Profile, Kind: changeKinds[c.Kind],
				MergedFrom: profileNames(c.MergedFrom), SplitInto: profileNames(c.SplitInto), ChangeTime: timestamp(c.At),
			}
			if err := stream.Send(resp); err != nil {
				return err
			}
			since = c.Seq
		}
		if len(page) == watchPage {
			continue
		}
		var tick <-chan time.Time
		var timer *time.Timer
		if wake == nil {
			timer = time.NewTimer(watchFallback)
			tick = timer.C
		}
		select {
		case <-wake:
		case <-tick:
		case <-p.stopping:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
		if timer != nil {
			timer.Stop()
		}
	}
}
