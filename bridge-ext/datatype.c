/* datatype.c - DNA2 and DNA4: text and binary I/O, comparison, hashing, lengths */
#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "kmersearch.h"

/* DNA2: two bits per base, A=00 C=01 G=10 T=11; U is stored as T. */
const DnaAlphabet kmersearch_dna2_alphabet = {
	.type_name = "DNA2",
	.bits_per_base = 2,
	.code_plus_one = {
		['A'] = 1, ['C'] = 2, ['G'] = 3, ['T'] = 4, ['U'] = 4,
		['a'] = 1, ['c'] = 2, ['g'] = 3, ['t'] = 4, ['u'] = 4,
	},
	.letters = "ACGT",
	.accepted_hint = "DNA2 accepts only the letters A, C, G, T and U, in upper or lower case.",
};

/*
 * DNA4: four bits per base, one bit per standard base (A=1 C=2 G=4 T=8);
 * IUPAC ambiguity codes are the OR of the bases they stand for.  Code 0 is
 * never produced by input and prints as '?'.
 */
const DnaAlphabet kmersearch_dna4_alphabet = {
	.type_name = "DNA4",
	.bits_per_base = 4,
	.code_plus_one = {
		['A'] = 2, ['C'] = 3, ['M'] = 4, ['G'] = 5, ['R'] = 6, ['S'] = 7,
		['V'] = 8, ['T'] = 9, ['U'] = 9, ['W'] = 10, ['Y'] = 11, ['H'] = 12,
		['K'] = 13, ['D'] = 14, ['B'] = 15, ['N'] = 16,
		['a'] = 2, ['c'] = 3, ['m'] = 4, ['g'] = 5, ['r'] = 6, ['s'] = 7,
		['v'] = 8, ['t'] = 9, ['u'] = 9, ['w'] = 10, ['y'] = 11, ['h'] = 12,
		['k'] = 13, ['d'] = 14, ['b'] = 15, ['n'] = 16,
	},
	.letters = "?ACMGRSVTWYHKDBN",
	.accepted_hint = "DNA4 accepts only the letters A, C, G, T, U, M, R, W, S, Y, K, V, H, D, B and N, in upper or lower case.",
};

static KmerDna *
dna_alloc(int32 bit_len)
{
	Size		size = KMER_DNA_HDRSZ + KMER_DNA_BYTES(bit_len);
	KmerDna    *dna = (KmerDna *) palloc0(size);

	SET_VARSIZE(dna, size);
	dna->bit_len = bit_len;
	return dna;
}

/* Printable form of one input byte for error messages (never invalid UTF-8). */
const char *
kmersearch_byte_repr(unsigned char c)
{
	static char buf[8];

	if (c >= 0x21 && c <= 0x7e)
		snprintf(buf, sizeof(buf), "%c", c);
	else
		snprintf(buf, sizeof(buf), "\\x%02X", c);
	return buf;
}

static KmerDna *
dna_from_text(const DnaAlphabet *alphabet, const char *text, Size len)
{
	int			bpb = alphabet->bits_per_base;
	KmerDna    *dna;

	if (len > (Size) (MaxAllocSize - KMER_DNA_HDRSZ) * 8 / bpb || len > (Size) (PG_INT32_MAX / bpb))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s value is too long", alphabet->type_name),
				 errdetail("The input has %zu bases.", len)));

	dna = dna_alloc((int32) (len * bpb));
	for (Size i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) text[i];
		int			code = alphabet->code_plus_one[c] - 1;
		Size		bit;

		if (code < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid character \"%s\" in %s input",
							kmersearch_byte_repr(c), alphabet->type_name),
					 errdetail("The character is byte %zu of the input.", i + 1),
					 errhint("%s", alphabet->accepted_hint)));
		bit = i * bpb;
		dna->data[bit / 8] |= (uint8) (code << (8 - bpb - bit % 8));
	}
	return dna;
}

/* Only binary input can produce a bit length that does not fit the type. */
static void
check_bit_len_for_output(const KmerDna *dna, const DnaAlphabet *alphabet)
{
	if (dna->bit_len < 0 || dna->bit_len % alphabet->bits_per_base != 0)
		elog(ERROR, "invalid %s value: bit length %d is not a multiple of %d",
			 alphabet->type_name, dna->bit_len, alphabet->bits_per_base);
}

/*
 * Letters for every possible packed byte (4 DNA2 bases or 2 DNA4 bases), so
 * output copies whole bytes' worth of letters instead of decoding base by base.
 */
typedef struct ByteLetters
{
	bool		ready;
	char		letters[256][4];
} ByteLetters;

static ByteLetters dna2_byte_letters;
static ByteLetters dna4_byte_letters;

static const ByteLetters *
byte_letters(const DnaAlphabet *alphabet)
{
	int			bpb = alphabet->bits_per_base;
	ByteLetters *table = bpb == 2 ? &dna2_byte_letters : &dna4_byte_letters;

	if (!table->ready)
	{
		for (int byte = 0; byte < 256; byte++)
			for (int j = 0; j < 8 / bpb; j++)
				table->letters[byte][j] =
					alphabet->letters[(byte >> (8 - bpb * (j + 1))) & ((1 << bpb) - 1)];
		table->ready = true;
	}
	return table;
}

static char *
dna_to_text(const KmerDna *dna, const DnaAlphabet *alphabet)
{
	int			bases_per_byte = 8 / alphabet->bits_per_base;
	const ByteLetters *table = byte_letters(alphabet);
	int			nbases;
	int			full_bytes;
	char	   *out;

	check_bit_len_for_output(dna, alphabet);
	nbases = dna->bit_len / alphabet->bits_per_base;
	full_bytes = nbases / bases_per_byte;
	out = palloc(nbases + 1);
	for (int i = 0; i < full_bytes; i++)
		memcpy(out + i * bases_per_byte, table->letters[dna->data[i]], bases_per_byte);
	if (nbases > full_bytes * bases_per_byte)
		memcpy(out + full_bytes * bases_per_byte, table->letters[dna->data[full_bytes]],
			   nbases - full_bytes * bases_per_byte);
	out[nbases] = '\0';
	return out;
}

/*
 * Binary input: int32 bit length (network order) and exactly the packed
 * bytes.  Unlike the original, malformed values are rejected here so that
 * every stored value prints and compares like its text form.
 */
static KmerDna *
dna_recv(StringInfo buf, const DnaAlphabet *alphabet)
{
	int			bpb = alphabet->bits_per_base;
	int32		bit_len = (int32) pq_getmsgint(buf, 4);
	Size		nbytes;
	KmerDna    *dna;

	if (bit_len < 0 || bit_len % bpb != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid bit length %d in external %s value",
						bit_len, alphabet->type_name),
				 errdetail("The bit length must be a non-negative multiple of %d.", bpb)));

	nbytes = KMER_DNA_BYTES(bit_len);
	if (nbytes > (Size) (buf->len - buf->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("insufficient data left in message"),
				 errdetail("An external %s value of %d bits needs %zu data bytes, but only %d remain.",
						   alphabet->type_name, bit_len, nbytes, buf->len - buf->cursor)));

	dna = dna_alloc(bit_len);
	pq_copymsgbytes(buf, (char *) dna->data, (int) nbytes);

	if (bit_len % 8 != 0 && (dna->data[nbytes - 1] & (0xFF >> (bit_len % 8))) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid padding in external %s value", alphabet->type_name),
				 errdetail("The bits after the last base must be zero.")));

	if (bpb == 4)
	{
		for (int i = 0; i < bit_len / 4; i++)
		{
			int			code = (dna->data[i / 2] >> ((i % 2) ? 0 : 4)) & 0xF;

			if (code == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("invalid base code 0000 in external DNA4 value"),
						 errdetail("Base %d has no bit set.", i + 1)));
		}
	}
	return dna;
}

/* Shared comparison: shorter values sort first, then the packed bytes. */
static int
dna_cmp(const KmerDna *a, const KmerDna *b)
{
	int			r;

	if (a->bit_len != b->bit_len)
		return a->bit_len < b->bit_len ? -1 : 1;
	r = memcmp(a->data, b->data, KMER_DNA_BYTES(a->bit_len));
	return (r > 0) - (r < 0);
}

static int
dna_cmp_args(FunctionCallInfo fcinfo)
{
	KmerDna    *a = PG_GETARG_KMERDNA_P(0);
	KmerDna    *b = PG_GETARG_KMERDNA_P(1);
	int			r = dna_cmp(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	return r;
}

/* ---- type-specific entry points ---- */

PG_FUNCTION_INFO_V1(kmersearch_dna2_in);
Datum
kmersearch_dna2_in(PG_FUNCTION_ARGS)
{
	char	   *s = PG_GETARG_CSTRING(0);

	PG_RETURN_POINTER(dna_from_text(&kmersearch_dna2_alphabet, s, strlen(s)));
}

PG_FUNCTION_INFO_V1(kmersearch_dna4_in);
Datum
kmersearch_dna4_in(PG_FUNCTION_ARGS)
{
	char	   *s = PG_GETARG_CSTRING(0);

	PG_RETURN_POINTER(dna_from_text(&kmersearch_dna4_alphabet, s, strlen(s)));
}

PG_FUNCTION_INFO_V1(kmersearch_dna2_out);
Datum
kmersearch_dna2_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(dna_to_text(PG_GETARG_KMERDNA_P(0), &kmersearch_dna2_alphabet));
}

PG_FUNCTION_INFO_V1(kmersearch_dna4_out);
Datum
kmersearch_dna4_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(dna_to_text(PG_GETARG_KMERDNA_P(0), &kmersearch_dna4_alphabet));
}

PG_FUNCTION_INFO_V1(kmersearch_dna2_recv);
Datum
kmersearch_dna2_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(dna_recv((StringInfo) PG_GETARG_POINTER(0), &kmersearch_dna2_alphabet));
}

PG_FUNCTION_INFO_V1(kmersearch_dna4_recv);
Datum
kmersearch_dna4_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(dna_recv((StringInfo) PG_GETARG_POINTER(0), &kmersearch_dna4_alphabet));
}

/*
 * The bit count of a value, read where it lies: values stored with a short
 * header need no aligned copy just to be measured.
 */
static int32
dna_bit_len(Datum value)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(value);
	int32		bit_len;

	memcpy(&bit_len, VARDATA_ANY(v), sizeof(bit_len));
	return bit_len;
}

PG_FUNCTION_INFO_V1(kmersearch_dna2_nuc_length);
Datum
kmersearch_dna2_nuc_length(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(dna_bit_len(PG_GETARG_DATUM(0)) / kmersearch_dna2_alphabet.bits_per_base);
}

PG_FUNCTION_INFO_V1(kmersearch_dna4_nuc_length);
Datum
kmersearch_dna4_nuc_length(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(dna_bit_len(PG_GETARG_DATUM(0)) / kmersearch_dna4_alphabet.bits_per_base);
}

/* ---- entry points shared by both types (the stored layout is the same) ---- */

/* Binary send format, also the result of kmersearch_dnaX_to_bytea(). */
static bytea *
dna_wire_bytes(const KmerDna *dna)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, (uint32) dna->bit_len);
	pq_sendbytes(&buf, (const char *) dna->data, (int) KMER_DNA_BYTES(dna->bit_len));
	return pq_endtypsend(&buf);
}

PG_FUNCTION_INFO_V1(kmersearch_dna_send);
Datum
kmersearch_dna_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(dna_wire_bytes(PG_GETARG_KMERDNA_P(0)));
}

PG_FUNCTION_INFO_V1(kmersearch_dna_to_bytea);
Datum
kmersearch_dna_to_bytea(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(dna_wire_bytes(PG_GETARG_KMERDNA_P(0)));
}

PG_FUNCTION_INFO_V1(kmersearch_dna_bit_length);
Datum
kmersearch_dna_bit_length(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(dna_bit_len(PG_GETARG_DATUM(0)));
}

PG_FUNCTION_INFO_V1(kmersearch_dna_cmp);
Datum
kmersearch_dna_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(dna_cmp_args(fcinfo));
}

PG_FUNCTION_INFO_V1(kmersearch_dna_eq);
Datum
kmersearch_dna_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(dna_cmp_args(fcinfo) == 0);
}

PG_FUNCTION_INFO_V1(kmersearch_dna_ne);
Datum
kmersearch_dna_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(dna_cmp_args(fcinfo) != 0);
}

PG_FUNCTION_INFO_V1(kmersearch_dna_lt);
Datum
kmersearch_dna_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(dna_cmp_args(fcinfo) < 0);
}

PG_FUNCTION_INFO_V1(kmersearch_dna_le);
Datum
kmersearch_dna_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(dna_cmp_args(fcinfo) <= 0);
}

PG_FUNCTION_INFO_V1(kmersearch_dna_gt);
Datum
kmersearch_dna_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(dna_cmp_args(fcinfo) > 0);
}

PG_FUNCTION_INFO_V1(kmersearch_dna_ge);
Datum
kmersearch_dna_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(dna_cmp_args(fcinfo) >= 0);
}

/* Hashes cover the packed bytes only, not the bit length (as the original). */
PG_FUNCTION_INFO_V1(kmersearch_dna_hash);
Datum
kmersearch_dna_hash(PG_FUNCTION_ARGS)
{
	KmerDna    *dna = PG_GETARG_KMERDNA_P(0);
	Datum		h = hash_any(dna->data, (int) KMER_DNA_BYTES(dna->bit_len));

	PG_FREE_IF_COPY(dna, 0);
	PG_RETURN_DATUM(h);
}

PG_FUNCTION_INFO_V1(kmersearch_dna_hash_extended);
Datum
kmersearch_dna_hash_extended(PG_FUNCTION_ARGS)
{
	KmerDna    *dna = PG_GETARG_KMERDNA_P(0);
	Datum		h = hash_any_extended(dna->data, (int) KMER_DNA_BYTES(dna->bit_len),
									  (uint64) PG_GETARG_INT64(1));

	PG_FREE_IF_COPY(dna, 0);
	PG_RETURN_DATUM(h);
}
