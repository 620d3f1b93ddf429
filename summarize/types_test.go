package summarize

import "testing"

func TestTopicKey(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Energy facility attacks", "energy facility attacks"},
		{"energy-facility  attacks", "energy facility attacks"},
		{"The energy attacks", "energy attacks"},
		{"Aid to Ukraine", "aid ukraine"},
		{"Waffenruhe für 30 Tage", "waffenruhe für 30 tage"},
		// Only function words: they are the name, and keep it apart.
		{"The", "the"},
		{"Of the A", "of the a"},
		// No letter or digit: the name itself, folded.
		{"— …", "— …"},
		{"  ", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := TopicKey(tt.name); got != tt.want {
			t.Errorf("TopicKey(%q) = %q; want %q", tt.name, got, tt.want)
		}
	}
}
