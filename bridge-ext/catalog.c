/* catalog.c - finding the extension's own objects wherever it is installed */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "utils/fmgroids.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "kmersearch.h"

/* Schema the extension is installed in; InvalidOid when it is not installed. */
Oid
kmersearch_extension_schema(void)
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
	return schema;
}

/* Schema-qualified, quoted name of one of the extension's tables, for SPI. */
char *
kmersearch_extension_table(const char *table)
{
	Oid			schema = kmersearch_extension_schema();

	if (!OidIsValid(schema))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"pg_kmersearch\" is not installed in this database"),
				 errhint("Run CREATE EXTENSION pg_kmersearch.")));
	return quote_qualified_identifier(get_namespace_name(schema), table);
}
