package engine

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// chunkSize is the fixed unit of parallel work. Reductions combine per-chunk
// partial results in chunk order, so results do not depend on the number of
// workers.
const chunkSize = 4096

func workerCount(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

// numChunks is the number of chunks covering n items.
func numChunks(n int) int { return (n + chunkSize - 1) / chunkSize }

// parallelChunks calls fn(c, lo, hi) for every chunk c = [lo,hi) of [0,n)
// on up to workers goroutines.
func parallelChunks(n, workers int, fn func(c, lo, hi int)) {
	parallelChunksOf(n, chunkSize, workers, fn)
}

// parallelChunksOf is parallelChunks with chunks of size items.
func parallelChunksOf(n, size, workers int, fn func(c, lo, hi int)) {
	nc := (n + size - 1) / size
	workers = min(workerCount(workers), nc)
	if workers <= 1 {
		for c := 0; c < nc; c++ {
			fn(c, c*size, min(n, (c+1)*size))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1) - 1)
				if c >= nc {
					return
				}
				fn(c, c*size, min(n, (c+1)*size))
			}
		}()
	}
	wg.Wait()
}
