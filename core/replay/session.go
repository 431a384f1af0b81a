package replay

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// startLead is how far ahead of now a Session schedules its start, so
// every player is waiting before the first frame is due and none starts
// late.
const startLead = 20 * time.Millisecond

// Session plays the tracks of one recording together on one clock: each
// player sends its first frame at the common start plus its track's
// offset, so audio and video keep the sync they were recorded with.
type Session struct {
	players []*Player
}

// NewSession groups players that have not been started.
func NewSession(players ...*Player) (*Session, error) {
	if len(players) == 0 {
		return nil, errors.New("replay: session without players")
	}
	for _, p := range players {
		if p == nil {
			return nil, errors.New("replay: nil player in session")
		}
		if p.started.Load() {
			return nil, fmt.Errorf("replay session: %w", ErrAlreadyStarted)
		}
	}
	return &Session{players: players}, nil
}

// Players returns the session's players, in the order given.
func (s *Session) Players() []*Player { return s.players }

// Play starts every player on one clock and returns the start time the
// offsets count from.
func (s *Session) Play(ctx context.Context) (time.Time, error) {
	start := time.Now().Add(startLead)
	for i, p := range s.players {
		if err := p.PlayAt(ctx, start); err != nil {
			for _, q := range s.players[:i] {
				q.Stop()
			}
			return time.Time{}, err
		}
	}
	return start, nil
}

// Pause pauses every player; their clocks stay together.
func (s *Session) Pause() {
	for _, p := range s.players {
		p.Pause()
	}
}

// Resume resumes every player.
func (s *Session) Resume() {
	for _, p := range s.players {
		p.Resume()
	}
}

// Stop stops every player and waits for them.
func (s *Session) Stop() {
	for _, p := range s.players {
		p.Stop()
	}
}

// Wait blocks until every player has ended and returns their errors.
func (s *Session) Wait() error {
	var errs []error
	for _, p := range s.players {
		if _, err := p.Result(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
