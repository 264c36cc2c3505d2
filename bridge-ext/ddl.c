/* ddl.c - checks CREATE INDEX of k-mer indexes and turns on high-frequency exclusion for the build */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/lsyscache.h"

#include "kmersearch.h"

/*
 * With kmersearch.preclude_highfreq_kmer on, a k-mer index leaves out the
 * keys of the high-frequency set that was found for its own table and column.
 * Only CREATE INDEX knows which table an index belongs to, so this hook
 * checks there that the active set is that table's (else ERROR, nothing is
 * built) and lets GIN's extractValue exclude keys only while such a build
 * runs.  Rows inserted later keep all their keys; searches exclude the same
 * set from the query, so results do not depend on it.
 */
static ProcessUtility_hook_type prev_process_utility = NULL;
static bool build_excludes_highfreq = false;

bool
kmersearch_building_with_exclusion(void)
{
	return build_excludes_highfreq;
}

/* Is relid the table the set was analysed for, or a partition of it? */
bool
kmersearch_highfreq_applies_to(const HighfreqIdentity *id, Oid relid, const char *column)
{
	if (strcmp(NameStr(id->column_name), column) != 0)
		return false;
	if (id->table_oid == relid)
		return true;
	if (get_rel_relispartition(relid))
	{
		List	   *ancestors = get_partition_ancestors(relid);
		bool		found = list_member_oid(ancestors, id->table_oid);

		list_free(ancestors);
		return found;
	}
	return false;
}

void
kmersearch_require_highfreq_for(Oid relid, const char *column)
{
	HighfreqIdentity id;

	if (!kmersearch_active_highfreq(&id))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("kmersearch.preclude_highfreq_kmer is on, but no high-frequency k-mer cache for %s.%s matches the current settings",
						get_rel_name(relid), column),
				 errhint("Load one with kmersearch_highfreq_kmer_cache_load('%s', '%s') or kmersearch_parallel_highfreq_kmer_cache_load(), or turn kmersearch.preclude_highfreq_kmer off.",
						 get_rel_name(relid), column)));
	if (!kmersearch_highfreq_applies_to(&id, relid, column))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the loaded high-frequency k-mer cache is for %s.%s, not for %s.%s",
						get_rel_name(id.table_oid) ? get_rel_name(id.table_oid) : "(dropped table)",
						NameStr(id.column_name), get_rel_name(relid), column),
				 errhint("Load the cache for %s.%s, or turn kmersearch.preclude_highfreq_kmer off.",
						 get_rel_name(relid), column)));
}

/* A GIN index whose first column uses one of our operator classes? */
static bool
is_kmer_index_stmt(IndexStmt *stmt, char **column)
{
	IndexElem  *elem;
	char	   *opclass;

	if (stmt->accessMethod == NULL || strcmp(stmt->accessMethod, "gin") != 0 ||
		list_length(stmt->indexParams) < 1)
		return false;
	elem = linitial_node(IndexElem, stmt->indexParams);
	if (elem->name == NULL || elem->opclass == NIL)
		return false;
	opclass = strVal(llast(elem->opclass));
	if (strncmp(opclass, "kmersearch_", 11) != 0)
		return false;
	*column = elem->name;
	return true;
}

static void
kmersearch_process_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
						   ProcessUtilityContext context, ParamListInfo params,
						   QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;
	bool		saved = build_excludes_highfreq;
	bool		excludes = false;
	char	   *column;

	if (kmersearch_preclude_highfreq_kmer && IsA(parsetree, IndexStmt) &&
		is_kmer_index_stmt((IndexStmt *) parsetree, &column))
	{
		Oid			relid = RangeVarGetRelid(((IndexStmt *) parsetree)->relation, NoLock, false);

		kmersearch_require_highfreq_for(relid, column);
		excludes = true;
	}

	build_excludes_highfreq = excludes || saved;
	PG_TRY();
	{
		if (prev_process_utility)
			prev_process_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		build_excludes_highfreq = saved;
	}
	PG_END_TRY();
}

void
kmersearch_install_utility_hook(void)
{
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = kmersearch_process_utility;
}
