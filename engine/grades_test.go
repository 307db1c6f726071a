package engine

import "testing"

// TestGradeOf: the one-byte grade is the letter the thresholds give, at and
// around each threshold, and prints as it; the zero Grade prints as "".
func TestGradeOf(t *testing.T) {
	gp := GradeParams{B: 0.2, C: 0.4, D: 0.7}
	for _, c := range []struct {
		score float64
		want  string
	}{{0, "A"}, {0.1999, "A"}, {0.2, "B"}, {0.3999, "B"}, {0.4, "C"}, {0.6999, "C"}, {0.7, "D"}, {1, "D"}} {
		g := gp.GradeOf(c.score)
		if g.String() != c.want || gp.Grade(c.score) != c.want || string(rune(g)) != c.want {
			t.Errorf("score %v: GradeOf %q (%d), Grade %q; want %q", c.score, g, g, gp.Grade(c.score), c.want)
		}
	}
	if s := Grade(0).String(); s != "" {
		t.Errorf("the zero Grade prints as %q, want \"\"", s)
	}
}
