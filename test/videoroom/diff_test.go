package videoroom

import (
	"encoding/json"
	"strings"
	"testing"
)

// The comparison finds every kind of difference a transcript can have.
func TestTranscriptDiff(t *testing.T) {
	parse := func(s string) any {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	want := transcript{Steps: []step{
		{"a", parse(`{"videoroom":"joined","room":1,"publishers":[{"id":"<number>"}],"x":true}`)},
		{"b", parse(`{"videoroom":"event"}`)},
	}}
	got := transcript{Steps: []step{
		{"a", parse(`{"videoroom":"joined","room":"1","publishers":[],"y":1}`)},
	}}
	d := strings.Join(compareTranscripts(want, got), "\n")
	for _, s := range []string{".room: want 1, got \"1\"", ".publishers: want", ".x: missing", ".y: extra field", "step b: not reached"} {
		if !strings.Contains(d, s) {
			t.Errorf("differences lack %q:\n%s", s, d)
		}
	}
	if d := compareTranscripts(want, want); len(d) != 0 {
		t.Errorf("a transcript differs from itself: %v", d)
	}
	r := &recorder{volatile: map[float64]string{42: "<room>"}}
	n := r.normalise("", map[string]any{"id": 7.0, "room": 42.0, "description": "Room 42", "sdp": "v=0", "list": []any{2.0, 1.0}})
	if d := diff("", parse(`{"description":"Room <room>","id":"<number>","list":[1,2],"room":"<room>","sdp":"<string>"}`), n); len(d) > 0 {
		t.Errorf("normalised to %s", canon(n))
	}
}
