/* gin.c - GIN support: extractValue, extractQuery and consistent for the six k-mer operator classes */
#include "postgres.h"

#include "access/gin.h"
#include "fmgr.h"
#include "utils/builtins.h"

#include "kmersearch.h"

/*
 * Each operator class stores keys of one width (int2, int4 or int8).  Only
 * the width that 2k + b calls for is accepted when values are indexed, so an
 * index never mixes key layouts.
 */
static void
check_class_width(int width)
{
	int			k = kmersearch_kmer_size;
	int			b = kmersearch_occur_bitlen;
	int			total = 2 * k + b;
	int			need = kmersearch_key_bits(k, b);

	if (need == width)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 total > width
			 ? errmsg("this k-mer operator class holds %d-bit keys, too few for the current settings", width)
			 : errmsg("this k-mer operator class holds %d-bit keys, more than the current settings need", width),
			 errdetail("kmersearch.kmer_size = %d and kmersearch.occur_bitlen = %d make %d-bit keys (2 * %d + %d).",
					   k, b, total, k, b),
			 errhint("Use the operator class ending in _int%d.", need / 8)));
}

/* The key as the signed integer of the class's width that GIN stores. */
static int64
stored_value(uint64 key, int width)
{
	switch (width)
	{
		case 16:
			return (int16) (uint16) key;
		case 32:
			return (int32) (uint32) key;
		default:
			return (int64) key;
	}
}

static Datum
key_datum(uint64 key, int width)
{
	switch (width)
	{
		case 16:
			return Int16GetDatum((int16) (uint16) key);
		case 32:
			return Int32GetDatum((int32) (uint32) key);
		default:
			return Int64GetDatum((int64) key);
	}
}

static int
cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

static Datum
extract_value(FunctionCallInfo fcinfo, const DnaAlphabet *alphabet, int width)
{
	KmerDna    *dna = PG_GETARG_KMERDNA_P(0);
	int32	   *nentries = (int32 *) PG_GETARG_POINTER(1);
	uint64	   *keys;
	int			nkeys;
	Datum	   *entries = NULL;

	check_class_width(width);
	keys = kmersearch_value_keys(dna, alphabet, kmersearch_kmer_size, kmersearch_occur_bitlen, &nkeys);
	if (kmersearch_preclude_highfreq_kmer && kmersearch_building_with_exclusion())
		nkeys = kmersearch_exclude_highfreq(keys, nkeys);
	if (nkeys > 0)
	{
		/*
		 * Hand GIN the keys already in its (signed) order: it sorts them
		 * through the class's comparison function, which costs a function
		 * call per comparison, but finds sorted input in one pass.
		 */
		int64	   *values = palloc(nkeys * sizeof(int64));

		for (int i = 0; i < nkeys; i++)
			values[i] = stored_value(keys[i], width);
		qsort(values, nkeys, sizeof(int64), cmp_int64);
		entries = palloc(nkeys * sizeof(Datum));
		for (int i = 0; i < nkeys; i++)
			entries[i] = key_datum((uint64) values[i], width);
		pfree(values);
		pfree(keys);
	}
	*nentries = nkeys;
	PG_RETURN_POINTER(entries);
}

/*
 * The query's keys (less the high-frequency ones when preclusion is on) and,
 * as extra data shared by all of them, the number of keys a row must
 * contain.  With no keys the scan returns nothing.
 */
static Datum
extract_query(FunctionCallInfo fcinfo, int width)
{
	text	   *q = PG_GETARG_TEXT_PP(0);
	int32	   *nentries = (int32 *) PG_GETARG_POINTER(1);
	Pointer   **extra_data = (Pointer **) PG_GETARG_POINTER(4);
	QueryKeys	query_storage;
	const QueryKeys *query = kmersearch_effective_query(kmersearch_cached_query_keys(VARDATA_ANY(q), VARSIZE_ANY_EXHDR(q)),
														&query_storage);
	Datum	   *entries;
	int		   *threshold;

	/*
	 * An index built for another key width cannot answer this query; the
	 * planner hook keeps such indexes out of plans, and for cost estimates an
	 * empty query is the honest answer.
	 */
	if (query->nkeys == 0 || kmersearch_key_bits(kmersearch_kmer_size, kmersearch_occur_bitlen) != width)
	{
		*nentries = 0;
		PG_RETURN_POINTER(NULL);
	}

	entries = palloc(query->nkeys * sizeof(Datum));
	*extra_data = palloc(query->nkeys * sizeof(Pointer));
	threshold = palloc(sizeof(int));
	*threshold = kmersearch_cached_min_score(query->keys, query->nkeys);
	for (int i = 0; i < query->nkeys; i++)
	{
		entries[i] = key_datum(query->keys[i], width);
		(*extra_data)[i] = (Pointer) threshold;
	}
	*nentries = query->nkeys;
	PG_RETURN_POINTER(entries);
}

#define GIN_EXTRACT_VALUE(type, width) \
PG_FUNCTION_INFO_V1(kmersearch_extract_value_##type##_int##width); \
Datum \
kmersearch_extract_value_##type##_int##width(PG_FUNCTION_ARGS) \
{ \
	return extract_value(fcinfo, &kmersearch_##type##_alphabet, width * 8); \
}

#define GIN_EXTRACT_QUERY(width) \
PG_FUNCTION_INFO_V1(kmersearch_extract_query_int##width); \
Datum \
kmersearch_extract_query_int##width(PG_FUNCTION_ARGS) \
{ \
	return extract_query(fcinfo, width * 8); \
}

GIN_EXTRACT_VALUE(dna2, 2)
GIN_EXTRACT_VALUE(dna2, 4)
GIN_EXTRACT_VALUE(dna2, 8)
GIN_EXTRACT_VALUE(dna4, 2)
GIN_EXTRACT_VALUE(dna4, 4)
GIN_EXTRACT_VALUE(dna4, 8)
GIN_EXTRACT_QUERY(2)
GIN_EXTRACT_QUERY(4)
GIN_EXTRACT_QUERY(8)

/*
 * Ternary form: with some keys unknown (MAYBE), a row certainly matches if
 * the known ones reach the threshold and certainly fails if even all unknown
 * ones could not.  GIN uses this to read only the rarest keys' posting lists
 * in full and merely probe the others.
 */
PG_FUNCTION_INFO_V1(kmersearch_triconsistent);
Datum
kmersearch_triconsistent(PG_FUNCTION_ARGS)
{
	GinTernaryValue *check = (GinTernaryValue *) PG_GETARG_POINTER(0);
	int32		nkeys = PG_GETARG_INT32(3);
	Pointer    *extra_data = (Pointer *) PG_GETARG_POINTER(4);
	int			threshold = *(int *) extra_data[0];
	int			yes = 0,
				maybe = 0;

	for (int i = 0; i < nkeys; i++)
	{
		if (check[i] == GIN_TRUE)
			yes++;
		else if (check[i] == GIN_MAYBE)
			maybe++;
	}
	if (yes >= threshold)
		PG_RETURN_GIN_TERNARY_VALUE(GIN_TRUE);
	if (yes + maybe < threshold)
		PG_RETURN_GIN_TERNARY_VALUE(GIN_FALSE);
	PG_RETURN_GIN_TERNARY_VALUE(GIN_MAYBE);
}

/* A row matches when it holds at least the query's threshold of its keys. */
PG_FUNCTION_INFO_V1(kmersearch_consistent);
Datum
kmersearch_consistent(PG_FUNCTION_ARGS)
{
	bool	   *check = (bool *) PG_GETARG_POINTER(0);
	int32		nkeys = PG_GETARG_INT32(3);
	Pointer    *extra_data = (Pointer *) PG_GETARG_POINTER(4);
	bool	   *recheck = (bool *) PG_GETARG_POINTER(5);
	int			shared = 0;

	*recheck = false;
	for (int i = 0; i < nkeys; i++)
		if (check[i])
			shared++;
	PG_RETURN_BOOL(shared >= *(int *) extra_data[0]);
}
