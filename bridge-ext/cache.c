/* cache.c - per-session query k-mer cache and actual-min-score cache, with their SQL functions */
#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/ilist.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "kmersearch.h"

/*
 * Both caches are bounded LRU maps from a 64-bit fingerprint to a value,
 * living in session memory.  The fingerprint covers everything the value
 * depends on, and the query cache also keeps the query text to rule out
 * collisions, so a cached value is never stale.
 */
typedef struct LruCache
{
	const char *name;
	HTAB	   *table;
	MemoryContext cxt;
	dlist_head	lru;			/* most recently used first */
	int			max_entries;
	int64		hits;
	int64		misses;
} LruCache;

/* Every entry starts with this: the hash key, then its place in the LRU list. */
typedef struct LruEntry
{
	uint64		fingerprint;
	dlist_node	lru_node;
} LruEntry;

typedef struct QueryCacheEntry
{
	LruEntry	lru;			/* fingerprint of query text, k, b */
	int			k;
	int			b;
	char	   *query;
	int			query_len;
	QueryKeys	keys;
} QueryCacheEntry;

typedef struct ScoreCacheEntry
{
	LruEntry	lru;			/* fingerprint of the key list and every setting used */
	int			score;
} ScoreCacheEntry;

static LruCache query_cache = {.name = "query k-mer cache"};
static LruCache score_cache = {.name = "actual-min-score cache"};

static void
lru_create(LruCache *cache, Size entry_size, int max_entries)
{
	HASHCTL		ctl;

	cache->cxt = AllocSetContextCreate(TopMemoryContext, "kmersearch cache", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSetIdentifier(cache->cxt, cache->name);
	ctl.keysize = sizeof(uint64);
	ctl.entrysize = entry_size;
	ctl.hcxt = cache->cxt;
	cache->table = hash_create(cache->name, 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	dlist_init(&cache->lru);
	cache->max_entries = max_entries;
	cache->hits = 0;
	cache->misses = 0;
}

/* Returns the number of entries it held. */
static int
lru_destroy(LruCache *cache)
{
	int			n = cache->table ? (int) hash_get_num_entries(cache->table) : 0;

	if (cache->cxt)
		MemoryContextDelete(cache->cxt);
	cache->cxt = NULL;
	cache->table = NULL;
	cache->hits = cache->misses = 0;
	return n;
}

static void *
lru_lookup(LruCache *cache, uint64 fingerprint)
{
	LruEntry   *entry = hash_search(cache->table, &fingerprint, HASH_FIND, NULL);

	if (entry)
		dlist_move_head(&cache->lru, &entry->lru_node);
	return entry;
}

static void
lru_remove(LruCache *cache, LruEntry *entry, void (*release) (void *))
{
	dlist_delete(&entry->lru_node);
	if (release)
		release(entry);
	hash_search(cache->table, &entry->fingerprint, HASH_REMOVE, NULL);
}

/* Makes room (evicting least recently used entries) and inserts an entry. */
static void *
lru_insert(LruCache *cache, uint64 fingerprint, void (*release) (void *))
{
	bool		found;
	LruEntry   *entry;

	while (hash_get_num_entries(cache->table) >= cache->max_entries)
		lru_remove(cache, dlist_tail_element(LruEntry, lru_node, &cache->lru), release);
	entry = hash_search(cache->table, &fingerprint, HASH_ENTER, &found);
	Assert(!found);
	dlist_push_head(&cache->lru, &entry->lru_node);
	return entry;
}

static void
release_query_entry(void *entry)
{
	QueryCacheEntry *e = entry;

	pfree(e->query);
	if (e->keys.keys)
		pfree(e->keys.keys);
	if (e->keys.sorted)
		pfree(e->keys.sorted);
}

/*
 * The n-gram keys of a query under the current k and b, parsed once per
 * session.  Parse errors (too short, bad character) are raised every time.
 */
const QueryKeys *
kmersearch_cached_query_keys(const char *text, int len)
{
	int			k = kmersearch_kmer_size;
	int			b = kmersearch_occur_bitlen;
	uint64		fp;
	QueryCacheEntry *e;
	uint64	   *keys;
	int			nkeys;
	MemoryContext old;

	if (query_cache.table == NULL)
		lru_create(&query_cache, sizeof(QueryCacheEntry), kmersearch_query_kmer_cache_max_entries);

	fp = hash_bytes_extended((const unsigned char *) text, len, 0) ^
		(hash_bytes_uint32_extended((uint32) (k << 8 | b), 1) << 1);
	e = lru_lookup(&query_cache, fp);
	if (e && e->k == k && e->b == b && e->query_len == len && memcmp(e->query, text, len) == 0)
	{
		query_cache.hits++;
		return &e->keys;
	}
	query_cache.misses++;
	keys = kmersearch_query_keys(text, len, k, b, &nkeys);

	if (e)						/* another query with the same fingerprint */
		lru_remove(&query_cache, &e->lru, release_query_entry);
	e = lru_insert(&query_cache, fp, release_query_entry);
	old = MemoryContextSwitchTo(query_cache.cxt);
	e->k = k;
	e->b = b;
	e->query = pnstrdup(text, len);
	e->query_len = len;
	e->keys.nkeys = nkeys;
	e->keys.keys = nkeys ? palloc(nkeys * sizeof(uint64)) : NULL;
	e->keys.sorted = nkeys ? palloc(nkeys * sizeof(uint64)) : NULL;
	if (nkeys)
	{
		memcpy(e->keys.keys, keys, nkeys * sizeof(uint64));
		memcpy(e->keys.sorted, keys, nkeys * sizeof(uint64));
		qsort(e->keys.sorted, nkeys, sizeof(uint64), kmersearch_cmp_keys);
	}
	MemoryContextSwitchTo(old);
	if (keys)
		pfree(keys);
	return &e->keys;
}

/*
 * actual_min_score of a key list: max(min_score, ceil(min_shared_kmer_rate
 * * n)).  Cached under a fingerprint of the list and of both settings.
 */
int
kmersearch_cached_min_score(const uint64 *keys, int nkeys)
{
	uint64		fp;
	uint64		rate_bits;
	ScoreCacheEntry *e;
	int			score;

	if (score_cache.table == NULL)
		lru_create(&score_cache, sizeof(ScoreCacheEntry), kmersearch_actual_min_score_cache_max_entries);

	memcpy(&rate_bits, &kmersearch_min_shared_kmer_rate, sizeof(rate_bits));
	fp = hash_bytes_extended((const unsigned char *) keys, nkeys * sizeof(uint64), (uint64) nkeys);
	fp = hash_combine64(fp, hash_bytes_uint32_extended((uint32) kmersearch_min_score, 2));
	fp = hash_combine64(fp, rate_bits);

	e = lru_lookup(&score_cache, fp);
	if (e)
	{
		score_cache.hits++;
		return e->score;
	}
	score_cache.misses++;
	score = kmersearch_actual_min_score(nkeys);
	e = lru_insert(&score_cache, fp, NULL);
	e->score = score;
	return score;
}

/* Assign hooks call these: a cache is rebuilt with the new setting on next use. */
void
kmersearch_reset_query_cache(void)
{
	lru_destroy(&query_cache);
}

void
kmersearch_reset_score_cache(void)
{
	lru_destroy(&score_cache);
}

/* ---- SQL: statistics and free functions ---- */

/* One row (hits, misses, current_entries, max_entries); zeros when the cache does not exist. */
static Datum
stats_srf(FunctionCallInfo fcinfo, LruCache *cache)
{
	FuncCallContext *funcctx;

	if (SRF_IS_FIRSTCALL())
	{
		TupleDesc	tupdesc;
		MemoryContext old;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		funcctx->tuple_desc = BlessTupleDesc(tupdesc);
		funcctx->max_calls = 1;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	if (funcctx->call_cntr < funcctx->max_calls)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};
		bool		exists = cache->table != NULL;

		values[0] = Int64GetDatum(exists ? cache->hits : 0);
		values[1] = Int64GetDatum(exists ? cache->misses : 0);
		values[2] = Int32GetDatum(exists ? (int32) hash_get_num_entries(cache->table) : 0);
		values[3] = Int32GetDatum(exists ? cache->max_entries : 0);
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, values, nulls)));
	}
	SRF_RETURN_DONE(funcctx);
}

PG_FUNCTION_INFO_V1(kmersearch_query_kmer_cache_stats);
Datum
kmersearch_query_kmer_cache_stats(PG_FUNCTION_ARGS)
{
	return stats_srf(fcinfo, &query_cache);
}

PG_FUNCTION_INFO_V1(kmersearch_actual_min_score_cache_stats);
Datum
kmersearch_actual_min_score_cache_stats(PG_FUNCTION_ARGS)
{
	return stats_srf(fcinfo, &score_cache);
}

PG_FUNCTION_INFO_V1(kmersearch_query_kmer_cache_free);
Datum
kmersearch_query_kmer_cache_free(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	PG_RETURN_INT32(lru_destroy(&query_cache));
}

PG_FUNCTION_INFO_V1(kmersearch_actual_min_score_cache_free);
Datum
kmersearch_actual_min_score_cache_free(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	PG_RETURN_INT32(lru_destroy(&score_cache));
}
