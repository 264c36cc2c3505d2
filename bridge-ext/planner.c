/* planner.c - keeps k-mer GIN indexes built with other settings out of query plans */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/partition.h"
#include "catalog/pg_am.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_opfamily.h"
#include "nodes/pathnodes.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/plancat.h"
#include "utils/builtins.h"
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
	Oid			table_oid;
	NameData	column_name;
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

		out->table_oid = DatumGetObjectId(heap_getattr(tup, 2, desc, &isnull));
		namestrcpy(&out->column_name, NameStr(*DatumGetName(heap_getattr(tup, 3, desc, &isnull))));
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
	Oid			schema = kmersearch_extension_schema();

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
	/*
	 * An index built with exclusion left out its table's high-frequency
	 * keys: it fits only while that same set (same thresholds) is active.
	 */
	if (rec.preclude_highfreq_kmer)
	{
		HighfreqIdentity id;

		if (fabs(rec.max_appearance_rate - kmersearch_max_appearance_rate) > 0.0001 ||
			rec.max_appearance_nrow != kmersearch_max_appearance_nrow ||
			!kmersearch_active_highfreq(&id) ||
			!kmersearch_highfreq_applies_to(&id, rec.table_oid, NameStr(rec.column_name)))
			return INDEX_DOES_NOT_FIT;
	}
	return INDEX_FITS;
}

/* The =% operators of a query: whether there are any, and which columns of one relation they test. */
typedef struct KmerMatchUses
{
	Index		varno;			/* the relation being planned */
	int			depth;			/* 1 in the query being planned, more in its sublinks */
	bool		any;
	List	   *attnos;			/* its columns on the left of =% */
} KmerMatchUses;

static bool
kmer_match_walker(Node *node, KmerMatchUses *uses)
{
	if (node == NULL)
		return false;
	if (IsA(node, OpExpr))
	{
		OpExpr	   *op = (OpExpr *) node;
		char	   *name = get_opname(op->opno);

		if (name && strcmp(name, "=%") == 0)
		{
			Node	   *left = linitial(op->args);

			uses->any = true;
			/* Range-table indexes of sublinks are their own: only look at this level. */
			if (uses->depth == 1 && IsA(left, Var) && (Index) ((Var *) left)->varno == uses->varno &&
				((Var *) left)->varlevelsup == 0 && ((Var *) left)->varattno > 0)
				uses->attnos = list_append_unique_int(uses->attnos, ((Var *) left)->varattno);
		}
	}
	if (IsA(node, Query))
	{
		bool		result;

		uses->depth++;
		result = query_tree_walker((Query *) node, kmer_match_walker, uses, 0);
		uses->depth--;
		return result;
	}
	return expression_tree_walker(node, kmer_match_walker, uses);
}

/*
 * With preclusion on, =% on a column of this table must exclude this
 * table's high-frequency set: a set loaded for another table is an error,
 * and no set at all is worth a NOTICE (nothing is excluded).
 */
static void
check_highfreq_for_relation(Oid relid, List *attnos)
{
	HighfreqIdentity id;
	ListCell   *lc;

	foreach(lc, attnos)
	{
		char	   *column = get_attname(relid, lfirst_int(lc), false);

		if (!kmersearch_active_highfreq(&id))
			ereport(NOTICE,
					(errmsg("no high-frequency k-mer cache for %s.%s matches the current settings; no k-mers are excluded",
							get_rel_name(relid), column),
					 errhint("Load one with kmersearch_highfreq_kmer_cache_load('%s', '%s').",
							 get_rel_name(relid), column)));
		else
			kmersearch_require_highfreq_for(relid, column);
	}
}

static void
kmersearch_get_relation_info(PlannerInfo *root, Oid relid, bool inhparent, RelOptInfo *rel)
{
	Oid			info_relid = InvalidOid;
	List	   *kept = NIL;
	const char *dropped = NULL;
	bool		one_fits = false;
	KmerMatchUses uses = {.varno = rel->relid};
	ListCell   *lc;

	if (prev_get_relation_info_hook)
		prev_get_relation_info_hook(root, relid, inhparent, rel);

	kmer_match_walker((Node *) root->parse, &uses);
	if (kmersearch_preclude_highfreq_kmer && uses.attnos != NIL)
		check_highfreq_for_relation(relid, uses.attnos);

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
	if (!one_fits && uses.any)
		ereport(NOTICE,
				(errmsg("k-mer index \"%s\" does not fit the current k-mer settings and is not used", dropped),
				 errdetail("Current settings: kmer_size = %d, occur_bitlen = %d, preclude_highfreq_kmer = %s.",
						   kmersearch_kmer_size, kmersearch_occur_bitlen,
						   kmersearch_preclude_highfreq_kmer ? "on" : "off"),
				 errhint("See kmersearch_index_info for the settings each index was built with; an index built with preclude_highfreq_kmer also needs its table's high-frequency cache loaded.")));
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
