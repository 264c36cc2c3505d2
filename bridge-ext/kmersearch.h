/* kmersearch.h - private declarations shared by the pg_kmersearch C files */
#ifndef KMERSEARCH_H
#define KMERSEARCH_H

#include "postgres.h"

/* Build identifier reported by kmersearch_show_buildno(): <major>.<minor>.YYYY.MM.DD */
#define KMERSEARCH_BUILDNO "1.0.2026.11.24"

/*
 * On-disk and in-memory layout of a DNA2/DNA4 value.  It is deliberately the
 * layout of PostgreSQL's bit varying: varlena header, bit count, packed bits
 * (most significant bit first, zero padding in the last byte).
 */
typedef struct KmerDna
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int32		bit_len;		/* number of meaningful bits */
	uint8		data[FLEXIBLE_ARRAY_MEMBER];
} KmerDna;

#define KMER_DNA_HDRSZ			offsetof(KmerDna, data)
#define KMER_DNA_BYTES(bits)	(((Size) (bits) + 7) / 8)
#define DatumGetKmerDnaP(d)		((KmerDna *) PG_DETOAST_DATUM(d))
#define PG_GETARG_KMERDNA_P(n)	DatumGetKmerDnaP(PG_GETARG_DATUM(n))

/*
 * What distinguishes DNA2 from DNA4: bits per base, which bytes the text
 * input accepts and how codes print.  Everything else is shared code.
 */
typedef struct DnaAlphabet
{
	const char *type_name;		/* "DNA2" or "DNA4", for messages */
	int			bits_per_base;	/* 2 or 4 */
	uint8		code_plus_one[256]; /* input byte -> code + 1; 0 = rejected */
	char		letters[16];	/* code -> output letter */
	const char *accepted_hint;	/* errhint text listing the accepted letters */
} DnaAlphabet;

extern const DnaAlphabet kmersearch_dna2_alphabet;
extern const DnaAlphabet kmersearch_dna4_alphabet;

/* datatype.c */
extern const char *kmersearch_byte_repr(unsigned char c);

/* kmer.c: n-gram keys (k-mer << b | occurrence - 1) as unsigned 64-bit values */
extern int	kmersearch_key_bits(int k, int b);
extern int	kmersearch_cmp_keys(const void *a, const void *b);
extern bool kmersearch_sorted_contains(const uint64 *sorted, int n, uint64 key);
extern uint64 *kmersearch_value_keys(const KmerDna *dna, const DnaAlphabet *alphabet,
									 int k, int b, int *nkeys);
extern uint64 *kmersearch_query_keys(const char *text, int len, int k, int b, int *nkeys);

/* A query's n-gram keys: in extraction order, and sorted for intersection. */
typedef struct QueryKeys
{
	int			nkeys;
	uint64	   *keys;
	uint64	   *sorted;
} QueryKeys;

/* cache.c */
extern const QueryKeys *kmersearch_cached_query_keys(const char *text, int len);
extern int	kmersearch_cached_min_score(const uint64 *keys, int nkeys);
extern void kmersearch_reset_query_cache(void);
extern void kmersearch_reset_score_cache(void);

/* score.c */
extern const QueryKeys *kmersearch_effective_query(const QueryKeys *query, QueryKeys *storage);
extern int	kmersearch_actual_min_score(int nkeys);

/* highfreq.c: which analysis a high-frequency set comes from */
typedef struct HighfreqIdentity
{
	Oid			table_oid;
	NameData	column_name;
	int			kmer_size;
	int			occur_bitlen;
	float4		rate;
	int			nrow;
} HighfreqIdentity;

extern void kmersearch_highfreq_shmem_init(void);
extern bool kmersearch_active_highfreq(HighfreqIdentity *id);
extern int	kmersearch_exclude_highfreq(uint64 *keys, int nkeys);

/* ddl.c */
extern void kmersearch_install_utility_hook(void);
extern bool kmersearch_building_with_exclusion(void);
extern bool kmersearch_highfreq_applies_to(const HighfreqIdentity *id, Oid relid, const char *column);
extern void kmersearch_require_highfreq_for(Oid relid, const char *column);

/* launcher.c */
extern void kmersearch_register_launcher(void);

/* catalog.c */
extern Oid	kmersearch_extension_schema(void);
extern char *kmersearch_extension_table(const char *table);

/* planner.c */
extern void kmersearch_install_planner_hook(void);
extern void kmersearch_invalidate_plans(void);

/* module.c: PostgreSQL 16+ declares _PG_init in fmgr.h, 15 does not */
#if PG_VERSION_NUM < 160000
extern PGDLLEXPORT void _PG_init(void);
#endif

/* guc.c: every kmersearch.* setting */
extern double kmersearch_max_appearance_rate;
extern int	kmersearch_max_appearance_nrow;
extern int	kmersearch_min_score;
extern int	kmersearch_occur_bitlen;
extern int	kmersearch_kmer_size;
extern double kmersearch_min_shared_kmer_rate;
extern bool kmersearch_preclude_highfreq_kmer;
extern bool kmersearch_force_use_parallel_highfreq_kmer_cache;
extern int	kmersearch_force_simd_capability;
extern int	kmersearch_query_kmer_cache_max_entries;
extern int	kmersearch_actual_min_score_cache_max_entries;
extern int	kmersearch_highfreq_kmer_cache_load_batch_size;
extern int	kmersearch_highfreq_analysis_hashtable_size;
extern int	kmersearch_highfreq_analysis_batch_size;
extern int	kmersearch_highfreq_analysis_memory_limit;
extern bool kmersearch_worker_autostart;
extern char *kmersearch_worker_socket_path;
extern char *kmersearch_worker_command;
extern int	kmersearch_worker_pool_size;

extern void kmersearch_define_gucs(void);

/* bridge.c: the pool's socket (the setting, or kmer-worker.sock in the data directory) */
extern const char *kmersearch_pool_socket_path(void);

/* module.c: loaded through shared_preload_libraries? */
extern bool kmersearch_preloaded;

/* simd.c */
extern void kmersearch_detect_simd(void);
extern int	kmersearch_detected_simd_level(void);
extern bool kmersearch_simd_level_is_valid(int level);
extern const char *kmersearch_simd_level_name(int level);

#endif							/* KMERSEARCH_H */
