package synth

import (
	"encoding/json"
	"fmt"
	"os"

	"riskgraph/models"
)

// GroundTruthFile is the name of the ground-truth file Generate writes
// beside the CSV files.
const GroundTruthFile = "ground_truth.json"

// GroundTruthFormat is the version of the ground-truth file's shape.
const GroundTruthFormat = 1

// AnomalyKind names a planted anomaly.
type AnomalyKind string

// Planted anomaly kinds; docs/data-format.md defines each.
const (
	// AnomalyCircularHolding: enterprises E1→E2→…→En→E1 (n ≥ 3), each
	// holding shares in the next.
	AnomalyCircularHolding AnomalyKind = "circular_holding"
	// AnomalyMutualHolding: two enterprises holding shares in each other.
	AnomalyMutualHolding AnomalyKind = "mutual_holding"
	// AnomalyShellCluster: ≥ 8 enterprises registered on the same day at one
	// address with one phone and tiny capital.
	AnomalyShellCluster AnomalyKind = "shell_cluster"
	// AnomalySerialLegalRep: one person legal representative of ≥ 15 enterprises.
	AnomalySerialLegalRep AnomalyKind = "serial_legal_rep"
	// AnomalyRegistrationBurst: one person legal representative of ≥ 5
	// enterprises established within 30 days.
	AnomalyRegistrationBurst AnomalyKind = "registration_burst"
	// AnomalyRestrictedAppointment: a person who is legal representative of
	// an enterprise that got a serious_violation record, or was revoked,
	// within the last 3 years, and is appointed legal representative of
	// another enterprise after that.
	AnomalyRestrictedAppointment AnomalyKind = "restricted_appointment"
	// AnomalyDeepLayering: a chain person→E1→…→En of controlling holdings
	// with n ≥ 7, i.e. ≥ 6 intermediate holding layers above En.
	AnomalyDeepLayering AnomalyKind = "deep_layering"
)

// AnomalyKinds lists the planted anomaly kinds in the order Generate plants them.
var AnomalyKinds = []AnomalyKind{AnomalyCircularHolding, AnomalyMutualHolding, AnomalyShellCluster,
	AnomalySerialLegalRep, AnomalyRegistrationBurst, AnomalyRestrictedAppointment, AnomalyDeepLayering}

// GroundTruth describes a generated data set: its parameters, its row counts
// and the anomalies planted in it.
type GroundTruth struct {
	Format        int            `json:"format"`
	Seed          int64          `json:"seed"`
	Enterprises   int            `json:"enterprises"`
	ReferenceDate models.Date    `json:"reference_date"`
	Rows          map[string]int `json:"rows"` // data rows per file name
	Anomalies     []Anomaly      `json:"anomalies"`
}

// Anomaly is one planted anomaly. Enterprises are given by key (the USCC, as
// in the CSV files), persons by person_id and records by record_id, so the
// ground truth does not depend on the pid key or the source name; map them
// with the loader's rules (docs/data-format.md).
type Anomaly struct {
	ID   string      `json:"id"` // e.g. "circular_holding-0001"
	Kind AnomalyKind `json:"kind"`
	// Enterprises involved, in the order the kind describes (the cycle's
	// order; the layering chain from the top; the enterprise with the event
	// before the later appointment).
	Enterprises []string `json:"enterprises"`
	Persons     []string `json:"persons,omitempty"`
	Records     []string `json:"records,omitempty"`
	// Holdings are the planted HOLDS_SHARES rows (cycles, layering chains).
	Holdings []PlantedHolding `json:"holdings,omitempty"`
	Address  string           `json:"address,omitempty"` // shell clusters: the shared address
	Phone    string           `json:"phone,omitempty"`   // shell clusters: the shared phone as written
	// From and To bound the dates that matter: the registration window of a
	// burst or shell cluster; the event and the later appointment of a
	// restricted appointment.
	From models.Date `json:"from"`
	To   models.Date `json:"to"`
	Note string      `json:"note"`
}

// PlantedHolding is one planted row of shareholdings.csv.
type PlantedHolding struct {
	HolderKind models.NodeKind `json:"holder_kind"`
	Holder     string          `json:"holder"` // enterprise key or person_id
	Enterprise string          `json:"enterprise"`
	Ratio      float64         `json:"ratio"`
}

// ReadGroundTruth reads a ground-truth file written by Generate.
func ReadGroundTruth(path string) (*GroundTruth, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var gt GroundTruth
	if err := json.Unmarshal(b, &gt); err != nil {
		return nil, fmt.Errorf("ground truth %s: %w", path, err)
	}
	if gt.Format != GroundTruthFormat {
		return nil, fmt.Errorf("ground truth %s: format %d, this version reads %d", path, gt.Format, GroundTruthFormat)
	}
	return &gt, nil
}

// ByKind returns the anomalies of one kind.
func (gt *GroundTruth) ByKind(k AnomalyKind) []Anomaly {
	var out []Anomaly
	for _, a := range gt.Anomalies {
		if a.Kind == k {
			out = append(out, a)
		}
	}
	return out
}
