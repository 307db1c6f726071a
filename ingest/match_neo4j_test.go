package ingest

import (
	"context"
	"testing"
	"time"

	"riskgraph/store"
	"riskgraph/store/neo4j/neo4jtest"
)

// TestNeo4jMatchAtIngest: matching at ingest on Neo4j — attached rows keep
// their score on the stored relationship, the namesakes are queued (not
// written), a second run queues nothing again, and an accepted entry's rows
// are written and attach by the decision afterwards. Skipped without a
// server unless CI=true.
func TestNeo4jMatchAtIngest(t *testing.T) {
	st := neo4jtest.Open(t)
	dir := writeMatchFiles(t, matchRecords)
	sum, _ := matchLoad(t, st, dir, false)
	if rc := sum.ByKind[FileRecords]; rc.Matched != 3 || rc.Queued != 2 || rc.MatchRejected != 2 || rc.Accepted != 5 {
		t.Fatalf("records: %+v", rc)
	}
	if got := recordsOn(t, st, mHuijun); got["R1"] < DefaultMatchAccept {
		t.Errorf("R1 on 汇骏 in Neo4j: %v, want attached with its score", got)
	}
	if got := recordsOn(t, st, mYunfan); got["R8"] != 1 {
		t.Errorf("R8 on 云帆 in Neo4j: %v", got)
	}
	ctx := context.Background()
	queue, err := st.Reviews(ctx, store.ReviewFilter{Status: store.ReviewPending, Limit: 10})
	if err != nil || len(queue) != 2 {
		t.Fatalf("queue in Neo4j: %+v, %v", queue, err)
	}
	sum2, _ := matchLoad(t, st, dir, false)
	if rc := sum2.ByKind[FileRecords]; rc.QueuedBefore != 2 || rc.Queued != 0 {
		t.Errorf("second run: %+v", rc)
	}
	if q, _ := st.Reviews(ctx, store.ReviewFilter{Limit: 10}); len(q) != 2 {
		t.Errorf("after the second run: %d entries", len(q))
	}
	r := queue[0]
	c := r.Candidates[0]
	b := r.Attached(c.Key, c.Score)
	if _, err := st.DecideReview(ctx, r.ID, store.ReviewDecision{Status: store.ReviewAccepted, Key: c.Key, By: "insp", At: time.Now()}, &b); err != nil {
		t.Fatal(err)
	}
	if got := recordsOn(t, st, c.Key); got[r.Rows.Records[0].ID[len("src:court:"):]] != c.Score {
		t.Errorf("after the accept, records of %s: %v", c.Key, got)
	}
	sum3, _ := matchLoad(t, st, dir, false)
	if rc := sum3.ByKind[FileRecords]; rc.Matched != 4 || rc.QueuedBefore != 1 {
		t.Errorf("third run: %+v, want the accepted row matched by the decision", rc)
	}
}
