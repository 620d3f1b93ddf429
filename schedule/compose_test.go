package schedule

import (
	"testing"
	"time"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestMarkerRoundTrip(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	slot := time.Date(2026, 11, 29, 9, 0, 0, 0, berlin)
	id := markerID("123", slot)
	tests := []struct {
		content string
		i, n    int
		ok      bool
	}{
		{"text\n" + footer(id, slot, berlin, false, 1, 1), 1, 1, true},
		{"text\n" + footer(id, slot, berlin, true, 2, 3), 2, 3, true},
		{"text\n" + footer(markerID("123", slot.Add(time.Second)), slot, berlin, false, 1, 1), 0, 0, false},
		{"someone quoting: -# briefing · id " + id, 0, 0, false},
	}
	for _, tt := range tests {
		i, n, ok := markerPart(tt.content, id)
		if i != tt.i || n != tt.n || ok != tt.ok {
			t.Errorf("markerPart(%q) = %d, %d, %v; want %d, %d, %v", tt.content, i, n, ok, tt.i, tt.n, tt.ok)
		}
	}
}
