/* guc.c - every kmersearch.* configuration parameter, defined in one block */
#include "postgres.h"

#include "utils/guc.h"

#include "kmersearch.h"

double		kmersearch_max_appearance_rate = 0.5;
int			kmersearch_max_appearance_nrow = 0;
int			kmersearch_min_score = 1;
int			kmersearch_occur_bitlen = 8;
int			kmersearch_kmer_size = 16;
double		kmersearch_min_shared_kmer_rate = 0.5;
bool		kmersearch_preclude_highfreq_kmer = false;
bool		kmersearch_force_use_parallel_highfreq_kmer_cache = false;
int			kmersearch_force_simd_capability = -1;
int			kmersearch_query_kmer_cache_max_entries = 50000;
int			kmersearch_actual_min_score_cache_max_entries = 50000;
int			kmersearch_highfreq_kmer_cache_load_batch_size = 10000;
int			kmersearch_highfreq_analysis_hashtable_size = 1000000;
int			kmersearch_highfreq_analysis_batch_size = 10000;
int			kmersearch_highfreq_analysis_memory_limit = 1024;
bool		kmersearch_worker_autostart = true;
char	   *kmersearch_worker_socket_path = NULL;
char	   *kmersearch_worker_command = NULL;
int			kmersearch_worker_pool_size = 4;

/*
 * An n-gram key is 2k + b bits and must fit in 64 bits.  Each hook checks
 * the new value against the current value of the other parameter, so a
 * combination is changed by lowering one before raising the other.
 */
static bool
key_width_fits(int kmer_size, int occur_bitlen, const char *changed)
{
	int			total = 2 * kmer_size + occur_bitlen;

	if (total <= 64)
		return true;
	GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
	GUC_check_errmsg("kmersearch.%s would make n-gram keys wider than 64 bits", changed);
	GUC_check_errdetail("kmer_size * 2 + occur_bitlen = %d * 2 + %d = %d.",
						kmer_size, occur_bitlen, total);
	GUC_check_errhint("Lower kmersearch.occur_bitlen or kmersearch.kmer_size first so that kmer_size * 2 + occur_bitlen <= 64.");
	return false;
}

static bool
check_kmer_size(int *newval, void **extra, GucSource source)
{
	(void) extra;
	(void) source;
	return key_width_fits(*newval, kmersearch_occur_bitlen, "kmer_size");
}

static bool
check_occur_bitlen(int *newval, void **extra, GucSource source)
{
	(void) extra;
	(void) source;
	return key_width_fits(kmersearch_kmer_size, *newval, "occur_bitlen");
}

static bool
check_force_simd_capability(int *newval, void **extra, GucSource source)
{
	(void) extra;
	(void) source;
	if (*newval == -1 || kmersearch_simd_level_is_valid(*newval))
		return true;
	GUC_check_errdetail("Level %d is not available on this machine; the detected level is %d (%s). Use -1 for automatic detection.",
						*newval, kmersearch_detected_simd_level(),
						kmersearch_simd_level_name(kmersearch_detected_simd_level()));
	return false;
}

/*
 * Assign hooks.  Cached values are keyed by everything they depend on, so
 * resetting is not needed for correctness; it keeps the statistics of each
 * cache meaning "since the settings it depends on were last set", and lets a
 * new max_entries take effect.
 */
static void
assign_kmer_size(int newval, void *extra)
{
	(void) newval;
	(void) extra;
	kmersearch_reset_query_cache();
	kmersearch_reset_score_cache();
	kmersearch_invalidate_plans();
}

/* Settings an index is built under: cached plans may name an index that no longer fits. */
static void
assign_index_setting_int(int newval, void *extra)
{
	(void) newval;
	(void) extra;
	kmersearch_invalidate_plans();
}

static void
assign_index_setting_bool(bool newval, void *extra)
{
	(void) newval;
	(void) extra;
	kmersearch_invalidate_plans();
}

static void
assign_score_setting_int(int newval, void *extra)
{
	(void) newval;
	(void) extra;
	kmersearch_reset_score_cache();
}

static void
assign_score_setting_real(double newval, void *extra)
{
	(void) newval;
	(void) extra;
	kmersearch_reset_score_cache();
}

static void
assign_analysis_threshold_int(int newval, void *extra)
{
	(void) newval;
	(void) extra;
	kmersearch_reset_score_cache();
	kmersearch_invalidate_plans();
}

static void
assign_analysis_threshold_real(double newval, void *extra)
{
	(void) newval;
	(void) extra;
	kmersearch_reset_score_cache();
	kmersearch_invalidate_plans();
}

static void
assign_query_cache_max_entries(int newval, void *extra)
{
	(void) newval;
	(void) extra;
	kmersearch_reset_query_cache();
}

void
kmersearch_define_gucs(void)
{
	DefineCustomRealVariable("kmersearch.max_appearance_rate",
							 "Highest fraction of rows a k-mer may appear in before the high-frequency analysis marks it.",
							 "A key is high-frequency when it appears in more than trunc(rows * rate) rows.",
							 &kmersearch_max_appearance_rate, 0.5, 0.0, 1.0,
							 PGC_USERSET, 0, NULL, assign_analysis_threshold_real, NULL);
	DefineCustomIntVariable("kmersearch.max_appearance_nrow",
							"Highest number of rows a k-mer may appear in before the high-frequency analysis marks it.",
							"Zero means no row-count limit; otherwise the lower of this and the rate-derived limit applies.",
							&kmersearch_max_appearance_nrow, 0, 0, PG_INT32_MAX,
							PGC_USERSET, 0, NULL, assign_analysis_threshold_int, NULL);
	DefineCustomIntVariable("kmersearch.min_score",
							"Lowest number of shared k-mers for a row to match with =%.",
							NULL,
							&kmersearch_min_score, 1, 0, PG_INT32_MAX,
							PGC_USERSET, 0, NULL, assign_score_setting_int, NULL);
	DefineCustomIntVariable("kmersearch.occur_bitlen",
							"Number of bits of each n-gram key that hold the occurrence number of its k-mer.",
							"kmer_size * 2 + occur_bitlen must not exceed 64.",
							&kmersearch_occur_bitlen, 8, 0, 16,
							PGC_USERSET, 0, check_occur_bitlen, assign_index_setting_int, NULL);
	DefineCustomIntVariable("kmersearch.kmer_size",
							"Length in bases of the k-mers used for indexing, search, scoring and analysis.",
							"kmer_size * 2 + occur_bitlen must not exceed 64.",
							&kmersearch_kmer_size, 16, 4, 32,
							PGC_USERSET, 0, check_kmer_size, assign_kmer_size, NULL);
	DefineCustomRealVariable("kmersearch.min_shared_kmer_rate",
							 "Lowest fraction of the query's k-mers a row must share to match with =%.",
							 NULL,
							 &kmersearch_min_shared_kmer_rate, 0.5, 0.0, 1.0,
							 PGC_USERSET, 0, NULL, assign_score_setting_real, NULL);
	DefineCustomBoolVariable("kmersearch.preclude_highfreq_kmer",
							 "Leaves high-frequency k-mers out of GIN indexes and index searches.",
							 NULL,
							 &kmersearch_preclude_highfreq_kmer, false,
							 PGC_USERSET, 0, NULL, assign_index_setting_bool, NULL);
	DefineCustomBoolVariable("kmersearch.force_use_parallel_highfreq_kmer_cache",
							 "Looks up high-frequency k-mers only in the shared cache (or the table), never in the session cache.",
							 NULL,
							 &kmersearch_force_use_parallel_highfreq_kmer_cache, false,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("kmersearch.force_simd_capability",
							"Caps the SIMD level reported and used; -1 detects it automatically.",
							"Only levels this machine supports are accepted. Results never depend on it.",
							&kmersearch_force_simd_capability, -1, -1, 100,
							PGC_USERSET, 0, check_force_simd_capability, NULL, NULL);
	DefineCustomIntVariable("kmersearch.query_kmer_cache_max_entries",
							"Largest number of parsed queries the per-session query k-mer cache keeps.",
							NULL,
							&kmersearch_query_kmer_cache_max_entries, 50000, 1000, 10000000,
							PGC_USERSET, 0, NULL, assign_query_cache_max_entries, NULL);
	DefineCustomIntVariable("kmersearch.actual_min_score_cache_max_entries",
							"Largest number of thresholds the per-session actual-min-score cache keeps.",
							NULL,
							&kmersearch_actual_min_score_cache_max_entries, 50000, 1000, 10000000,
							PGC_USERSET, 0, NULL, assign_score_setting_int, NULL);
	DefineCustomIntVariable("kmersearch.highfreq_kmer_cache_load_batch_size",
							"Number of high-frequency keys read per batch when a cache is loaded.",
							NULL,
							&kmersearch_highfreq_kmer_cache_load_batch_size, 10000, 1000, 1000000,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("kmersearch.highfreq_analysis_hashtable_size",
							"Initial number of entries of each counting table of the high-frequency analysis.",
							NULL,
							&kmersearch_highfreq_analysis_hashtable_size, 1000000, 10000, 100000000,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("kmersearch.highfreq_analysis_batch_size",
							"Number of rows in each unit of work handed to a parallel reader of the high-frequency analysis.",
							NULL,
							&kmersearch_highfreq_analysis_batch_size, 10000, 1000, 1000000,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("kmersearch.highfreq_analysis_memory_limit",
							"Memory the worker pool may use to count the keys of one high-frequency analysis; beyond it, counts spill to temporary files.",
							"The pool's own Worker:AnalysisMemoryLimitMB caps it.",
							&kmersearch_highfreq_analysis_memory_limit, 1024, 1, 1024 * 1024,
							PGC_USERSET, GUC_UNIT_MB, NULL, NULL, NULL);

	/* The worker pool: read by the launcher at start and on reload, so only postgresql.conf sets them. */
	DefineCustomBoolVariable("kmersearch.worker_autostart",
							 "Starts and supervises the k-mer worker pool from the server (off: an external pool, e.g. systemd, is expected).",
							 NULL,
							 &kmersearch_worker_autostart, true,
							 PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("kmersearch.worker_socket_path",
							   "Unix socket of the k-mer worker pool.",
							   "Empty means kmer-worker.sock in the data directory.",
							   &kmersearch_worker_socket_path, "",
							   PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("kmersearch.worker_command",
							   "Executable of the k-mer worker pool that the server starts when kmersearch.worker_autostart is on.",
							   NULL,
							   &kmersearch_worker_command, "/usr/local/lib/kmer-worker/Kmer.Worker",
							   PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("kmersearch.worker_pool_size",
							"Most database sessions the k-mer worker pool opens in parallel for one call (readers, index builds).",
							"Each call carries it, so a reload applies to the next call; the pool that the server starts is started with it as its own cap (Worker:PoolSize), which an external pool sets itself.",
							&kmersearch_worker_pool_size, 4, 1, 64,
							PGC_SIGHUP, 0, NULL, NULL, NULL);

	MarkGUCPrefixReserved("kmersearch");
}
