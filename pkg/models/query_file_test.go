package models

import (
	"encoding/json"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"
)

// queryFile is what the query editor checks a typed bucket with, so that it refuses what
// ParseQuery refuses and accepts what it accepts (Grafana's units included).
type queryFile struct {
	MinBucketSeconds  int64            `json:"minBucketSeconds"`
	MaxBucketSeconds  int64            `json:"maxBucketSeconds"`
	BucketUnitSeconds map[string]int64 `json:"bucketUnitSeconds"`
}

// TestQueryFile keeps src/generated/query.json equal to the bucket bounds and units of
// ParseQuery; run with -update to rewrite it.
func TestQueryFile(t *testing.T) {
	f := queryFile{
		MinBucketSeconds:  int64(MinBucket.Seconds()),
		MaxBucketSeconds:  int64(MaxBucket.Seconds()),
		BucketUnitSeconds: map[string]int64{},
	}
	for _, unit := range []string{"d", "w", "M", "y"} {
		d, err := gtime.ParseDuration("1" + unit)
		if err != nil {
			t.Fatal(err)
		}
		f.BucketUnitSeconds[unit] = int64(d.Seconds())
	}
	want, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	checkGenerated(t, "../../src/generated/query.json", append(want, '\n'))
}
