/* highfreq.c - high-frequency k-mer sets: per-session cache, shared cache, and key exclusion */
#include "postgres.h"

#include <math.h>

#include "catalog/namespace.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/dsa.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/varlena.h"

#include "kmersearch.h"

/*
 * A high-frequency set is the list of full n-gram keys that the analysis of
 * one table column found in too many rows, for one k, b and threshold pair.
 * It can be loaded into this session (kmersearch_highfreq_kmer_cache_load) or
 * once for the whole cluster into shared memory
 * (kmersearch_parallel_highfreq_kmer_cache_load, which needs the library in
 * shared_preload_libraries).  The *active* set is the session one, else the
 * shared one (the shared one only, when
 * kmersearch.force_use_parallel_highfreq_kmer_cache is on), provided its k, b
 * and thresholds are the session's current settings.  Keys are kept sorted
 * so membership is a binary search.
 */

typedef struct SessionSet
{
	bool		loaded;
	HighfreqIdentity id;
	int			nkeys;
	uint64	   *keys;			/* sorted, in TopMemoryContext */
} SessionSet;

typedef struct SharedSet
{
	LWLock	   *lock;
	int			dsa_tranche;
	bool		area_created;
	dsa_handle	area_handle;	/* valid once area_created */
	bool		loaded;
	HighfreqIdentity id;
	int			nkeys;
	dsa_pointer keys;			/* sorted uint64 array in the area */
} SharedSet;

static SessionSet session_set;
static SharedSet *shared_set = NULL;
static dsa_area *shared_area = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* ---- shared memory setup (only with shared_preload_libraries) ---- */

static void
highfreq_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(SharedSet)));
	RequestNamedLWLockTranche("pg_kmersearch", 1);
}

static void
highfreq_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared_set = ShmemInitStruct("pg_kmersearch high-frequency cache", sizeof(SharedSet), &found);
	if (!found)
	{
		memset(shared_set, 0, sizeof(SharedSet));
		shared_set->lock = &(GetNamedLWLockTranche("pg_kmersearch"))->lock;
		shared_set->dsa_tranche = LWLockNewTrancheId();
		shared_set->keys = InvalidDsaPointer;
	}
	LWLockRelease(AddinShmemInitLock);
}

void
kmersearch_highfreq_shmem_init(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = highfreq_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = highfreq_shmem_startup;
}

static void
require_shared_memory(void)
{
	if (shared_set == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the shared high-frequency k-mer cache needs pg_kmersearch to be preloaded"),
				 errhint("Add shared_preload_libraries = 'pg_kmersearch' to postgresql.conf and restart the server.")));
}

/* Maps the shared area into this backend (once; the mapping lasts for the session). */
static dsa_area *
attach_shared_area(void)
{
	if (shared_area == NULL)
	{
		/* The area descriptor must outlive the current query. */
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		LWLockRegisterTranche(shared_set->dsa_tranche, "pg_kmersearch_dsa");
		shared_area = dsa_attach(shared_set->area_handle);
		dsa_pin_mapping(shared_area);
		MemoryContextSwitchTo(old);
	}
	return shared_area;
}

/* ---- identities and settings ---- */

static bool
identity_fits_settings(const HighfreqIdentity *id)
{
	return id->kmer_size == kmersearch_kmer_size &&
		id->occur_bitlen == kmersearch_occur_bitlen &&
		fabs((double) id->rate - kmersearch_max_appearance_rate) <= 0.0001 &&
		id->nrow == kmersearch_max_appearance_nrow;
}

static void
current_identity(HighfreqIdentity *id, Oid table_oid, const char *column)
{
	memset(id, 0, sizeof(*id));
	id->table_oid = table_oid;
	namestrcpy(&id->column_name, column);
	id->kmer_size = kmersearch_kmer_size;
	id->occur_bitlen = kmersearch_occur_bitlen;
	id->rate = (float4) kmersearch_max_appearance_rate;
	id->nrow = kmersearch_max_appearance_nrow;
}

static bool
same_identity(const HighfreqIdentity *a, const HighfreqIdentity *b)
{
	return a->table_oid == b->table_oid &&
		strcmp(NameStr(a->column_name), NameStr(b->column_name)) == 0 &&
		a->kmer_size == b->kmer_size && a->occur_bitlen == b->occur_bitlen &&
		fabs((double) a->rate - (double) b->rate) <= 0.0001 && a->nrow == b->nrow;
}

/*
 * Which set applies now, and its identity.  For the shared set the caller
 * gets the identity only; lookups take the lock themselves.
 */
bool
kmersearch_active_highfreq(HighfreqIdentity *id)
{
	if (!kmersearch_force_use_parallel_highfreq_kmer_cache &&
		session_set.loaded && identity_fits_settings(&session_set.id))
	{
		*id = session_set.id;
		return true;
	}
	if (shared_set != NULL)
	{
		bool		fits;

		LWLockAcquire(shared_set->lock, LW_SHARED);
		fits = shared_set->loaded && identity_fits_settings(&shared_set->id);
		if (fits)
			*id = shared_set->id;
		LWLockRelease(shared_set->lock);
		return fits;
	}
	return false;
}

static int
remove_members(uint64 *keys, int nkeys, const uint64 *set, int nset)
{
	int			kept = 0;

	for (int i = 0; i < nkeys; i++)
		if (!kmersearch_sorted_contains(set, nset, keys[i]))
			keys[kept++] = keys[i];
	return kept;
}

/* Removes the active set's keys from keys[] (order kept); returns how many remain. */
int
kmersearch_exclude_highfreq(uint64 *keys, int nkeys)
{
	if (nkeys == 0)
		return 0;
	if (!kmersearch_force_use_parallel_highfreq_kmer_cache &&
		session_set.loaded && identity_fits_settings(&session_set.id))
		return remove_members(keys, nkeys, session_set.keys, session_set.nkeys);
	if (shared_set != NULL)
	{
		int			kept = nkeys;

		LWLockAcquire(shared_set->lock, LW_SHARED);
		if (shared_set->loaded && identity_fits_settings(&shared_set->id))
		{
			dsa_area   *area = attach_shared_area();

			kept = remove_members(keys, nkeys, dsa_get_address(area, shared_set->keys), shared_set->nkeys);
		}
		LWLockRelease(shared_set->lock);
		return kept;
	}
	return nkeys;
}

/* ---- reading the analysis tables ---- */

static Oid
resolve_table(text *name)
{
	RangeVar   *rv = makeRangeVarFromNameList(textToQualifiedNameList(name));
	Oid			relid = RangeVarGetRelid(rv, AccessShareLock, true);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s\" does not exist", text_to_cstring(name))));
	return relid;
}

static char *
resolve_column(Oid relid, text *name)
{
	char	   *column = text_to_cstring(name);

	if (get_attnum(relid, column) == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist", column, get_rel_name(relid))));
	return column;
}

/*
 * The analysis of this table column with the current k must exist and have
 * been made with the current occur_bitlen and thresholds.
 */
static void
validate_analysis(Oid relid, const char *column)
{
	Oid			argtypes[4] = {OIDOID, NAMEOID, INT4OID, INT4OID};
	Datum		values[4];
	char	   *sql;
	int			b,
				nrow;
	double		rate;
	bool		isnull;

	values[0] = ObjectIdGetDatum(relid);
	values[1] = CStringGetDatum(column);
	values[2] = Int32GetDatum(kmersearch_kmer_size);
	values[3] = Int32GetDatum(kmersearch_occur_bitlen);
	sql = psprintf("SELECT occur_bitlen, max_appearance_rate::float8, max_appearance_nrow FROM %s"
				   " WHERE table_oid = $1 AND column_name = $2 AND kmer_size = $3"
				   " ORDER BY occur_bitlen = $4 DESC LIMIT 1",
				   kmersearch_extension_table("kmersearch_highfreq_kmer_meta"));
	if (SPI_execute_with_args(sql, 4, argtypes, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read kmersearch_highfreq_kmer_meta");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("no high-frequency analysis of %s.%s with kmer_size %d",
						get_rel_name(relid), column, kmersearch_kmer_size),
				 errhint("Run kmersearch_perform_highfreq_analysis() with the current settings first.")));
	b = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	rate = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	nrow = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	if (b != kmersearch_occur_bitlen)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("kmersearch.occur_bitlen does not match the analysis of %s.%s", get_rel_name(relid), column),
				 errdetail("The current value is %d; the analysis used %d.", kmersearch_occur_bitlen, b),
				 errhint("SET kmersearch.occur_bitlen = %d.", b)));
	if (fabs(rate - kmersearch_max_appearance_rate) > 0.0001)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("kmersearch.max_appearance_rate does not match the analysis of %s.%s", get_rel_name(relid), column),
				 errdetail("The current value is %.4f; the analysis used %.4f.", kmersearch_max_appearance_rate, rate),
				 errhint("SET kmersearch.max_appearance_rate = %.4f.", rate)));
	if (nrow != kmersearch_max_appearance_nrow)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("kmersearch.max_appearance_nrow does not match the analysis of %s.%s", get_rel_name(relid), column),
				 errdetail("The current value is %d; the analysis used %d.", kmersearch_max_appearance_nrow, nrow),
				 errhint("SET kmersearch.max_appearance_nrow = %d.", nrow)));
}

/* The stored keys of this analysis, sorted, in cxt; read in batches. */
static uint64 *
read_keys(Oid relid, const char *column, MemoryContext cxt, int *nkeys)
{
	Oid			argtypes[4] = {OIDOID, NAMEOID, INT4OID, INT4OID};
	Datum		values[4];
	char	   *sql;
	SPIPlanPtr	plan;
	Portal		portal;
	uint64	   *keys = NULL;
	int			n = 0,
				cap = 0;

	values[0] = ObjectIdGetDatum(relid);
	values[1] = CStringGetDatum(column);
	values[2] = Int32GetDatum(kmersearch_kmer_size);
	values[3] = Int32GetDatum(kmersearch_occur_bitlen);
	sql = psprintf("SELECT uintkey FROM %s"
				   " WHERE table_oid = $1 AND column_name = $2 AND kmer_size = $3 AND occur_bitlen = $4",
				   kmersearch_extension_table("kmersearch_highfreq_kmer"));
	plan = SPI_prepare(sql, 4, argtypes);
	if (plan == NULL)
		elog(ERROR, "could not prepare the high-frequency key query");
	portal = SPI_cursor_open(NULL, plan, values, NULL, true);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, kmersearch_highfreq_kmer_cache_load_batch_size);
		if (SPI_processed == 0)
			break;
		if (n + (int) SPI_processed > cap)
		{
			cap = Max(cap * 2, n + (int) SPI_processed);
			keys = keys ? repalloc_huge(keys, cap * sizeof(uint64))
				: MemoryContextAllocHuge(cxt, cap * sizeof(uint64));
		}
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			bool		isnull;

			keys[n++] = (uint64) DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		}
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
	if (n > 0)
		qsort(keys, n, sizeof(uint64), kmersearch_cmp_keys);
	*nkeys = n;
	return keys;
}

static void
session_free(void)
{
	if (session_set.keys)
		pfree(session_set.keys);
	memset(&session_set, 0, sizeof(session_set));
}

/* ---- SQL: per-session cache ---- */

PG_FUNCTION_INFO_V1(kmersearch_highfreq_kmer_cache_load);
Datum
kmersearch_highfreq_kmer_cache_load(PG_FUNCTION_ARGS)
{
	Oid			relid = resolve_table(PG_GETARG_TEXT_PP(0));
	char	   *column = resolve_column(relid, PG_GETARG_TEXT_PP(1));
	uint64	   *keys;
	int			nkeys;

	SPI_connect();
	validate_analysis(relid, column);
	keys = read_keys(relid, column, TopMemoryContext, &nkeys);
	SPI_finish();

	session_free();
	if (nkeys == 0)
		PG_RETURN_BOOL(false);
	session_set.loaded = true;
	current_identity(&session_set.id, relid, column);
	session_set.keys = keys;
	session_set.nkeys = nkeys;
	PG_RETURN_BOOL(true);
}

PG_FUNCTION_INFO_V1(kmersearch_highfreq_kmer_cache_free);
Datum
kmersearch_highfreq_kmer_cache_free(PG_FUNCTION_ARGS)
{
	Oid			relid = resolve_table(PG_GETARG_TEXT_PP(0));
	char	   *column = text_to_cstring(PG_GETARG_TEXT_PP(1));
	HighfreqIdentity want;
	int			n;

	current_identity(&want, relid, column);
	if (!session_set.loaded || !same_identity(&session_set.id, &want))
	{
		ereport(WARNING,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the high-frequency k-mer cache is not loaded for %s.%s with the current settings",
						get_rel_name(relid), column)));
		PG_RETURN_INT32(0);
	}
	n = session_set.nkeys;
	session_free();
	PG_RETURN_INT32(n);
}

/* Returns 1 if a cache was loaded, else 0 (as the original). */
PG_FUNCTION_INFO_V1(kmersearch_highfreq_kmer_cache_free_all);
Datum
kmersearch_highfreq_kmer_cache_free_all(PG_FUNCTION_ARGS)
{
	bool		was_loaded = session_set.loaded;

	(void) fcinfo;
	session_free();
	PG_RETURN_INT32(was_loaded ? 1 : 0);
}

/* ---- SQL: shared cache ---- */

/* Frees the shared keys; caller holds the lock exclusively. Returns how many there were. */
static int
shared_free_locked(void)
{
	int			n = shared_set->loaded ? shared_set->nkeys : 0;

	if (shared_set->loaded && DsaPointerIsValid(shared_set->keys))
		dsa_free(attach_shared_area(), shared_set->keys);
	shared_set->loaded = false;
	shared_set->keys = InvalidDsaPointer;
	shared_set->nkeys = 0;
	return n;
}

PG_FUNCTION_INFO_V1(kmersearch_parallel_highfreq_kmer_cache_load);
Datum
kmersearch_parallel_highfreq_kmer_cache_load(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *column;
	HighfreqIdentity want;
	uint64	   *keys;
	int			nkeys;
	bool		result;

	require_shared_memory();
	relid = resolve_table(PG_GETARG_TEXT_PP(0));
	column = resolve_column(relid, PG_GETARG_TEXT_PP(1));
	SPI_connect();
	validate_analysis(relid, column);
	current_identity(&want, relid, column);

	/* Already loaded: true if it is this very set, false (and kept) if another. */
	LWLockAcquire(shared_set->lock, LW_SHARED);
	if (shared_set->loaded)
	{
		result = same_identity(&shared_set->id, &want);
		LWLockRelease(shared_set->lock);
		SPI_finish();
		PG_RETURN_BOOL(result);
	}
	LWLockRelease(shared_set->lock);

	keys = read_keys(relid, column, CurrentMemoryContext, &nkeys);
	SPI_finish();
	if (nkeys == 0)
		PG_RETURN_BOOL(false);

	LWLockAcquire(shared_set->lock, LW_EXCLUSIVE);
	if (shared_set->loaded)
	{
		/* Another session loaded a set meanwhile. */
		result = same_identity(&shared_set->id, &want);
		LWLockRelease(shared_set->lock);
		PG_RETURN_BOOL(result);
	}
	if (!shared_set->area_created)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		LWLockRegisterTranche(shared_set->dsa_tranche, "pg_kmersearch_dsa");
		shared_area = dsa_create(shared_set->dsa_tranche);
		dsa_pin(shared_area);
		dsa_pin_mapping(shared_area);
		shared_set->area_handle = dsa_get_handle(shared_area);
		shared_set->area_created = true;
		MemoryContextSwitchTo(old);
	}
	shared_set->keys = dsa_allocate_extended(attach_shared_area(), (Size) nkeys * sizeof(uint64), DSA_ALLOC_HUGE);
	memcpy(dsa_get_address(shared_area, shared_set->keys), keys, (Size) nkeys * sizeof(uint64));
	shared_set->nkeys = nkeys;
	shared_set->id = want;
	shared_set->loaded = true;
	LWLockRelease(shared_set->lock);
	pfree(keys);
	PG_RETURN_BOOL(true);
}

PG_FUNCTION_INFO_V1(kmersearch_parallel_highfreq_kmer_cache_free);
Datum
kmersearch_parallel_highfreq_kmer_cache_free(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *column;
	HighfreqIdentity want;
	int			n = 0;
	bool		matched;

	require_shared_memory();
	relid = resolve_table(PG_GETARG_TEXT_PP(0));
	column = text_to_cstring(PG_GETARG_TEXT_PP(1));
	current_identity(&want, relid, column);
	LWLockAcquire(shared_set->lock, LW_EXCLUSIVE);
	matched = shared_set->loaded && same_identity(&shared_set->id, &want);
	if (matched)
		n = shared_free_locked();
	LWLockRelease(shared_set->lock);
	if (!matched)
		ereport(WARNING,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the shared high-frequency k-mer cache is not loaded for %s.%s with the current settings",
						get_rel_name(relid), column)));
	PG_RETURN_INT32(n);
}

/* Returns the number of keys the shared cache held (0 if none). */
PG_FUNCTION_INFO_V1(kmersearch_parallel_highfreq_kmer_cache_free_all);
Datum
kmersearch_parallel_highfreq_kmer_cache_free_all(PG_FUNCTION_ARGS)
{
	int			n;

	(void) fcinfo;
	require_shared_memory();
	LWLockAcquire(shared_set->lock, LW_EXCLUSIVE);
	n = shared_free_locked();
	LWLockRelease(shared_set->lock);
	PG_RETURN_INT32(n);
}
