package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/ingest/reader"
)

// checkpointVersion is the format of checkpoint files.
const checkpointVersion = 1

// checkpoint records, per input pass, the last line up to which every row
// was written (acknowledged by the store). Only acknowledged batches move
// it, so a resumed load never skips a row that was not written; it may
// write a few rows again, which is harmless because writes are idempotent.
// The writers of batches advance it and the reading goroutine saves it, so
// its methods lock.
type checkpoint struct {
	path string

	mu       sync.Mutex // guards the fields below
	State    checkpointState
	dirty    bool
	lastSave time.Time
}

type checkpointState struct {
	Version int                  `json:"version"`
	Source  string               `json:"source"`
	Passes  map[string]passState `json:"passes"`
}

type passState struct {
	Line int  `json:"line"`
	Done bool `json:"done,omitempty"`
}

// openCheckpoint reads the checkpoint at path, or starts an empty one. A
// damaged or foreign checkpoint is ignored with a warning: the load then
// starts over, which is safe.
func openCheckpoint(path, source string, log zerolog.Logger) (*checkpoint, error) {
	c := &checkpoint{path: path, State: checkpointState{Version: checkpointVersion, Source: source, Passes: map[string]passState{}}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ingest: checkpoint: %w", err)
	}
	var st checkpointState
	if err := json.Unmarshal(b, &st); err != nil || st.Version != checkpointVersion || st.Passes == nil {
		log.Warn().Str("checkpoint", path).Msg("ignoring an unreadable checkpoint; the load starts from the beginning")
		return c, nil
	}
	if st.Source != source {
		log.Warn().Str("checkpoint", path).Str("checkpoint_source", st.Source).
			Msg("the checkpoint belongs to another source; the load starts from the beginning")
		return c, nil
	}
	c.State = st
	return c, nil
}

// passKey identifies an input pass: the file (absolute path, size,
// modification time) and what is read from it. A changed file gets a new
// key, so its old progress is not used.
func passKey(in reader.Input, kind FileKind, table int) string {
	p, err := filepath.Abs(in.Path)
	if err != nil {
		p = in.Path
	}
	return p + "|" + strconv.FormatInt(in.Size, 10) + "|" + strconv.FormatInt(in.ModTime.UnixNano(), 10) +
		"|" + string(kind) + "|" + strconv.Itoa(table)
}

func (c *checkpoint) get(key string) passState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.State.Passes[key]
}

// set records that every row of the pass up to line was written, and with
// done that the whole pass was. It never moves back.
func (c *checkpoint) set(key string, line int, done bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.State.Passes[key]
	if line < old.Line {
		line = old.Line
	}
	c.State.Passes[key] = passState{Line: line, Done: done || old.Done}
	c.dirty = true
}

// saveThrottled saves the checkpoint at most once a second; a failure is
// logged (the next save tries again).
func (c *checkpoint) saveThrottled(log zerolog.Logger) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.lastSave) < time.Second {
		return
	}
	c.lastSave = time.Now()
	if err := c.saveLocked(); err != nil {
		log.Warn().Err(err).Msg("could not save the checkpoint")
	}
}

// save writes the checkpoint atomically (temporary file, rename).
func (c *checkpoint) save() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.saveLocked()
}

func (c *checkpoint) saveLocked() error {
	if !c.dirty {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return fmt.Errorf("ingest: checkpoint: %w", err)
	}
	b, err := json.MarshalIndent(c.State, "", "  ")
	if err != nil {
		return err
	}
	tmp := c.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("ingest: checkpoint: %w", err)
	}
	if err := os.Rename(tmp, c.path); err != nil {
		return fmt.Errorf("ingest: checkpoint: %w", err)
	}
	c.dirty = false
	return nil
}

// remove deletes the checkpoint after a complete load.
func (c *checkpoint) remove() error {
	if err := os.Remove(c.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("ingest: checkpoint: %w", err)
	}
	return nil
}
