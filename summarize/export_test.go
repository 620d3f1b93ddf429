package summarize

// Books is what the memory budget's books say, for the tests of package
// summarize_test.
type Books struct {
	Used, Peak      int64
	Running, Queued int
}

// MemoryBooks reads s's memory budget.
func MemoryBooks(s *Service) Books {
	m := s.memory
	m.mu.Lock()
	defer m.mu.Unlock()
	return Books{Used: m.used, Peak: m.peak, Running: m.running, Queued: len(m.queue)}
}
