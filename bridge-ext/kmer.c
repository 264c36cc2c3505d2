/* kmer.c - k-mer values and n-gram keys of stored values and query text */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "kmersearch.h"

/*
 * An n-gram key is (kmer << b) | (occurrence - 1), where occurrence counts
 * how often the same k-mer value has been produced so far in the sequence.
 * The per-sequence counters live in one open-addressing table kept for the
 * whole session; a stamp per slot marks which sequence wrote it, so starting
 * a new sequence costs nothing instead of clearing the table.
 */
typedef struct OccurrenceTable
{
	uint64	   *kmers;
	uint32	   *counts;
	uint32	   *stamps;
	uint32		mask;			/* capacity - 1 (capacity is a power of two) */
	uint32		stamp;			/* current sequence */
} OccurrenceTable;

static OccurrenceTable occ;

static void
occ_begin(int max_kmers)
{
	uint32		need = 64;

	while (need < (uint32) max_kmers * 2)
		need <<= 1;
	if (occ.kmers == NULL || occ.mask + 1 < need)
	{
		if (occ.kmers)
		{
			pfree(occ.kmers);
			pfree(occ.counts);
			pfree(occ.stamps);
		}
		occ.kmers = MemoryContextAlloc(TopMemoryContext, need * sizeof(uint64));
		occ.counts = MemoryContextAlloc(TopMemoryContext, need * sizeof(uint32));
		occ.stamps = MemoryContextAllocZero(TopMemoryContext, need * sizeof(uint32));
		occ.mask = need - 1;
		occ.stamp = 0;
	}
	if (++occ.stamp == 0)
	{
		/* Stamp wrapped around: forget every slot once. */
		memset(occ.stamps, 0, (occ.mask + 1) * sizeof(uint32));
		occ.stamp = 1;
	}
}

/* Counts one more production of kmer in this sequence; returns the new count. */
static inline uint32
occ_increment(uint64 kmer)
{
	uint32		slot = (uint32) ((kmer * UINT64CONST(0x9E3779B97F4A7C15)) >> 40) & occ.mask;

	for (;;)
	{
		if (occ.stamps[slot] != occ.stamp)
		{
			occ.stamps[slot] = occ.stamp;
			occ.kmers[slot] = kmer;
			occ.counts[slot] = 1;
			return 1;
		}
		if (occ.kmers[slot] == kmer)
			return ++occ.counts[slot];
		slot = (slot + 1) & occ.mask;
	}
}

typedef struct KeySink
{
	int			b;
	uint32		cap;			/* 2^b occurrences per k-mer are keyed */
	uint64	   *keys;
	int			nkeys;
} KeySink;

static inline void
emit_kmer(KeySink *sink, uint64 kmer)
{
	uint32		c = occ_increment(kmer);

	if (sink->b == 0)
	{
		if (c == 1)
			sink->keys[sink->nkeys++] = kmer;
	}
	else if (c <= sink->cap)
		sink->keys[sink->nkeys++] = (kmer << sink->b) | (c - 1);
}

static void
sink_init(KeySink *sink, int b, int max_keys)
{
	sink->b = b;
	sink->cap = (uint32) 1 << b;
	sink->keys = palloc(Max(max_keys, 1) * sizeof(uint64));
	sink->nkeys = 0;
}

static inline uint64
kmer_mask(int k)
{
	return k == 32 ? ~UINT64CONST(0) : ((UINT64CONST(1) << (2 * k)) - 1);
}

/* qsort comparator for unsigned keys. */
int
kmersearch_cmp_keys(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a;
	uint64		y = *(const uint64 *) b;

	return (x > y) - (x < y);
}

/* Binary search in an ascending key array. */
bool
kmersearch_sorted_contains(const uint64 *sorted, int n, uint64 key)
{
	int			lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (sorted[mid] == key)
			return true;
		if (sorted[mid] < key)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

int
kmersearch_key_bits(int k, int b)
{
	int			total = 2 * k + b;

	return total <= 16 ? 16 : total <= 32 ? 32 : 64;
}

/* DNA2: every window is a plain k-mer; roll a 2k-bit value along the bases. */
static void
extract_dna2(const KmerDna *dna, int k, KeySink *sink)
{
	int			n = dna->bit_len / 2;
	uint64		mask = kmer_mask(k);
	uint64		v = 0;

	occ_begin(n - k + 1);
	for (int i = 0; i < n; i++)
	{
		int			code = (dna->data[i >> 2] >> (6 - 2 * (i & 3))) & 3;

		v = ((v << 2) | (uint64) code) & mask;
		if (i >= k - 1)
			emit_kmer(sink, v);
	}
}

/* Base digit (A0 C1 G2 T3) of a one-base DNA4 code. */
static const int8 one_base_digit[16] = {
	-1, 0, 1, -1, 2, -1, -1, -1, 3, -1, -1, -1, -1, -1, -1, -1
};

/*
 * DNA4 codes (one bit per base): a window holding N or an empty code gives
 * no k-mer; one with two or more 2/3-way ambiguity codes gives none either;
 * otherwise it expands to the 1, 2 or 3 k-mers its ambiguity code allows,
 * in A < C < G < T order.
 */
static void
extract_codes(const uint8 *codes, int n, int k, KeySink *sink)
{
	occ_begin((n - k + 1) * 3);
	for (int start = 0; start + k <= n; start++)
	{
		uint64		v = 0;
		int			ambiguous_pos = -1;
		bool		skip = false;

		for (int j = 0; j < k; j++)
		{
			uint8		code = codes[start + j];
			int			digit = one_base_digit[code];

			if (digit >= 0)
			{
				v = (v << 2) | (uint64) digit;
				continue;
			}
			if (code == 0 || code == 15 || ambiguous_pos >= 0)
			{
				skip = true;
				break;
			}
			ambiguous_pos = j;
			v <<= 2;			/* filled in per alternative below */
		}
		if (skip)
			continue;
		if (ambiguous_pos < 0)
		{
			emit_kmer(sink, v);
			continue;
		}
		{
			uint8		code = codes[start + ambiguous_pos];
			int			shift = 2 * (k - 1 - ambiguous_pos);

			for (int base = 0; base < 4; base++)
				if (code & (1 << base))
					emit_kmer(sink, v | ((uint64) base << shift));
		}
	}
}

/* Keys of a stored value; a value shorter than k simply has none. */
uint64 *
kmersearch_value_keys(const KmerDna *dna, const DnaAlphabet *alphabet,
					  int k, int b, int *nkeys)
{
	int			n = dna->bit_len / alphabet->bits_per_base;
	KeySink		sink;

	if (n < k)
	{
		*nkeys = 0;
		return NULL;
	}
	if (alphabet->bits_per_base == 2)
	{
		sink_init(&sink, b, n - k + 1);
		extract_dna2(dna, k, &sink);
	}
	else
	{
		uint8	   *codes = palloc(n);

		for (int i = 0; i < n; i++)
			codes[i] = (dna->data[i >> 1] >> ((i & 1) ? 0 : 4)) & 0xF;
		sink_init(&sink, b, (n - k + 1) * 3);
		extract_codes(codes, n, k, &sink);
		pfree(codes);
	}
	*nkeys = sink.nkeys;
	return sink.keys;
}

/*
 * Keys of a query text.  The text must have at least k characters (22023,
 * checked first) and only IUPAC letters in either case (22P02).
 */
uint64 *
kmersearch_query_keys(const char *text, int len, int k, int b, int *nkeys)
{
	const DnaAlphabet *a = &kmersearch_dna4_alphabet;
	uint8	   *codes;
	KeySink		sink;

	if (len < k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("query sequence is too short for k-mer search: the minimum length is %d", k),
				 errdetail("The query has %d characters; kmersearch.kmer_size = %d needs at least %d.",
						   len, k, k)));
	codes = palloc(len);
	for (int i = 0; i < len; i++)
	{
		int			code = a->code_plus_one[(unsigned char) text[i]] - 1;

		if (code < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid character \"%s\" in k-mer query",
							kmersearch_byte_repr((unsigned char) text[i])),
					 errdetail("The character is byte %d of the query.", i + 1),
					 errhint("A query may contain only the letters A, C, G, T, U, M, R, W, S, Y, K, V, H, D, B and N, in upper or lower case.")));
		codes[i] = (uint8) code;
	}
	sink_init(&sink, b, (len - k + 1) * 3);
	extract_codes(codes, len, k, &sink);
	pfree(codes);
	*nkeys = sink.nkeys;
	return sink.keys;
}

/* ---- kmersearch_ngram_keys(): the keys as SQL sees them, for inspection ---- */

static Datum
keys_to_array(uint64 *keys, int nkeys)
{
	Datum	   *elems = palloc(Max(nkeys, 1) * sizeof(Datum));

	for (int i = 0; i < nkeys; i++)
		elems[i] = Int64GetDatum((int64) keys[i]);
	return PointerGetDatum(construct_array(elems, nkeys, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

PG_FUNCTION_INFO_V1(kmersearch_dna2_ngram_keys);
Datum
kmersearch_dna2_ngram_keys(PG_FUNCTION_ARGS)
{
	int			nkeys;
	uint64	   *keys = kmersearch_value_keys(PG_GETARG_KMERDNA_P(0), &kmersearch_dna2_alphabet,
											 kmersearch_kmer_size, kmersearch_occur_bitlen, &nkeys);

	PG_RETURN_DATUM(keys_to_array(keys, nkeys));
}

PG_FUNCTION_INFO_V1(kmersearch_dna4_ngram_keys);
Datum
kmersearch_dna4_ngram_keys(PG_FUNCTION_ARGS)
{
	int			nkeys;
	uint64	   *keys = kmersearch_value_keys(PG_GETARG_KMERDNA_P(0), &kmersearch_dna4_alphabet,
											 kmersearch_kmer_size, kmersearch_occur_bitlen, &nkeys);

	PG_RETURN_DATUM(keys_to_array(keys, nkeys));
}

PG_FUNCTION_INFO_V1(kmersearch_query_ngram_keys);
Datum
kmersearch_query_ngram_keys(PG_FUNCTION_ARGS)
{
	text	   *q = PG_GETARG_TEXT_PP(0);
	int			nkeys;
	uint64	   *keys = kmersearch_query_keys(VARDATA_ANY(q), VARSIZE_ANY_EXHDR(q),
											 kmersearch_kmer_size, kmersearch_occur_bitlen, &nkeys);

	PG_RETURN_DATUM(keys_to_array(keys, nkeys));
}
