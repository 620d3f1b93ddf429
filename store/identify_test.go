package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestReserveIdentifySpacesEachBucket(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	const gap = 5 * time.Second
	for _, tt := range []struct {
		bucket int
		now    time.Time
		want   time.Time
	}{
		{0, base, base},                                   // the first in bucket 0 goes at once
		{0, base, base.Add(gap)},                          // the next waits the spacing
		{0, base.Add(time.Second), base.Add(2 * gap)},     // and the next after that
		{1, base.Add(time.Second), base.Add(time.Second)}, // bucket 1 is apart
		{0, base.Add(time.Hour), base.Add(time.Hour)},     // long after the last: at once
		{0, base.Add(time.Hour + time.Second), base.Add(time.Hour + gap)},
	} {
		got, err := db.ReserveIdentify(ctx, tt.bucket, tt.now, gap)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ReserveIdentify(bucket %d, %v) = %v, %v; want %v", tt.bucket, tt.now.Format(time.TimeOnly), got.Format(time.TimeOnly), err, tt.want.Format(time.TimeOnly))
		}
	}
}

// TestReserveIdentifyRace: four handles on one database (four processes)
// with several shards each reserve at the same moment; every shard gets
// its own moment, the spacing apart.
func TestReserveIdentifyRace(t *testing.T) {
	ctx := context.Background()
	path := testDSN(t)
	const procs, shards, gap = 4, 5, 5 * time.Second
	var (
		mu  sync.Mutex
		got []time.Time
		wg  sync.WaitGroup
	)
	for p := range procs {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for s := range shards {
			wg.Add(1)
			go func() {
				defer wg.Done()
				at, err := db.ReserveIdentify(ctx, 3, base, gap)
				if err != nil {
					t.Errorf("process %d shard %d: ReserveIdentify() error = %v", p, s, err)
					return
				}
				mu.Lock()
				got = append(got, at)
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	slices.SortFunc(got, time.Time.Compare)
	var want []time.Time
	for k := range procs * shards {
		want = append(want, base.Add(time.Duration(k)*gap))
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reserved moments = %v; want one every %v from %v", got, gap, base)
	}
}
