package store

import "context"

// Pager fills pages of exactly size rows (the last may be shorter) and hands
// each to fn; backends use it to implement Scan.
type Pager struct {
	ctx  context.Context
	size int
	fn   func(*Batch) error
	page *Batch
}

// NewPager returns a pager of pages of size rows.
func NewPager(ctx context.Context, size int, fn func(*Batch) error) *Pager {
	return &Pager{ctx: ctx, size: size, fn: fn, page: &Batch{}}
}

// Add puts one row into the current page (put appends it) and hands the page
// on when it is full.
func (p *Pager) Add(put func(*Batch)) error {
	put(p.page)
	if p.page.Len() < p.size {
		return nil
	}
	return p.Flush()
}

// Flush hands on the current page, if it holds any rows.
func (p *Pager) Flush() error {
	if p.page.Len() == 0 {
		return nil
	}
	if err := p.ctx.Err(); err != nil {
		return err
	}
	page := p.page
	p.page = &Batch{}
	return p.fn(page)
}
