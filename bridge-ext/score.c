/* score.c - the =% operator and kmersearch_matchscore without an index */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"

#include "kmersearch.h"

/*
 * Lowest number of shared n-gram keys for a query of nkeys keys to match:
 * max(min_score, ceil(min_shared_kmer_rate * nkeys)) in double arithmetic,
 * and never below 1, so that a row sharing nothing never matches (an index
 * scan can only find rows that share a key; both paths return the same rows).
 */
int
kmersearch_actual_min_score(int nkeys)
{
	double		rel = ceil(kmersearch_min_shared_kmer_rate * (double) nkeys);
	int			score = Max(kmersearch_min_score, (int) rel);

	return Max(score, 1);
}

/* Number of keys of a stored value that the query also has (both are duplicate-free). */
static int
shared_keys(const uint64 *keys, int nkeys, const QueryKeys *query)
{
	int			shared = 0;

	for (int i = 0; i < nkeys; i++)
		if (kmersearch_sorted_contains(query->sorted, query->nkeys, keys[i]))
			shared++;
	return shared;
}

/*
 * The query keys =% works with: all of them, or with
 * kmersearch.preclude_highfreq_kmer on, those not in the active
 * high-frequency set (the index path excludes the very same keys).
 */
const QueryKeys *
kmersearch_effective_query(const QueryKeys *query, QueryKeys *storage)
{
	if (!kmersearch_preclude_highfreq_kmer || query->nkeys == 0)
		return query;
	/* One exclusion pass (one look at the set), then the same keys in query order. */
	storage->sorted = palloc(query->nkeys * sizeof(uint64));
	memcpy(storage->sorted, query->sorted, query->nkeys * sizeof(uint64));
	storage->nkeys = kmersearch_exclude_highfreq(storage->sorted, query->nkeys);
	storage->keys = palloc(Max(storage->nkeys, 1) * sizeof(uint64));
	for (int i = 0, n = 0; i < query->nkeys; i++)
		if (kmersearch_sorted_contains(storage->sorted, storage->nkeys, query->keys[i]))
			storage->keys[n++] = query->keys[i];
	return storage;
}

static int
shared_with_value(FunctionCallInfo fcinfo, const DnaAlphabet *alphabet, const QueryKeys *query)
{
	KmerDna    *dna = PG_GETARG_KMERDNA_P(0);
	uint64	   *keys;
	int			nkeys;
	int			shared;

	if (query->nkeys == 0)
		return 0;
	keys = kmersearch_value_keys(dna, alphabet, kmersearch_kmer_size, kmersearch_occur_bitlen, &nkeys);
	shared = shared_keys(keys, nkeys, query);
	if (keys)
		pfree(keys);
	PG_FREE_IF_COPY(dna, 0);
	return shared;
}

static const QueryKeys *
query_arg(FunctionCallInfo fcinfo)
{
	text	   *q = PG_GETARG_TEXT_PP(1);

	return kmersearch_cached_query_keys(VARDATA_ANY(q), VARSIZE_ANY_EXHDR(q));
}

static bool
match_value(FunctionCallInfo fcinfo, const DnaAlphabet *alphabet)
{
	QueryKeys	storage;
	const QueryKeys *query = kmersearch_effective_query(query_arg(fcinfo), &storage);

	if (query->nkeys == 0)
		return false;
	return shared_with_value(fcinfo, alphabet, query) >= kmersearch_cached_min_score(query->keys, query->nkeys);
}

PG_FUNCTION_INFO_V1(kmersearch_dna2_match);
Datum
kmersearch_dna2_match(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(match_value(fcinfo, &kmersearch_dna2_alphabet));
}

PG_FUNCTION_INFO_V1(kmersearch_dna4_match);
Datum
kmersearch_dna4_match(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(match_value(fcinfo, &kmersearch_dna4_alphabet));
}

/*
 * Number of n-gram keys (k-mer and occurrence) the value shares with the
 * query; never excludes high-frequency keys.
 */
PG_FUNCTION_INFO_V1(kmersearch_matchscore_dna2);
Datum
kmersearch_matchscore_dna2(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(shared_with_value(fcinfo, &kmersearch_dna2_alphabet, query_arg(fcinfo)));
}

PG_FUNCTION_INFO_V1(kmersearch_matchscore_dna4);
Datum
kmersearch_matchscore_dna4(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(shared_with_value(fcinfo, &kmersearch_dna4_alphabet, query_arg(fcinfo)));
}
