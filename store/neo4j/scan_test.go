package neo4j_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/rs/zerolog"

	"riskgraph/engine"
	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/store"
	rgneo4j "riskgraph/store/neo4j"
	"riskgraph/store/neo4j/neo4jtest"
	"riskgraph/synth"
)

// loadSynth loads n generated enterprises (seed 7) into st.
func loadSynth(t *testing.T, st ingest.Writer, n int) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "gen")
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: n, Seed: 7, Out: dir}); err != nil {
		t.Fatal(err)
	}
	h, _ := models.NewPIDHasher([]byte("scan-test-pid-key-0123456789"))
	if _, err := ingest.LoadDir(context.Background(), dir, st, ingest.LoadOptions{Hasher: h, Source: "test", BatchSize: 2000, Logger: zerolog.Nop()}); err != nil {
		t.Fatal(err)
	}
}

// scanned is everything a projection scan handed out: the rows and
// numbers of all pages, appended, and each page's length per kind of row.
type scanned struct {
	all     store.ProjectionPage
	lengths [][7]int
}

func scanAll(t *testing.T, st *rgneo4j.Store, pageSize int) scanned {
	t.Helper()
	var s scanned
	err := st.ScanProjection(context.Background(), pageSize, func(p *store.ProjectionPage) error {
		s.lengths = append(s.lengths, [7]int{len(p.Enterprises), len(p.Persons), len(p.Records),
			len(p.Shareholdings), len(p.Roles), len(p.Branches), len(p.Relations)})
		a := &s.all
		a.Append(&p.Batch)
		a.EnterpriseNums = append(a.EnterpriseNums, p.EnterpriseNums...)
		a.PersonNums = append(a.PersonNums, p.PersonNums...)
		a.RecordSubjects = append(a.RecordSubjects, p.RecordSubjects...)
		a.ShareholdingEnds = append(a.ShareholdingEnds, p.ShareholdingEnds...)
		a.RoleEnds = append(a.RoleEnds, p.RoleEnds...)
		a.BranchEnds = append(a.BranchEnds, p.BranchEnds...)
		a.RelationEnds = append(a.RelationEnds, p.RelationEnds...)
		if a.Sizes == (store.ScanSizes{}) {
			a.Sizes = p.Sizes
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestParallelScanEqualsSerial: a scan whose streams are split into key
// ranges read by several sessions hands out the same pages — rows, node
// numbers, order, page lengths — as one session per stream, and the
// engine projects the same graph from it.
func TestParallelScanEqualsSerial(t *testing.T) {
	st := neo4jtest.Open(t)
	loadSynth(t, st, 3000)
	// Chunks of 300 keys, ranges of at least 600: the 3 000 enterprises
	// and their relationships, and the persons, are read in several
	// ranges of several chunks each.
	defer rgneo4j.SetScanChunk(300)()
	defer rgneo4j.SetScanPartMin(600)()
	ctx := context.Background()

	restore := rgneo4j.SetScanSessions(st, 1)
	serial := scanAll(t, st, 997)
	gSerial, err := engine.Project(ctx, st)
	restore()
	if err != nil {
		t.Fatal(err)
	}
	if len(serial.all.Enterprises) < 3000 || len(serial.all.Shareholdings) == 0 || len(serial.all.Roles) == 0 ||
		len(serial.all.Records) == 0 || len(serial.all.Relations) == 0 {
		t.Fatalf("the sample is too thin to compare: %d enterprises, %d holdings, %d roles, %d records, %d relations",
			len(serial.all.Enterprises), len(serial.all.Shareholdings), len(serial.all.Roles), len(serial.all.Records), len(serial.all.Relations))
	}
	if !slices.IsSortedFunc(serial.all.Enterprises, func(a, b models.Enterprise) int { return compareStrings(a.Key, b.Key) }) {
		t.Error("serial scan: enterprises not in key order")
	}
	for _, sessions := range []int{2, 3, 7} {
		restore := rgneo4j.SetScanSessions(st, sessions)
		ents, pers, err := rgneo4j.ScanRanges(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if ents < 2 || pers < 2 || ents > sessions || pers > sessions {
			t.Errorf("%d sessions: %d enterprise ranges, %d person ranges; want 2 to %d each", sessions, ents, pers, sessions)
		}
		par := scanAll(t, st, 997)
		g, err := engine.Project(ctx, st)
		restore()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(par, serial) {
			t.Errorf("%d sessions: the pages differ from one session's (%d pages, %d enterprises, %d holdings; serial %d, %d, %d)",
				sessions, len(par.lengths), len(par.all.Enterprises), len(par.all.Shareholdings),
				len(serial.lengths), len(serial.all.Enterprises), len(serial.all.Shareholdings))
		}
		if f := graphDiff(g, gSerial); f != "" {
			t.Errorf("%d sessions: the projection's %s differs from one session's (%d nodes, %d edges; serial %d, %d)",
				sessions, f, g.N(), len(g.Edges), gSerial.N(), len(gSerial.Edges))
		}
	}
}

// graphDiff names the first exported field of two projections that
// differs ("" when none does). The unexported key indexes hash with a
// random seed, so they differ between any two projections.
func graphDiff(a, b *engine.Graph) string {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	for i := range va.NumField() {
		f := va.Type().Field(i)
		if f.IsExported() && !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			if f.Name == "Edges" {
				for k := range a.Edges {
					if a.Edges[k] != b.Edges[k] {
						return fmt.Sprintf("Edges[%d] %+v vs %+v", k, a.Edges[k], b.Edges[k])
					}
				}
			}
			return f.Name
		}
	}
	return ""
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestProjectionByIDEqualsByEnterprise: the projection scan that reads the
// relationships by ranges of internal ids (the default without a memory
// limit) hands out the same pages — rows, node numbers, order, page
// lengths — as the one that reads them enterprise by enterprise, with one
// session or several, and the engine projects the same graph from both.
func TestProjectionByIDEqualsByEnterprise(t *testing.T) {
	st := neo4jtest.Open(t)
	loadSynth(t, st, 3000)
	// A shareholding of a node with no label of riskgraph's (its row is
	// read by id and left out as the enterprise statement leaves it out)
	// and a relation between two persons.
	d, database := neo4jtest.Driver(t)
	ctx := context.Background()
	sess := d.NewSession(ctx, driver.SessionConfig{DatabaseName: database})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, `MATCH (e:Enterprise) WITH e LIMIT 1 CREATE (:NotRiskgraph)-[:HOLDS_SHARES {ratio: 0.2}]->(e)`, nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer rgneo4j.SetScanChunk(300)()
	defer rgneo4j.SetScanPartMin(600)()
	defer rgneo4j.SetScanIDChunk(997)()

	restore := rgneo4j.SetRelsByID(false)
	keyed := scanAll(t, st, 997)
	gKeyed, err := engine.Project(ctx, st)
	restore()
	if err != nil {
		t.Fatal(err)
	}
	if len(keyed.all.Shareholdings) == 0 || len(keyed.all.Roles) == 0 || len(keyed.all.Branches) == 0 || len(keyed.all.Relations) == 0 {
		t.Fatalf("the sample is too thin to compare: %d holdings, %d roles, %d branches, %d relations",
			len(keyed.all.Shareholdings), len(keyed.all.Roles), len(keyed.all.Branches), len(keyed.all.Relations))
	}
	defer rgneo4j.SetRelsByID(true)()
	for _, sessions := range []int{1, 3} {
		restore := rgneo4j.SetScanSessions(st, sessions)
		byID := scanAll(t, st, 997)
		g, err := engine.Project(ctx, st)
		restore()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(byID, keyed) {
			t.Errorf("%d sessions: the pages read by id differ from those read by enterprise (%d pages, %d holdings, %d roles, %d relations; by enterprise %d, %d, %d, %d)",
				sessions, len(byID.lengths), len(byID.all.Shareholdings), len(byID.all.Roles), len(byID.all.Relations),
				len(keyed.lengths), len(keyed.all.Shareholdings), len(keyed.all.Roles), len(keyed.all.Relations))
		}
		if f := graphDiff(g, gKeyed); f != "" {
			t.Errorf("%d sessions: the projection's %s differs from the one read by enterprise", sessions, f)
		}
	}
}
