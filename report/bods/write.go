package bods

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"riskgraph/store"
)

// Writer streams statements as one JSON array, one statement a line, so
// that a file of every enterprise's declaration never sits in memory.
type Writer struct {
	w     *bufio.Writer
	n     int
	empty bool
}

// NewWriter starts an array on w.
func NewWriter(w io.Writer) *Writer {
	bw := bufio.NewWriterSize(w, 1<<16)
	return &Writer{w: bw, empty: true}
}

// Write adds statements to the array.
func (w *Writer) Write(sts ...Statement) error {
	for i := range sts {
		b, err := json.Marshal(&sts[i])
		if err != nil {
			return err
		}
		sep := ",\n"
		if w.empty {
			sep, w.empty = "[\n", false
		}
		if _, err := w.w.WriteString(sep); err != nil {
			return err
		}
		if _, err := w.w.Write(b); err != nil {
			return err
		}
		w.n++
	}
	return nil
}

// Close ends the array and flushes it.
func (w *Writer) Close() error {
	end := "\n]\n"
	if w.empty {
		end = "[]\n"
	}
	if _, err := w.w.WriteString(end); err != nil {
		return err
	}
	return w.w.Flush()
}

// Count is the number of statements written.
func (w *Writer) Count() int { return w.n }

// Graph is what an export reads: the graph's questions and, for every
// enterprise, a scan.
type Graph interface {
	store.Reader
	store.Scanner
}

// Declaration returns the statements of one enterprise (keyOrUSCC).
func Declaration(ctx context.Context, r store.Reader, keyOrUSCC string, rules store.OwnerRules, opts Options) ([]Statement, error) {
	e, err := r.Enterprise(ctx, keyOrUSCC)
	if err != nil {
		return nil, err
	}
	o, err := store.BeneficialOwners(ctx, r, e.Key, rules)
	if err != nil {
		return nil, err
	}
	return Statements(e, o, rules.Today, opts), nil
}

// errDone ends a scan once the enterprise pages are over.
var errDone = errors.New("bods: enterprises done")

// ExportAll writes the declaration of every enterprise (placeholders
// left out) to w, in the order the scan gives them: memory holds one page
// of enterprises (1000) and its declarations, made on every core. It
// returns the number of enterprises written.
func ExportAll(ctx context.Context, s Graph, rules store.OwnerRules, opts Options, w *Writer) (int, error) {
	n := 0
	err := s.Scan(ctx, 1000, func(b *store.Batch) error {
		if len(b.Enterprises) == 0 && b.Len() > 0 {
			return errDone
		}
		keys := make([]string, 0, len(b.Enterprises))
		for _, e := range b.Enterprises {
			if !e.Placeholder {
				keys = append(keys, e.Key)
			}
		}
		// The page's declarations are made on every core, then written
		// in the scan's order.
		out := make([][]Statement, len(keys))
		errs := make([]error, len(keys))
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(runtime.GOMAXPROCS(0), len(keys)) {
			wg.Go(func() {
				for i := int(next.Add(1) - 1); i < len(keys); i = int(next.Add(1) - 1) {
					out[i], errs[i] = Declaration(ctx, s, keys[i], rules, opts)
				}
			})
		}
		wg.Wait()
		for i, k := range keys {
			if errs[i] != nil {
				return fmt.Errorf("bods: enterprise %s: %w", k, errs[i])
			}
			if err := w.Write(out[i]...); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDone) {
		return n, err
	}
	return n, nil
}

// ExportKeys writes the declarations of the given enterprises; an unknown
// key is an error naming it (nothing after it is written).
func ExportKeys(ctx context.Context, r store.Reader, keys []string, rules store.OwnerRules, opts Options, w *Writer) error {
	for _, k := range keys {
		sts, err := Declaration(ctx, r, k, rules, opts)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("enterprise %q: %w (give a stored USCC or source key)", k, err)
		}
		if err != nil {
			return fmt.Errorf("enterprise %q: %w", k, err)
		}
		if err := w.Write(sts...); err != nil {
			return err
		}
	}
	return nil
}
