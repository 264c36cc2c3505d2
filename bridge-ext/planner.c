/* planner.c - keeps k-mer GIN indexes built with other settings out of query plans */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/partition.h"
#include "catalog/pg_am.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_opfamily.h"
#include "commands/extension.h"
#include "nodes/pathnodes.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/plancat.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"

#include "kmersearch.h"

/*
 * A k-mer GIN index only answers =% correctly under the k-mer settings it
 * was built with (kmersearch_index_info, written by the CREATE INDEX event
 * trigger).  When the planner collects a relation's indexes, this hook
 * removes every k-mer index whose recorded settings differ from the
 * session's, so the query uses a matching index if there is one and a
 * sequential scan otherwise; it never makes planning fail.  Indexes with no recorded row (on a partition,
 * the parent index's row applies) are left alone.
 */
static get_relation_info_hook_type prev_get_relation_info_hook = NULL;

typedef enum IndexFit
{
	INDEX_NOT_OURS,
	INDEX_FITS,
	INDEX_DOES_NOT_FIT
} IndexFit;

typedef struct RecordedSettings
{
	int			kmer_size;
	int			occur_bitlen;
	float4		max_appearance_rate;
	int			max_appearance_nrow;
	bool		preclude_highfreq_kmer;
} RecordedSettings;

static bool
is_kmersearch_opfamily(Oid opfamily)
{
	HeapTuple	tup = SearchSysCache1(OPFAMILYOID, ObjectIdGetDatum(opfamily));
	bool		ours = false;

	if (HeapTupleIsValid(tup))
	{
		Form_pg_opfamily f = (Form_pg_opfamily) GETSTRUCT(tup);

		ours = f->opfmethod == GIN_AM_OID &&
			strncmp(NameStr(f->opfname), "kmersearch_", 11) == 0;
		ReleaseSysCache(tup);
	}
	return ours;
}

/* kmersearch_index_info row of an index (by position, as the table is laid out). */
static bool
read_recorded_settings(Oid info_relid, Oid index_oid, RecordedSettings *out)
{
	Relation	rel = table_open(info_relid, AccessShareLock);
	Oid			pkey = RelationGetPrimaryKeyIndex(rel);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(index_oid));
	scan = systable_beginscan(rel, pkey, OidIsValid(pkey), NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		bool		isnull;

		out->kmer_size = DatumGetInt32(heap_getattr(tup, 4, desc, &isnull));
		out->occur_bitlen = DatumGetInt32(heap_getattr(tup, 5, desc, &isnull));
		out->max_appearance_rate = DatumGetFloat4(heap_getattr(tup, 8, desc, &isnull));
		out->max_appearance_nrow = DatumGetInt32(heap_getattr(tup, 9, desc, &isnull));
		out->preclude_highfreq_kmer = DatumGetBool(heap_getattr(tup, 10, desc, &isnull));
		found = true;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/* The extension's kmersearch_index_info, wherever the extension is installed. */
static Oid
index_info_relid(void)
{
	Oid			ext = get_extension_oid("pg_kmersearch", true);
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			schema = InvalidOid;

	if (!OidIsValid(ext))
		return InvalidOid;
	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(ext));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		schema = ((Form_pg_extension) GETSTRUCT(tup))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return OidIsValid(schema) ? get_relname_relid("kmersearch_index_info", schema) : InvalidOid;
}

static IndexFit
index_fit(IndexOptInfo *index, Oid info_relid)
{
	RecordedSettings rec;
	Oid			recorded_index = index->indexoid;
	bool		found;

	if (index->relam != GIN_AM_OID || index->ncolumns < 1 || !is_kmersearch_opfamily(index->opfamily[0]))
		return INDEX_NOT_OURS;

	found = read_recorded_settings(info_relid, recorded_index, &rec);
	if (!found && get_rel_relispartition(recorded_index))
	{
		/* A partition's index follows the row of its nearest recorded ancestor. */
		List	   *ancestors = get_partition_ancestors(recorded_index);
		ListCell   *lc;

		foreach(lc, ancestors)
		{
			if (read_recorded_settings(info_relid, lfirst_oid(lc), &rec))
			{
				found = true;
				break;
			}
		}
		list_free(ancestors);
	}
	if (!found)
		return INDEX_NOT_OURS;

	if (rec.kmer_size != kmersearch_kmer_size ||
		rec.occur_bitlen != kmersearch_occur_bitlen ||
		rec.preclude_highfreq_kmer != kmersearch_preclude_highfreq_kmer)
		return INDEX_DOES_NOT_FIT;
	/* With exclusion, the excluded set depends on the analysis thresholds too. */
	if (rec.preclude_highfreq_kmer &&
		(fabs(rec.max_appearance_rate - kmersearch_max_appearance_rate) > 0.0001 ||
		 rec.max_appearance_nrow != kmersearch_max_appearance_nrow))
		return INDEX_DOES_NOT_FIT;
	return INDEX_FITS;
}

/* Does the query use a =% operator anywhere (so a dropped index matters)? */
static bool
uses_kmer_match_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, OpExpr))
	{
		char	   *name = get_opname(((OpExpr *) node)->opno);

		if (name && strcmp(name, "=%") == 0)
			return true;
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, uses_kmer_match_walker, context, 0);
	return expression_tree_walker(node, uses_kmer_match_walker, context);
}

static void
kmersearch_get_relation_info(PlannerInfo *root, Oid relid, bool inhparent, RelOptInfo *rel)
{
	Oid			info_relid = InvalidOid;
	List	   *kept = NIL;
	const char *dropped = NULL;
	bool		one_fits = false;
	ListCell   *lc;

	if (prev_get_relation_info_hook)
		prev_get_relation_info_hook(root, relid, inhparent, rel);

	foreach(lc, rel->indexlist)
	{
		IndexOptInfo *index = lfirst(lc);

		if (index->relam == GIN_AM_OID && index->ncolumns >= 1 &&
			is_kmersearch_opfamily(index->opfamily[0]))
		{
			if (!OidIsValid(info_relid))
				info_relid = index_info_relid();
			if (OidIsValid(info_relid))
			{
				IndexFit	fit = index_fit(index, info_relid);

				if (fit == INDEX_DOES_NOT_FIT)
				{
					dropped = get_rel_name(index->indexoid);
					continue;
				}
				one_fits |= fit == INDEX_FITS;
			}
		}
		kept = lappend(kept, index);
	}
	if (dropped == NULL)
		return;
	rel->indexlist = kept;

	/* Say so when =% loses its only usable index and falls back to a scan. */
	if (!one_fits && uses_kmer_match_walker((Node *) root->parse, NULL))
		ereport(NOTICE,
				(errmsg("k-mer index \"%s\" was built with other k-mer settings and is not used", dropped),
				 errdetail("Current settings: kmer_size = %d, occur_bitlen = %d, preclude_highfreq_kmer = %s.",
						   kmersearch_kmer_size, kmersearch_occur_bitlen,
						   kmersearch_preclude_highfreq_kmer ? "on" : "off"),
				 errhint("See kmersearch_index_info for the settings each index was built with.")));
}

void
kmersearch_install_planner_hook(void)
{
	prev_get_relation_info_hook = get_relation_info_hook;
	get_relation_info_hook = kmersearch_get_relation_info;
}

/* Plans made under other k-mer settings may name an index that no longer fits. */
void
kmersearch_invalidate_plans(void)
{
	ResetPlanCache();
}
