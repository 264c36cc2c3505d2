/* bridge.h - private interface between the bridge files (bridge.c, plhandler.c, plconvert.c) */
#ifndef KMERSEARCH_BRIDGE_H
#define KMERSEARCH_BRIDGE_H

#include "postgres.h"

#include <msgpack.h>

#include "access/htup.h"
#include "access/tupdesc.h"
#include "lib/stringinfo.h"

/* The bridge protocol version this extension speaks (docs/protocol.md). */
#define BRIDGE_PROTOCOL_VERSION 1

/* Frames hold 1 byte to 64 MiB. */
#define BRIDGE_MAX_FRAME	(64 * 1024 * 1024)

/*
 * An outgoing message: a packer writing into a palloc'd buffer whose first
 * four bytes are reserved for the frame length.
 */
typedef struct BridgeMessage
{
	StringInfoData buf;
	msgpack_packer pk;
} BridgeMessage;

/* bridge.c: building messages */
extern void bridge_message_begin(BridgeMessage *msg, const char *type, int nfields);
extern void bridge_pack_cstring(msgpack_packer *pk, const char *s);
extern void bridge_pack_text(msgpack_packer *pk, const char *s, int len);
extern void bridge_pack_key(msgpack_packer *pk, const char *key);

/* bridge.c: the connection to the pool */
extern void bridge_connect(void);
extern void bridge_send(BridgeMessage *msg);
extern bool bridge_send_nowait(BridgeMessage *msg);
extern const msgpack_object *bridge_receive(const char *during);
extern void bridge_disconnect(void);
extern bool bridge_connected(void);
extern int64 bridge_next_call_id(void);

/* bridge.c: reading received messages (already validated structurally) */
extern const msgpack_object *bridge_field(const msgpack_object *map, const char *key);
extern bool bridge_type_is(const msgpack_object *msg, const char *type);
extern char *bridge_type(const msgpack_object *msg);
extern int64 bridge_int_field(const msgpack_object *msg, const char *key);
extern char *bridge_str_field(const msgpack_object *msg, const char *key, bool optional);
extern char *bridge_text_value(const msgpack_object *o);
pg_attribute_noreturn() extern void bridge_raise_error(const msgpack_object *msg, bool disconnect);
pg_attribute_noreturn() extern void bridge_protocol_error(const char *fmt,...) pg_attribute_printf(1, 2);

/* plconvert.c: SQL values <-> MessagePack natives */
extern void bridge_pack_datum(msgpack_packer *pk, Datum value, bool isnull, Oid typid);
extern Datum bridge_unpack_datum(const msgpack_object *o, Oid typid, int32 typmod, bool *isnull);
extern HeapTuple bridge_unpack_row(const msgpack_object *o, TupleDesc tupdesc);

#endif							/* KMERSEARCH_BRIDGE_H */
