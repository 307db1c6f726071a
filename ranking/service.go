package ranking

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
	"golang.org/x/sync/singleflight"

	"riskgraph/cache/lease"
	"riskgraph/store"
)

// Redis layout for run R (the braces make every key of a run one Cluster
// hash slot, so ZINTERSTORE works on Cluster too):
//
//	rg:rank:{R}:all, :region:<code>, :industry:<code>, :grade:<G>, :flag:<F>
//	    sorted sets: member = enterprise key, score = risk score
//	rg:rank:{R}:info   hash: key → JSON Entry
//	rg:rank:{R}:ready  set last; its absence means "not published"
const keyTTL = 7 * 24 * time.Hour

func rkey(run string, parts ...string) string {
	return "rg:rank:{" + run + "}:" + strings.Join(parts, ":")
}

// setsOf lists the sorted sets an enterprise belongs to.
func setsOf(e Entry) [][]string {
	sets := [][]string{{"all"}}
	if len(e.Region) == 6 {
		sets = append(sets, []string{"region", e.Region[:2] + "0000"}, []string{"region", e.Region[:4] + "00"})
		if !strings.HasSuffix(e.Region, "00") {
			sets = append(sets, []string{"region", e.Region})
		}
	}
	if e.Industry != "" {
		sets = append(sets, []string{"industry", e.Industry})
	}
	if e.Grade != "" {
		sets = append(sets, []string{"grade", e.Grade})
	}
	for _, f := range e.Flags {
		sets = append(sets, []string{"flag", f})
	}
	return sets
}

// Publish writes the index's enterprises to Redis as run ix.Run's sorted
// sets. The engine run calls it (through PublishRun) after promoting a run.
func Publish(ctx context.Context, c redis.UniversalClient, ix *Index) error {
	if ix.Run == "" {
		return nil
	}
	// Each chunk is one MULTI/EXEC that also sets the expiry of every key
	// it wrote (a run's keys share one hash slot, so this works on Cluster
	// too): a publish cut short leaves no key without a TTL behind. A chunk
	// is ~10 commands per enterprise; 200 enterprises keep one EXEC short
	// enough to answer within the API client's read timeout (200 ms) on a
	// busy machine, where 1 000 made publishing fail under load.
	const chunk = 200
	for i := 0; i < len(ix.Enterprises); i += chunk {
		touched := map[string]bool{rkey(ix.Run, "info"): true}
		p := c.TxPipeline()
		for _, e := range ix.Enterprises[i:min(i+chunk, len(ix.Enterprises))] {
			info, err := json.Marshal(e)
			if err != nil {
				return err
			}
			p.HSet(ctx, rkey(ix.Run, "info"), e.Ref.Key, info)
			for _, s := range setsOf(e) {
				k := rkey(ix.Run, s...)
				touched[k] = true
				p.ZAdd(ctx, k, redis.Z{Score: e.Score, Member: e.Ref.Key})
			}
		}
		for k := range touched {
			p.Expire(ctx, k, keyTTL)
		}
		if _, err := p.Exec(ctx); err != nil {
			return fmt.Errorf("publish ranking: %w", err)
		}
	}
	return c.Set(ctx, rkey(ix.Run, "ready"), len(ix.Enterprises), keyTTL).Err()
}

// PublishRun builds the index from the store and publishes it: the one
// call an engine run makes after PromoteRun.
func PublishRun(ctx context.Context, s store.Scanner, c redis.UniversalClient) error {
	ix, err := Build(ctx, s)
	if err != nil {
		return err
	}
	return Publish(ctx, c, ix)
}

// topRedis answers Top from Redis; ok is false when the run is not published.
func topRedis(ctx context.Context, c redis.UniversalClient, run string, f Filter, offset, limit int) (out []Entry, total int, ok bool, err error) {
	if n, err := c.Exists(ctx, rkey(run, "ready")).Result(); err != nil || n == 0 {
		return nil, 0, false, err
	}
	var sets []string
	if f.Region != "" {
		sets = append(sets, rkey(run, "region", f.Region))
	}
	if f.Industry != "" {
		sets = append(sets, rkey(run, "industry", f.Industry))
	}
	if f.Grade != "" {
		sets = append(sets, rkey(run, "grade", f.Grade))
	}
	if f.Flag != "" {
		sets = append(sets, rkey(run, "flag", f.Flag))
	}
	key := rkey(run, "all")
	switch len(sets) {
	case 0:
	case 1:
		key = sets[0]
	default:
		sort.Strings(sets)
		sum := sha256.Sum256([]byte(strings.Join(sets, "|")))
		key = rkey(run, "q", hex.EncodeToString(sum[:8]))
		weights := make([]float64, len(sets))
		weights[0] = 1      // every set holds the same score: keep it, not a sum
		p := c.TxPipeline() // MULTI/EXEC: the intersection never exists without its TTL
		p.ZInterStore(ctx, key, &redis.ZStore{Keys: sets, Weights: weights, Aggregate: "SUM"})
		p.Expire(ctx, key, 5*time.Minute)
		if _, err := p.Exec(ctx); err != nil {
			return nil, 0, false, err
		}
	}
	p := c.Pipeline()
	card := p.ZCard(ctx, key)
	members := p.ZRevRange(ctx, key, int64(offset), int64(offset+limit-1))
	if _, err := p.Exec(ctx); err != nil {
		return nil, 0, false, err
	}
	out = []Entry{}
	if len(members.Val()) > 0 {
		infos, err := c.HMGet(ctx, rkey(run, "info"), members.Val()...).Result()
		if err != nil {
			return nil, 0, false, err
		}
		for _, v := range infos {
			s, _ := v.(string)
			var e Entry
			if json.Unmarshal([]byte(s), &e) == nil {
				out = append(out, e)
			}
		}
	}
	return out, int(card.Val()), true, nil
}

// Guard is what the service needs of cache.Guard: run a Redis operation
// unless Redis is marked down.
type Guard interface {
	Try(ctx context.Context, op func(ctx context.Context) error) error
}

// Service answers ranking questions for the API: from Redis when the run is
// published there, else from an in-process index per run (built once,
// coalesced), publishing to Redis in the background when it can.
type Service struct {
	s     store.Scanner
	redis redis.UniversalClient // nil without Redis
	guard Guard
	log   zerolog.Logger

	flight singleflight.Group
	mu     sync.Mutex
	ix     *Index
	ixKey  string
}

// NewService builds a service; c may be nil (no Redis).
func NewService(s store.Scanner, c redis.UniversalClient, g Guard, log zerolog.Logger) *Service {
	return &Service{s: s, redis: c, guard: g, log: log}
}

// Index returns the in-process index for the data version key (generation
// and run), building it once per version.
func (sv *Service) Index(ctx context.Context, version string) (*Index, error) {
	sv.mu.Lock()
	if sv.ix != nil && sv.ixKey == version {
		ix := sv.ix
		sv.mu.Unlock()
		return ix, nil
	}
	sv.mu.Unlock()
	v, err, _ := sv.flight.Do(version, func() (any, error) {
		ix, err := Build(context.WithoutCancel(ctx), sv.s)
		if err != nil {
			return nil, err
		}
		sv.mu.Lock()
		sv.ix, sv.ixKey = ix, version
		sv.mu.Unlock()
		return ix, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Index), nil
}

// Top answers a ranking: Redis first, the in-process index otherwise.
// source says which ("redis" or "store").
func (sv *Service) Top(ctx context.Context, version, run string, f Filter, offset, limit int) (out []Entry, total int, source string, err error) {
	if sv.redis != nil && run != "" {
		var ok bool
		rerr := sv.guard.Try(ctx, func(ctx context.Context) error {
			var err error
			out, total, ok, err = topRedis(ctx, sv.redis, run, f, offset, limit)
			return err
		})
		if rerr == nil && ok {
			return out, total, "redis", nil
		}
	}
	ix, err := sv.Index(ctx, version)
	if err != nil {
		return nil, 0, "", err
	}
	if sv.redis != nil && run != "" && ix.Run == run {
		sv.publishLater(ix)
	}
	out, total = ix.Top(f, offset, limit)
	return out, total, "store", nil
}

// publishLater publishes a run that Redis lacks, once per process and run,
// under a lease with this process's token so that one replica does it;
// the lease is released (only by its holder) when the publish ends.
func (sv *Service) publishLater(ix *Index) {
	go sv.flight.Do("publish:"+ix.Run, func() (any, error) {
		ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
		defer cancel()
		lock, token := lease.New(sv.redis, rkey(ix.Run, "lock")), newToken()
		mine := false
		err := sv.guard.Try(ctx, func(ctx context.Context) error {
			var err error
			mine, err = lock.Acquire(ctx, token, publishTimeout)
			return err
		})
		if err != nil || !mine {
			return nil, err
		}
		defer func() { _ = lock.Release(context.WithoutCancel(ctx), token) }()
		if err := Publish(ctx, sv.redis, ix); err != nil && !errors.Is(err, context.Canceled) {
			sv.log.Warn().Err(err).Str("run", ix.Run).Msg("publishing the ranking to Redis failed")
			return nil, err
		}
		return nil, nil
	})
}

// publishTimeout bounds a late publish, and the lease it holds.
const publishTimeout = 5 * time.Minute

// newToken is a lease token unique to this call.
func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
