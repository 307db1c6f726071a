package models

import "testing"

func TestPIDHasher(t *testing.T) {
	h, err := NewPIDHasher([]byte("0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewPIDHasher([]byte("fedcba9876543210"))
	a := h.FromIDNumber("11010519491231002x")
	if a != h.FromIDNumber(" 11010519491231002X ") {
		t.Error("normalisation: lower-case x and spaces must give the same pid")
	}
	if a == other.FromIDNumber("11010519491231002X") {
		t.Error("different keys gave the same pid")
	}
	if a == h.FromIDNumber("110105194912310021") {
		t.Error("different numbers gave the same pid")
	}
	if len(a) != 32 {
		t.Errorf("pid length %d, want 32", len(a))
	}
	if h.FromSourceKey("s", "11010519491231002X") == a {
		t.Error("source keys must live in their own namespace")
	}
	if _, err := NewPIDHasher([]byte("short")); err == nil {
		t.Error("short key accepted")
	}
}
