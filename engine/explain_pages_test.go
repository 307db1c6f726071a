package engine

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestAdviseHugeCoversTheArray: where the THP mode is "madvise", adviseHuge
// advises whole huge pages that cover the array, leaves its contents as
// they were (MADV_COLLAPSE copies pages), skips arrays under one huge page,
// and the mapping that holds the array is then eligible for huge pages
// (/proc/self/smaps THPeligible); taken back, it is not.
func TestAdviseHugeCoversTheArray(t *testing.T) {
	if n := adviseHuge(make([]float64, 1000), true); n != 0 {
		t.Errorf("an 8 000-byte array: advised %d bytes, want 0", n)
	}
	a := make([]float64, 5<<20/8+123)
	for i := range a {
		a[i] = float64(i) * 0.5
	}
	n := adviseHuge(a, true)
	size := len(a) * 8
	if n == 0 {
		t.Skip("THP mode not \"madvise\", or the kernel refused MADV_HUGEPAGE")
	}
	if n%hugePage != 0 || n < size || n > size+2*hugePage {
		t.Errorf("advised %d bytes for an array of %d: want whole huge pages covering it", n, size)
	}
	for i := range a {
		if a[i] != float64(i)*0.5 {
			t.Fatalf("a[%d] = %g after the advice, was %g", i, a[i], float64(i)*0.5)
		}
	}
	at := uintptr(unsafe.Pointer(&a[len(a)/2]))
	eligible, found := thpEligible(t, at)
	if !found {
		t.Fatal("no mapping in /proc/self/smaps holds the array")
	}
	if !eligible {
		t.Error("the array's mapping is not eligible for huge pages after the advice")
	}
	// Taken back (UnadviseHugePages): not eligible any more, bytes kept.
	if m := adviseHuge(a, false); m != n {
		t.Errorf("unadvised %d bytes, advised %d", m, n)
	}
	if eligible, _ := thpEligible(t, at); eligible {
		t.Error("the array's mapping is still eligible for huge pages after the advice was taken back")
	}
	for i := range a {
		if a[i] != float64(i)*0.5 {
			t.Fatalf("a[%d] = %g after the advice was taken back, was %g", i, a[i], float64(i)*0.5)
		}
	}
}

// thpEligible reads /proc/self/smaps: whether the mapping that holds addr
// says THPeligible: 1.
func thpEligible(t *testing.T, addr uintptr) (eligible, found bool) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			lo, hi, _ := strings.Cut(fields[0], "-")
			l, err1 := strconv.ParseUint(lo, 16, 64)
			h, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && uint64(addr) >= l && uint64(addr) < h
			found = found || in
			continue
		}
		if in && len(fields) == 2 && fields[0] == "THPeligible:" {
			return fields[1] == "1", true
		}
	}
	return false, found
}

// TestAdviseHugePagesOfAPartialResult: a result without an operator,
// intrinsic risk or graph is advised for what it has; nothing panics (the
// server advises in a goroutine of its own).
func TestAdviseHugePagesOfAPartialResult(t *testing.T) {
	r := &Result{Score: make([]float64, 3<<20/8)}
	if n := r.AdviseHugePages(); n != 0 && n < 3<<20 {
		t.Errorf("advised %d bytes for a score array of 3 MiB", n)
	}
	if n := (&Result{}).AdviseHugePages(); n != 0 {
		t.Errorf("an empty result: advised %d bytes", n)
	}
	if n := (&Result{}).UnadviseHugePages(); n != 0 {
		t.Errorf("an empty result: unadvised %d bytes", n)
	}
}
