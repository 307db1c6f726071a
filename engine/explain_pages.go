package engine

import (
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"unsafe"
)

// hugePage is the size of a transparent huge page on amd64 and arm64
// (Linux, 4 KiB base pages).
const hugePage = 2 << 20

// madvCollapse is Linux's MADV_COLLAPSE (6.1 and later): make the range's
// pages into huge pages now, synchronously.
const madvCollapse = 25

// AdviseHugePages asks the kernel to back the arrays an explanation reads
// at random — the operator's rows, the scores, the intrinsic risk and
// shares, the records' index — with transparent huge pages
// (docs/risk-model.md §4 "Huge pages"). Each push of an explanation reads
// a row, an offset, a risk and, for each new neighbour, a score far from
// the last: with 4 KiB pages nearly every such read also misses the TLB,
// and under a hypervisor a TLB miss walks two page tables. With the
// system's THP mode "madvise" (the default of many distributions) nothing
// of the Go heap gets huge pages unless asked; in the modes "always" and
// "never" it does nothing. It is a hint: where the kernel refuses (no
// memory to compact, an old kernel without MADV_COLLAPSE) the arrays stay
// as they were, and nothing else changes. It returns the number of bytes
// it advised; parts of r that are nil are skipped (it runs in the
// background, where a panic would end the process).
func (r *Result) AdviseHugePages() int { return r.adviseHugePages(true) }

// UnadviseHugePages takes AdviseHugePages's advice back, for a result no
// longer served: the memory its arrays free is reused by the heap, and
// ranges still advised could be made huge again by the kernel's
// khugepaged wherever one small page of them is in use (RSS growing by up
// to 2 MiB per such page). In the mode "madvise" no advice is the default.
func (r *Result) UnadviseHugePages() int { return r.adviseHugePages(false) }

func (r *Result) adviseHugePages(on bool) int {
	n := adviseHuge(r.Score, on)
	if op := r.Operator; op != nil {
		n += adviseHuge(op.Off, on) + adviseHuge(op.Src, on) + adviseHuge(op.Wt, on)
	}
	if in := r.Intrinsic; in != nil {
		n += adviseHuge(in.Risk, on) + adviseHuge(in.Share, on)
	}
	if g := r.Graph; g != nil {
		n += adviseHuge(g.RecOff, on) + adviseHuge(g.RecIdx, on)
	}
	return n
}

// thpMadvise reports whether the system's THP mode is "madvise": huge
// pages only where asked for.
var thpMadvise = sync.OnceValue(func() bool {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	return err == nil && strings.Contains(string(mode), "[madvise]")
})

// adviseHuge advises (on) or unadvises the huge pages that hold s, rounded
// out to whole huge pages (a huge page is shared by whatever else lies in
// it; the advice changes no byte of it). Arrays under one huge page are
// left alone, and so is everything unless the THP mode is "madvise".
func adviseHuge[T any](s []T, on bool) int {
	size := uintptr(len(s)) * unsafe.Sizeof(*new(T))
	if size < hugePage || !thpMadvise() {
		return 0
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	lo := start &^ (hugePage - 1)
	hi := (start + size + hugePage - 1) &^ (hugePage - 1)
	advice := uintptr(syscall.MADV_HUGEPAGE)
	if !on {
		advice = syscall.MADV_NOHUGEPAGE
	}
	if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, advice); e != 0 {
		return 0
	}
	if on {
		// Best effort: pages faulted later get huge pages anyway.
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, madvCollapse)
	}
	runtime.KeepAlive(s)
	return int(hi - lo)
}
