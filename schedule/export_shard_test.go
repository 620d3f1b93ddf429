package schedule

import "slices"

// Entries returns the servers whose schedules s runs, in order.
func (s *Service) Entries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id := range s.entries {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// EntryOf returns guildID's schedule in memory (nil when none), to tell
// whether a reload replaced it.
func (s *Service) EntryOf(guildID string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.entries[guildID]
}
