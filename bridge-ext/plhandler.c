/* plhandler.c - the kmersearch_bridge language: call handler, validator and the call's state machine */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "kmersearch.h"
#include "bridge.h"

/*
 * A bridged function's body names a handler of the .NET worker pool.  One
 * call is a small state machine over the backend's pool connection:
 *
 *   connect (once per backend: socket, hello/welcome)
 *   SENT     the call went out with its arguments and the caller's context
 *   WAITING  for the pool: notice -> raised here; spi -> run in this
 *            transaction, answered with spi_result; result or error -> DONE
 *   DONE     the pool has ended the call; the connection is ready again
 *
 * An error thrown before DONE (query cancel, statement_timeout, a failing
 * SPI statement, a conversion error) abandons the call: a cancel is sent if
 * the socket takes it at once, and the connection is closed, which the pool
 * also treats as a cancel.  The next call connects again.
 */

typedef enum CallState
{
	CALL_SENT,
	CALL_WAITING,
	CALL_DONE
} CallState;

/* What a call needs to know about its function, cached in fn_extra. */
typedef struct BridgedFunction
{
	char	   *name;
	char	   *handler;
	int			nargs;
	Oid		   *argtypes;
	bool		retset;
} BridgedFunction;

typedef struct BridgeCall
{
	BridgedFunction *fn;
	int64		id;
	CallState	state;
	int64		last_seq;
	bool		spi_connected;
	bool		quiet_context;	/* no CONTEXT line while relaying notices */
	char	   *during;
} BridgeCall;

/* Settings besides kmersearch.* that the pool's work depends on (connecting back, parallelism, time limits). */
static const char *const context_settings[] = {
	"port", "unix_socket_directories", "max_parallel_maintenance_workers",
	"maintenance_work_mem", "work_mem", "lock_timeout", "statement_timeout",
	"temp_tablespaces", "server_version_num", "TimeZone", "DateStyle",
};

static bool call_in_progress = false;

/* ---- the function ---- */

static Datum
procedure_source(HeapTuple tuple)
{
	bool		isnull;
	Datum		src = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_prosrc, &isnull);

	if (isnull)
		elog(ERROR, "null prosrc for a kmersearch_bridge function");
	return src;
}

static BridgedFunction *
lookup_function(FunctionCallInfo fcinfo)
{
	FmgrInfo   *flinfo = fcinfo->flinfo;
	BridgedFunction *fn = flinfo->fn_extra;
	HeapTuple	tuple;
	Form_pg_proc proc;
	Datum		src;
	MemoryContext old;

	if (fn != NULL)
		return fn;
	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(flinfo->fn_oid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for function %u", flinfo->fn_oid);
	proc = (Form_pg_proc) GETSTRUCT(tuple);
	src = procedure_source(tuple);

	old = MemoryContextSwitchTo(flinfo->fn_mcxt);
	fn = palloc0(sizeof(BridgedFunction));
	fn->name = pstrdup(NameStr(proc->proname));
	fn->handler = TextDatumGetCString(src);
	fn->retset = proc->proretset;
	fn->nargs = proc->pronargs;
	fn->argtypes = palloc(Max(fn->nargs, 1) * sizeof(Oid));
	for (int i = 0; i < fn->nargs; i++)
	{
		/* Polymorphic parameters take the type of the actual argument. */
		Oid			actual = get_fn_expr_argtype(flinfo, i);

		fn->argtypes[i] = OidIsValid(actual) ? actual : proc->proargtypes.values[i];
	}
	MemoryContextSwitchTo(old);
	ReleaseSysCache(tuple);
	flinfo->fn_extra = fn;
	return fn;
}

static void
call_error_context(void *arg)
{
	BridgeCall *call = arg;

	if (!call->quiet_context)
		errcontext("bridged function %s (kmer worker handler \"%s\")", call->fn->name, call->fn->handler);
}

/* ---- the call message ---- */

static char *
export_snapshot(void)
{
	if (IsSubTransaction())
	{
		elog(DEBUG1, "kmer bridge: no snapshot exported for the call: PostgreSQL cannot export one inside a subtransaction");
		return NULL;
	}
	if (!ActiveSnapshotSet())
	{
		elog(DEBUG1, "kmer bridge: no snapshot exported for the call: there is no active snapshot");
		return NULL;
	}
	return ExportSnapshot(GetActiveSnapshot());
}

/* One setting; var (when known) lets reals go out with every digit. */
static void
pack_setting(msgpack_packer *pk, const char *name, struct config_generic *var, int *count)
{
	const char *value = GetConfigOption(name, true, false);
	char		exact[64];

	/* GetConfigOption prints reals with 6 digits; the pool needs the value the session uses. */
	if (var != NULL && var->vartype == PGC_REAL)
	{
		snprintf(exact, sizeof(exact), "%.17g", *((struct config_real *) var)->variable);
		value = exact;
	}

	if (value == NULL)
		return;
	if (pk != NULL)
	{
		bridge_pack_cstring(pk, name);
		bridge_pack_cstring(pk, value);
	}
	(*count)++;
}

/* Every kmersearch.* setting and the context_settings, in their base units (as GetConfigOption shows them, reals exactly). */
static void
pack_settings(msgpack_packer *pk)
{
	int			nvars;
	struct config_generic **vars;
	int			count = 0;

#if PG_VERSION_NUM >= 160000
	vars = get_guc_variables(&nvars);
#else
	vars = get_guc_variables();
	nvars = GetNumConfigOptions();
#endif
	/* First count, then pack: the map header comes first. */
	for (int pass = 0; pass < 2; pass++)
	{
		if (pass == 1)
			msgpack_pack_map(pk, count);
		for (int i = 0; i < nvars; i++)
			if (strncmp(vars[i]->name, "kmersearch.", 11) == 0 && !(vars[i]->flags & GUC_CUSTOM_PLACEHOLDER))
				pack_setting(pass == 1 ? pk : NULL, vars[i]->name, vars[i], &count);
		for (size_t i = 0; i < lengthof(context_settings); i++)
			pack_setting(pass == 1 ? pk : NULL, context_settings[i], NULL, &count);
	}
}

static void
pack_context(msgpack_packer *pk)
{
	char	   *snapshot = export_snapshot();
	char	   *database = get_database_name(MyDatabaseId);

	msgpack_pack_map(pk, 7);
	bridge_pack_key(pk, "database");
	bridge_pack_cstring(pk, database ? database : "");
	bridge_pack_key(pk, "database_oid");
	msgpack_pack_uint32(pk, MyDatabaseId);
	bridge_pack_key(pk, "user");
	bridge_pack_cstring(pk, GetUserNameFromId(GetUserId(), false));
	bridge_pack_key(pk, "search_path");
	bridge_pack_cstring(pk, GetConfigOption("search_path", false, false));
	bridge_pack_key(pk, "backend_pid");
	msgpack_pack_int64(pk, MyProcPid);
	bridge_pack_key(pk, "snapshot");
	if (snapshot)
		bridge_pack_cstring(pk, snapshot);
	else
		msgpack_pack_nil(pk);
	bridge_pack_key(pk, "settings");
	pack_settings(pk);
}

static void
send_call(BridgeCall *call, FunctionCallInfo fcinfo)
{
	BridgeMessage msg;

	bridge_message_begin(&msg, "call", 5);
	bridge_pack_key(&msg.pk, "id");
	msgpack_pack_int64(&msg.pk, call->id);
	bridge_pack_key(&msg.pk, "handler");
	bridge_pack_cstring(&msg.pk, call->fn->handler);
	bridge_pack_key(&msg.pk, "args");
	msgpack_pack_array(&msg.pk, call->fn->nargs);
	for (int i = 0; i < call->fn->nargs; i++)
		bridge_pack_datum(&msg.pk, fcinfo->args[i].value, fcinfo->args[i].isnull, call->fn->argtypes[i]);
	bridge_pack_key(&msg.pk, "context");
	pack_context(&msg.pk);
	bridge_send(&msg);
	call->state = CALL_SENT;
}

/* ---- messages the pool sends during a call ---- */

static void
check_call_id(BridgeCall *call, const msgpack_object *msg)
{
	int64		id = bridge_int_field(msg, "id");

	if (id != call->id)
		bridge_protocol_error("a \"%s\" message for call " INT64_FORMAT " arrived during call " INT64_FORMAT,
							  bridge_type(msg), id, call->id);
}

static void
relay_notice(BridgeCall *call, const msgpack_object *msg)
{
	char	   *level = bridge_str_field(msg, "level", false);
	char	   *message = bridge_str_field(msg, "message", false);
	char	   *detail = bridge_str_field(msg, "detail", true);
	char	   *hint = bridge_str_field(msg, "hint", true);
	int			elevel;

	if (strcmp(level, "DEBUG") == 0)
		elevel = DEBUG1;
	else if (strcmp(level, "INFO") == 0)
		elevel = INFO;
	else if (strcmp(level, "NOTICE") == 0)
		elevel = NOTICE;
	else if (strcmp(level, "WARNING") == 0)
		elevel = WARNING;
	else
		bridge_protocol_error("\"%s\" is not a notice level", level);
	call->quiet_context = true;
	ereport(elevel,
			(errmsg_internal("%s", message),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0));
	call->quiet_context = false;
}

/* Tells the pool that its statement failed (best effort: the connection is closed right after). */
static void
send_spi_error(BridgeCall *call, int64 seq, ErrorData *edata)
{
	BridgeMessage msg;
	char		sqlstate[6];

	memcpy(sqlstate, unpack_sql_state(edata->sqlerrcode), 6);
	bridge_message_begin(&msg, "spi_error", 7);
	bridge_pack_key(&msg.pk, "id");
	msgpack_pack_int64(&msg.pk, call->id);
	bridge_pack_key(&msg.pk, "seq");
	msgpack_pack_int64(&msg.pk, seq);
	bridge_pack_key(&msg.pk, "sqlstate");
	bridge_pack_cstring(&msg.pk, sqlstate);
	bridge_pack_key(&msg.pk, "message");
	bridge_pack_cstring(&msg.pk, edata->message ? edata->message : "");
	bridge_pack_key(&msg.pk, "detail");
	if (edata->detail)
		bridge_pack_cstring(&msg.pk, edata->detail);
	else
		msgpack_pack_nil(&msg.pk);
	bridge_pack_key(&msg.pk, "hint");
	if (edata->hint)
		bridge_pack_cstring(&msg.pk, edata->hint);
	else
		msgpack_pack_nil(&msg.pk);
	(void) bridge_send_nowait(&msg);
}

static void
send_spi_result(BridgeCall *call, int64 seq)
{
	SPITupleTable *table = SPI_tuptable;
	TupleDesc	tupdesc = table ? table->tupdesc : NULL;
	int			ncolumns = 0;
	BridgeMessage msg;

	if (tupdesc)
		for (int i = 0; i < tupdesc->natts; i++)
			if (!TupleDescAttr(tupdesc, i)->attisdropped)
				ncolumns++;

	bridge_message_begin(&msg, "spi_result", 6);
	bridge_pack_key(&msg.pk, "id");
	msgpack_pack_int64(&msg.pk, call->id);
	bridge_pack_key(&msg.pk, "seq");
	msgpack_pack_int64(&msg.pk, seq);
	bridge_pack_key(&msg.pk, "rows_affected");
	msgpack_pack_uint64(&msg.pk, SPI_processed);
	bridge_pack_key(&msg.pk, "columns");
	msgpack_pack_array(&msg.pk, ncolumns);
	for (int i = 0; tupdesc && i < tupdesc->natts; i++)
		if (!TupleDescAttr(tupdesc, i)->attisdropped)
			bridge_pack_cstring(&msg.pk, NameStr(TupleDescAttr(tupdesc, i)->attname));
	bridge_pack_key(&msg.pk, "rows");
	if (table == NULL)
		msgpack_pack_array(&msg.pk, 0);
	else
	{
		msgpack_pack_array(&msg.pk, SPI_processed);
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			msgpack_pack_array(&msg.pk, ncolumns);
			for (int i = 0; i < tupdesc->natts; i++)
			{
				bool		isnull;
				Datum		v;

				if (TupleDescAttr(tupdesc, i)->attisdropped)
					continue;
				v = SPI_getbinval(table->vals[r], tupdesc, i + 1, &isnull);
				bridge_pack_datum(&msg.pk, v, isnull, TupleDescAttr(tupdesc, i)->atttypid);
			}
		}
		SPI_freetuptable(table);
	}
	bridge_send(&msg);
	pfree(msg.buf.data);
}

/* An spi request: run the statement in the caller's transaction, as the caller, and answer. */
static void
run_spi(BridgeCall *call, const msgpack_object *msg)
{
	int64		seq = bridge_int_field(msg, "seq");
	char	   *sql = bridge_str_field(msg, "sql", false);
	const msgpack_object *params = bridge_field(msg, "params");
	const msgpack_object *types = bridge_field(msg, "param_types");
	const msgpack_object *read_only = bridge_field(msg, "read_only");
	int			nparams;
	Oid		   *argtypes;
	Datum	   *values;
	char	   *nulls;
	int			ret;

	if (seq <= call->last_seq)
		bridge_protocol_error("spi seq " INT64_FORMAT " does not follow " INT64_FORMAT, seq, call->last_seq);
	call->last_seq = seq;
	if (params == NULL || params->type != MSGPACK_OBJECT_ARRAY ||
		types == NULL || types->type != MSGPACK_OBJECT_ARRAY ||
		read_only == NULL || read_only->type != MSGPACK_OBJECT_BOOLEAN)
		bridge_protocol_error("an \"spi\" message lacks params, param_types or read_only");
	if (params->via.array.size != types->via.array.size)
		bridge_protocol_error("an \"spi\" message has %u params but %u param_types",
							  params->via.array.size, types->via.array.size);

	nparams = (int) params->via.array.size;
	argtypes = palloc(Max(nparams, 1) * sizeof(Oid));
	values = palloc(Max(nparams, 1) * sizeof(Datum));
	nulls = palloc(Max(nparams, 1) * sizeof(char));
	for (int i = 0; i < nparams; i++)
	{
		const msgpack_object *t = &types->via.array.ptr[i];
		bool		isnull;

		if (t->type != MSGPACK_OBJECT_STR)
			bridge_protocol_error("an \"spi\" param_types entry is not a string");
		argtypes[i] = DatumGetObjectId(DirectFunctionCall1(regtypein, CStringGetDatum(bridge_text_value(t))));
		values[i] = bridge_unpack_datum(&params->via.array.ptr[i], argtypes[i], -1, &isnull);
		nulls[i] = isnull ? 'n' : ' ';
	}

	if (!call->spi_connected)
	{
		MemoryContext cxt = CurrentMemoryContext;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		MemoryContextSwitchTo(cxt);
		call->spi_connected = true;
	}

	PG_TRY();
	{
		ret = SPI_execute_with_args(sql, nparams, argtypes, values, nulls, read_only->via.boolean, 0);
		if (ret < 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("a statement from the kmer worker cannot run inside a function: %s",
							SPI_result_code_string(ret))));
	}
	PG_CATCH();
	{
		/* The transaction is failing: its context outlives this and is freed by the abort. */
		MemoryContext cxt = MemoryContextSwitchTo(TopTransactionContext);

		send_spi_error(call, seq, CopyErrorData());
		MemoryContextSwitchTo(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	send_spi_result(call, seq);
}

static Datum
return_set(BridgeCall *call, FunctionCallInfo fcinfo, const msgpack_object *value)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			rettype;
	TupleDesc	tupdesc;
	TypeFuncClass cls;
	Tuplestorestate *store;
	MemoryContext old;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) || !(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (value->type != MSGPACK_OBJECT_NIL && value->type != MSGPACK_OBJECT_ARRAY)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the kmer worker sent a single value where a set of rows was expected")));

	cls = get_call_result_type(fcinfo, &rettype, &tupdesc);
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if (cls == TYPEFUNC_COMPOSITE || cls == TYPEFUNC_COMPOSITE_DOMAIN)
		tupdesc = CreateTupleDescCopy(tupdesc);
	else if (cls == TYPEFUNC_SCALAR)
	{
		tupdesc = CreateTemplateTupleDesc(1);
		TupleDescInitEntry(tupdesc, 1, call->fn->name, rettype, -1, 0);
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));
	store = tuplestore_begin_heap(rsinfo->allowedModes & SFRM_Materialize_Random, false, work_mem);
	MemoryContextSwitchTo(old);

	for (uint32 i = 0; value->type == MSGPACK_OBJECT_ARRAY && i < value->via.array.size; i++)
	{
		const msgpack_object *row = &value->via.array.ptr[i];

		if (cls == TYPEFUNC_SCALAR)
		{
			bool		isnull;
			Datum		v = bridge_unpack_datum(row, rettype, -1, &isnull);

			tuplestore_putvalues(store, tupdesc, &v, &isnull);
		}
		else
			tuplestore_puttuple(store, bridge_unpack_row(row, tupdesc));
	}
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = tupdesc;
	return (Datum) 0;
}

static Datum
return_value(BridgeCall *call, FunctionCallInfo fcinfo, const msgpack_object *value)
{
	Oid			rettype;
	TupleDesc	tupdesc;
	TypeFuncClass cls;

	if (call->fn->retset)
		return return_set(call, fcinfo, value);
	cls = get_call_result_type(fcinfo, &rettype, &tupdesc);
	if (rettype == VOIDOID)
		return (Datum) 0;
	if (value->type == MSGPACK_OBJECT_NIL)
	{
		fcinfo->isnull = true;
		return (Datum) 0;
	}
	if (cls == TYPEFUNC_COMPOSITE || cls == TYPEFUNC_COMPOSITE_DOMAIN)
		return HeapTupleGetDatum(bridge_unpack_row(value, BlessTupleDesc(tupdesc)));
	if (cls != TYPEFUNC_SCALAR)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));
	return bridge_unpack_datum(value, rettype, -1, &fcinfo->isnull);
}

static void
finish_spi(BridgeCall *call)
{
	if (call->spi_connected)
	{
		call->spi_connected = false;
		if (SPI_finish() != SPI_OK_FINISH)
			elog(ERROR, "SPI_finish failed");
	}
}

/* Serves the pool's messages until it ends the call. */
static Datum
run_call(BridgeCall *call, FunctionCallInfo fcinfo, MemoryContext caller_cxt)
{
	call->state = CALL_WAITING;
	for (;;)
	{
		const msgpack_object *msg = bridge_receive(call->during);
		const msgpack_object *id;

		if (bridge_type_is(msg, "notice"))
		{
			check_call_id(call, msg);
			relay_notice(call, msg);
		}
		else if (bridge_type_is(msg, "spi"))
		{
			check_call_id(call, msg);
			run_spi(call, msg);
		}
		else if (bridge_type_is(msg, "result"))
		{
			const msgpack_object *value = bridge_field(msg, "value");

			check_call_id(call, msg);
			if (value == NULL)
				bridge_protocol_error("a \"result\" message lacks \"value\"");
			call->state = CALL_DONE;
			finish_spi(call);
			MemoryContextSwitchTo(caller_cxt);
			return return_value(call, fcinfo, value);
		}
		else if (bridge_type_is(msg, "error"))
		{
			id = bridge_field(msg, "id");
			if (id == NULL)
				bridge_protocol_error("an \"error\" message lacks \"id\"");
			if (id->type == MSGPACK_OBJECT_NIL)
			{
				/* About the connection, not the call: the pool closes it. */
				bridge_raise_error(msg, true);
			}
			check_call_id(call, msg);
			call->state = CALL_DONE;
			bridge_raise_error(msg, false);
		}
		else
			bridge_protocol_error("unexpected \"%s\" message during a call", bridge_type(msg));
	}
}

/* The call ended by an error of ours before the pool ended it: cancel it and drop the connection. */
static void
abandon_call(BridgeCall *call)
{
	BridgeMessage msg;

	if (call->state == CALL_DONE || !bridge_connected())
		return;
	PG_TRY();
	{
		bridge_message_begin(&msg, "cancel", 2);
		bridge_pack_key(&msg.pk, "id");
		msgpack_pack_int64(&msg.pk, call->id);
		(void) bridge_send_nowait(&msg);
	}
	PG_FINALLY();
	{
		bridge_disconnect();
	}
	PG_END_TRY();
}

PG_FUNCTION_INFO_V1(kmersearch_bridge_call_handler);
Datum
kmersearch_bridge_call_handler(PG_FUNCTION_ARGS)
{
	MemoryContext caller_cxt = CurrentMemoryContext;
	MemoryContext call_cxt;
	BridgeCall	call;
	ErrorContextCallback errctx;
	Datum		result = (Datum) 0;

	if (CALLED_AS_TRIGGER(fcinfo) || CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("bridged functions cannot be triggers")));

	/*
	 * One call at a time per backend: a bridged function reached from inside
	 * another one (an SPI statement of the pool, a domain check of a result)
	 * would interleave with it on the same connection.
	 */
	if (call_in_progress)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a bridged function cannot be called while another bridged call is running in this session")));

	memset(&call, 0, sizeof(call));
	call.fn = lookup_function(fcinfo);
	errctx.callback = call_error_context;
	errctx.arg = &call;
	errctx.previous = error_context_stack;
	error_context_stack = &errctx;

	call_cxt = AllocSetContextCreate(caller_cxt, "kmersearch bridge call", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(call_cxt);
	call.during = psprintf("during the call to %s", call.fn->name);
	bridge_connect();
	call.id = bridge_next_call_id();
	call_in_progress = true;
	PG_TRY();
	{
		send_call(&call, fcinfo);
		result = run_call(&call, fcinfo, caller_cxt);
	}
	PG_CATCH();
	{
		call_in_progress = false;
		abandon_call(&call);
		PG_RE_THROW();
	}
	PG_END_TRY();
	call_in_progress = false;

	MemoryContextSwitchTo(caller_cxt);
	MemoryContextDelete(call_cxt);
	error_context_stack = errctx.previous;
	return result;
}

/* Body: a handler name such as kmersearch_worker_status or diagnostics.echo. */
static bool
valid_handler_name(const char *s)
{
	bool		at_start = true;

	for (; *s; s++)
	{
		if (*s == '.' && !at_start)
			at_start = true;
		else if ((*s >= 'a' && *s <= 'z') || *s == '_' || (!at_start && *s >= '0' && *s <= '9'))
			at_start = false;
		else
			return false;
	}
	return !at_start;
}

PG_FUNCTION_INFO_V1(kmersearch_bridge_validator);
Datum
kmersearch_bridge_validator(PG_FUNCTION_ARGS)
{
	Oid			funcoid = PG_GETARG_OID(0);
	HeapTuple	tuple;
	Form_pg_proc proc;
	char	   *handler;

	if (!CheckFunctionValidatorAccess(fcinfo->flinfo->fn_oid, funcoid))
		PG_RETURN_VOID();
	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcoid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for function %u", funcoid);
	proc = (Form_pg_proc) GETSTRUCT(tuple);
	handler = TextDatumGetCString(procedure_source(tuple));
	if (!valid_handler_name(handler))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg("the body of a kmersearch_bridge function must be a kmer worker handler name, not \"%s\"", handler),
				 errhint("Handler names are lowercase words of letters, digits and underscores, separated by dots.")));
	for (int i = 0; i < proc->pronargs; i++)
	{
		Oid			t = proc->proargtypes.values[i];

		if (get_typtype(t) == TYPTYPE_PSEUDO && !IsPolymorphicType(t))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
					 errmsg("bridged functions cannot take type %s", format_type_be(t))));
	}
	if (get_typtype(proc->prorettype) == TYPTYPE_PSEUDO && !IsPolymorphicType(proc->prorettype) &&
		proc->prorettype != VOIDOID && proc->prorettype != RECORDOID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg("bridged functions cannot return type %s", format_type_be(proc->prorettype))));
	ReleaseSysCache(tuple);
	PG_RETURN_VOID();
}
