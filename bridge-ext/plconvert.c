/* plconvert.c - SQL values to MessagePack natives and back, for bridged calls */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "kmersearch.h"
#include "bridge.h"

/*
 * docs/protocol.md: bool, integers (all integer types and the OID types),
 * floats (real, double precision), str (text-like types), bin (bytea),
 * arrays (one dimension, NULL elements as nil), maps (composite values, by
 * column name) and nil for NULL.  Any other type crosses as its text form,
 * which the receiving side parses with the type's input function, so
 * numeric, timestamps or DNA2 work too.
 */

static bool
is_oid_type(Oid typid)
{
	switch (typid)
	{
		case OIDOID:
		case REGPROCOID:
		case REGPROCEDUREOID:
		case REGOPEROID:
		case REGOPERATOROID:
		case REGCLASSOID:
		case REGTYPEOID:
		case REGCONFIGOID:
		case REGDICTIONARYOID:
		case REGNAMESPACEOID:
		case REGROLEOID:
		case REGCOLLATIONOID:
			return true;
		default:
			return false;
	}
}

static void
pack_array(msgpack_packer *pk, Datum value, Oid elemtype)
{
	ArrayType  *array = DatumGetArrayTypeP(value);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("multidimensional arrays cannot cross the kmer worker bridge")));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(array, elemtype, typlen, typbyval, typalign, &elems, &nulls, &n);
	msgpack_pack_array(pk, n);
	for (int i = 0; i < n; i++)
		bridge_pack_datum(pk, elems[i], nulls[i], elemtype);
}

static void
pack_row(msgpack_packer *pk, Datum value)
{
	HeapTupleHeader header = DatumGetHeapTupleHeader(value);
	TupleDesc	tupdesc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(header),
												 HeapTupleHeaderGetTypMod(header));
	HeapTupleData tuple;
	int			ncolumns = 0;

	tuple.t_len = HeapTupleHeaderGetDatumLength(header);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = header;
	for (int i = 0; i < tupdesc->natts; i++)
		if (!TupleDescAttr(tupdesc, i)->attisdropped)
			ncolumns++;
	msgpack_pack_map(pk, ncolumns);
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		bool		isnull;
		Datum		v;

		if (att->attisdropped)
			continue;
		v = heap_getattr(&tuple, i + 1, tupdesc, &isnull);
		bridge_pack_cstring(pk, NameStr(att->attname));
		bridge_pack_datum(pk, v, isnull, att->atttypid);
	}
	ReleaseTupleDesc(tupdesc);
}

void
bridge_pack_datum(msgpack_packer *pk, Datum value, bool isnull, Oid typid)
{
	Oid			base;
	Oid			elemtype;

	if (isnull)
	{
		msgpack_pack_nil(pk);
		return;
	}
	base = getBaseType(typid);
	switch (base)
	{
		case BOOLOID:
			if (DatumGetBool(value))
				msgpack_pack_true(pk);
			else
				msgpack_pack_false(pk);
			return;
		case INT2OID:
			msgpack_pack_int64(pk, DatumGetInt16(value));
			return;
		case INT4OID:
			msgpack_pack_int64(pk, DatumGetInt32(value));
			return;
		case INT8OID:
			msgpack_pack_int64(pk, DatumGetInt64(value));
			return;
		case FLOAT4OID:
			msgpack_pack_float(pk, DatumGetFloat4(value));
			return;
		case FLOAT8OID:
			msgpack_pack_double(pk, DatumGetFloat8(value));
			return;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			{
				text	   *t = DatumGetTextPP(value);

				bridge_pack_text(pk, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
				return;
			}
		case NAMEOID:
			bridge_pack_cstring(pk, NameStr(*DatumGetName(value)));
			return;
		case BYTEAOID:
			{
				bytea	   *b = DatumGetByteaPP(value);

				msgpack_pack_bin(pk, VARSIZE_ANY_EXHDR(b));
				msgpack_pack_bin_body(pk, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
				return;
			}
		default:
			break;
	}
	if (is_oid_type(base))
		msgpack_pack_uint32(pk, DatumGetObjectId(value));
	else if ((elemtype = get_element_type(base)) != InvalidOid)
		pack_array(pk, value, elemtype);
	else if (type_is_rowtype(base))
		pack_row(pk, value);
	else
	{
		Oid			output;
		bool		varlena;

		getTypeOutputInfo(base, &output, &varlena);
		bridge_pack_cstring(pk, OidOutputFunctionCall(output, value));
	}
}

/* ---- MessagePack natives to SQL values ---- */

static const char *
kind_name(const msgpack_object *o)
{
	switch (o->type)
	{
		case MSGPACK_OBJECT_BOOLEAN:
			return "a boolean";
		case MSGPACK_OBJECT_POSITIVE_INTEGER:
		case MSGPACK_OBJECT_NEGATIVE_INTEGER:
			return "an integer";
		case MSGPACK_OBJECT_FLOAT32:
		case MSGPACK_OBJECT_FLOAT64:
			return "a float";
		case MSGPACK_OBJECT_STR:
			return "a string";
		case MSGPACK_OBJECT_BIN:
			return "binary data";
		case MSGPACK_OBJECT_ARRAY:
			return "an array";
		case MSGPACK_OBJECT_MAP:
			return "a map";
		default:
			return "a value";
	}
}

pg_attribute_noreturn() static void
mismatch(const msgpack_object *o, Oid typid)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("the kmer worker sent %s where a value of type %s was expected",
					kind_name(o), format_type_be(typid))));
}

static int64
integer_value(const msgpack_object *o, Oid typid, int64 min, int64 max)
{
	int64		v;

	if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		v = o->via.i64;
	else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= (uint64) PG_INT64_MAX)
		v = (int64) o->via.u64;
	else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		v = PG_INT64_MAX, min = max = 0;	/* out of range below */
	else
		mismatch(o, typid);
	if (v < min || v > max)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the kmer worker sent an integer out of range for type %s", format_type_be(typid))));
	return v;
}

/* The value's text form, for types that are parsed by their input function. */
static char *
scalar_text(const msgpack_object *o, Oid typid)
{
	switch (o->type)
	{
		case MSGPACK_OBJECT_STR:
			return bridge_text_value(o);
		case MSGPACK_OBJECT_BOOLEAN:
			return pstrdup(o->via.boolean ? "true" : "false");
		case MSGPACK_OBJECT_POSITIVE_INTEGER:
			return psprintf(UINT64_FORMAT, o->via.u64);
		case MSGPACK_OBJECT_NEGATIVE_INTEGER:
			return psprintf(INT64_FORMAT, o->via.i64);
		case MSGPACK_OBJECT_FLOAT32:
		case MSGPACK_OBJECT_FLOAT64:
			return DatumGetCString(DirectFunctionCall1(float8out, Float8GetDatum(o->via.f64)));
		default:
			mismatch(o, typid);
	}
}

static Datum
unpack_array(const msgpack_object *o, Oid typid, Oid elemtype)
{
	uint32		n = o->via.array.size;
	Datum	   *elems;
	bool	   *nulls;
	int			dims[1];
	int			lbs[1] = {1};
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (o->type != MSGPACK_OBJECT_ARRAY)
		mismatch(o, typid);
	if (n == 0)
		return PointerGetDatum(construct_empty_array(elemtype));
	elems = palloc(n * sizeof(Datum));
	nulls = palloc(n * sizeof(bool));
	for (uint32 i = 0; i < n; i++)
		elems[i] = bridge_unpack_datum(&o->via.array.ptr[i], elemtype, -1, &nulls[i]);
	dims[0] = (int) n;
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, elemtype, typlen, typbyval, typalign));
}

static Datum
unpack_base(const msgpack_object *o, Oid typid, Oid base, int32 typmod)
{
	Oid			elemtype;

	switch (base)
	{
		case BOOLOID:
			if (o->type != MSGPACK_OBJECT_BOOLEAN)
				mismatch(o, typid);
			return BoolGetDatum(o->via.boolean);
		case INT2OID:
			return Int16GetDatum((int16) integer_value(o, typid, PG_INT16_MIN, PG_INT16_MAX));
		case INT4OID:
			return Int32GetDatum((int32) integer_value(o, typid, PG_INT32_MIN, PG_INT32_MAX));
		case INT8OID:
			return Int64GetDatum(integer_value(o, typid, PG_INT64_MIN, PG_INT64_MAX));
		case FLOAT4OID:
		case FLOAT8OID:
			{
				double		v;

				if (o->type == MSGPACK_OBJECT_FLOAT32 || o->type == MSGPACK_OBJECT_FLOAT64)
					v = o->via.f64;
				else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER || o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
					v = (double) integer_value(o, typid, PG_INT64_MIN, PG_INT64_MAX);
				else
					mismatch(o, typid);
				return base == FLOAT4OID ? Float4GetDatum((float4) v) : Float8GetDatum(v);
			}
		case TEXTOID:
			if (o->type != MSGPACK_OBJECT_STR)
				mismatch(o, typid);
			return PointerGetDatum(cstring_to_text(bridge_text_value(o)));
		case BYTEAOID:
			{
				bytea	   *b;

				if (o->type != MSGPACK_OBJECT_BIN)
					mismatch(o, typid);
				b = palloc(VARHDRSZ + o->via.bin.size);
				SET_VARSIZE(b, VARHDRSZ + o->via.bin.size);
				memcpy(VARDATA(b), o->via.bin.ptr, o->via.bin.size);
				return PointerGetDatum(b);
			}
		default:
			break;
	}
	if (is_oid_type(base) && o->type != MSGPACK_OBJECT_STR)
		return ObjectIdGetDatum((Oid) integer_value(o, typid, 0, PG_UINT32_MAX));
	if ((elemtype = get_element_type(base)) != InvalidOid)
		return unpack_array(o, typid, elemtype);
	if (type_is_rowtype(base))
	{
		TupleDesc	tupdesc;
		HeapTuple	tuple;

		if (o->type != MSGPACK_OBJECT_MAP)
			mismatch(o, typid);
		tupdesc = lookup_rowtype_tupdesc_copy(base, typmod);
		tuple = bridge_unpack_row(o, tupdesc);
		return HeapTupleGetDatum(tuple);
	}
	if (o->type == MSGPACK_OBJECT_ARRAY || o->type == MSGPACK_OBJECT_MAP || o->type == MSGPACK_OBJECT_BIN)
		mismatch(o, typid);
	{
		Oid			input;
		Oid			ioparam;

		getTypeInputInfo(base, &input, &ioparam);
		return OidInputFunctionCall(input, scalar_text(o, typid), ioparam, typmod);
	}
}

/* Converts a received value to typid (domains checked); nil is SQL NULL. */
Datum
bridge_unpack_datum(const msgpack_object *o, Oid typid, int32 typmod, bool *isnull)
{
	int32		base_typmod = typmod;
	Oid			base;
	Datum		value;

	*isnull = o->type == MSGPACK_OBJECT_NIL;
	base = getBaseTypeAndTypmod(typid, &base_typmod);
	value = *isnull ? (Datum) 0 : unpack_base(o, typid, base, base_typmod);
	if (base != typid)
		domain_check(value, *isnull, typid, NULL, NULL);
	return value;
}

/* A map, by column name, as a tuple of tupdesc; every column must be present. */
HeapTuple
bridge_unpack_row(const msgpack_object *o, TupleDesc tupdesc)
{
	Datum	   *values = palloc(tupdesc->natts * sizeof(Datum));
	bool	   *nulls = palloc(tupdesc->natts * sizeof(bool));

	if (o->type != MSGPACK_OBJECT_MAP)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the kmer worker sent %s where a row was expected", kind_name(o))));
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		const char *name = NameStr(att->attname);
		const msgpack_object *v;

		if (att->attisdropped)
		{
			values[i] = (Datum) 0;
			nulls[i] = true;
			continue;
		}
		v = bridge_field(o, pg_server_to_any(name, strlen(name), PG_UTF8));
		if (v == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("the kmer worker sent a row without column \"%s\"", name)));
		values[i] = bridge_unpack_datum(v, att->atttypid, att->atttypmod, &nulls[i]);
	}
	return heap_form_tuple(tupdesc, values, nulls);
}
