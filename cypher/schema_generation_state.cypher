// Finds the open stamps (state 'open': allocated, not yet committed or
// abandoned) that hold the visible data generation back.
CREATE INDEX generation_state IF NOT EXISTS FOR (g:Generation) ON (g.state)
