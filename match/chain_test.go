package match

import (
	"slices"
	"testing"
)

func TestChain(t *testing.T) {
	c := newChain()
	get := func(k string) []int32 { return slices.Sorted(c.all(k)) }
	c.add("a", 0)
	c.add("a", 3)
	c.add("b", 1)
	c.add("a", 5)
	if got := get("a"); !slices.Equal(got, []int32{0, 3, 5}) {
		t.Errorf("a: %v", got)
	}
	c.remove("a", 3) // the middle
	c.remove("a", 5) // the head
	c.remove("b", 7) // not there
	c.remove("zz", 0)
	if got := get("a"); !slices.Equal(got, []int32{0}) {
		t.Errorf("a after removals: %v", got)
	}
	c.remove("a", 0)
	if _, ok := c.head["a"]; ok || len(get("a")) != 0 {
		t.Error("an emptied key is kept")
	}
	c.add("a", 3) // a removed position can go under another key
	if got := get("a"); !slices.Equal(got, []int32{3}) || !slices.Equal(get("b"), []int32{1}) {
		t.Errorf("a %v b %v", got, get("b"))
	}
}
