/* bridge.c - the connection to the .NET worker pool: socket, frames, handshake, message checks */
#include "postgres.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "kmersearch.h"
#include "bridge.h"

/*
 * One connection per backend, opened by the first bridged call and kept for
 * the next ones.  Every wait goes through the latch, so query cancel,
 * statement_timeout, termination and postmaster death interrupt it; an error
 * thrown while a frame is half-written or a call is unfinished leaves the
 * connection in an unknown state, so the callers close it (the pool treats
 * a closed connection as a cancel of its call) and the next call reconnects.
 */

#define HANDSHAKE_TIMEOUT_MS	10000
#define READ_AHEAD_SIZE			65536
#define MAX_NESTING				64

static pgsocket bridge_sock = PGINVALID_SOCKET;
static int64 last_call_id = 0;

/* Bytes received but not consumed yet. */
static char read_ahead[READ_AHEAD_SIZE];
static size_t read_pos = 0;
static size_t read_len = 0;

/* The last frame received and its parsed form, which points into it. */
static char *frame_buf = NULL;
static size_t frame_cap = 0;
static msgpack_unpacked unpacked;
static bool unpacked_live = false;

const char *
kmersearch_pool_socket_path(void)
{
	static char path[MAXPGPATH];

	if (kmersearch_worker_socket_path && kmersearch_worker_socket_path[0] != '\0')
		return kmersearch_worker_socket_path;
	snprintf(path, sizeof(path), "%s/kmer-worker.sock", DataDir);
	return path;
}

bool
bridge_connected(void)
{
	return bridge_sock != PGINVALID_SOCKET;
}

int64
bridge_next_call_id(void)
{
	return ++last_call_id;
}

void
bridge_disconnect(void)
{
	if (bridge_sock != PGINVALID_SOCKET)
		close(bridge_sock);
	bridge_sock = PGINVALID_SOCKET;
	read_pos = read_len = 0;
	if (unpacked_live)
		msgpack_unpacked_destroy(&unpacked);
	unpacked_live = false;
}

static const char *
autostart_hint(void)
{
	return kmersearch_worker_autostart
		? "The server starts the pool itself (kmersearch.worker_autostart is on); see kmer-worker.log in the data directory and the server log, or run \"kmer-cli doctor\"."
		: "kmersearch.worker_autostart is off, so an external pool is expected: start it (systemctl start kmer-worker) or set kmersearch.worker_autostart = on.";
}

pg_attribute_noreturn() static void
connection_lost(const char *during, int err)
{
	bridge_disconnect();
	ereport(ERROR,
			(errcode(ERRCODE_CONNECTION_FAILURE),
			 err == 0
			 ? errmsg("the kmer worker pool closed the connection %s", during)
			 : errmsg("lost the connection to the kmer worker pool %s: %s", during, strerror(err)),
			 errhint("The pool may have stopped or crashed. %s", autostart_hint())));
}

void
bridge_protocol_error(const char *fmt,...)
{
	char		buf[512];
	va_list		args;

	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	bridge_disconnect();
	ereport(ERROR,
			(errcode(ERRCODE_PROTOCOL_VIOLATION),
			 errmsg("the kmer worker pool broke the bridge protocol: %s", buf),
			 errhint("Install matching versions of the pg_kmersearch extension and the kmer worker.")));
}

/* Waits until the socket is ready for event, or the latch is set; deadline 0 waits without a limit. */
static void
wait_socket(int event, TimestampTz deadline, const char *during)
{
	long		timeout = -1;
	int			rc;

	if (deadline != 0)
	{
		timeout = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
		if (timeout <= 0)
		{
			bridge_disconnect();
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("the kmer worker pool did not answer %s within %d seconds", during, HANDSHAKE_TIMEOUT_MS / 1000),
					 errhint("Check that the process listening on \"%s\" is the kmer worker; run \"kmer-cli doctor\".",
							 kmersearch_pool_socket_path())));
		}
	}
	rc = WaitLatchOrSocket(MyLatch,
						   WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | event | (timeout >= 0 ? WL_TIMEOUT : 0),
						   bridge_sock, timeout, PG_WAIT_EXTENSION);
	if (rc & WL_LATCH_SET)
	{
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

static void
read_exact(char *dst, size_t n, TimestampTz deadline, const char *during)
{
	while (n > 0)
	{
		size_t		take;

		if (read_pos == read_len)
		{
			ssize_t		r = recv(bridge_sock, read_ahead, sizeof(read_ahead), MSG_DONTWAIT);

			if (r > 0)
			{
				read_pos = 0;
				read_len = (size_t) r;
			}
			else if (r == 0)
				connection_lost(during, 0);
			else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				wait_socket(WL_SOCKET_READABLE, deadline, during);
			else
				connection_lost(during, errno);
			continue;
		}
		take = Min(n, read_len - read_pos);
		memcpy(dst, read_ahead + read_pos, take);
		read_pos += take;
		dst += take;
		n -= take;
	}
}

/* ---- building messages ---- */

static int
append_to_buffer(void *data, const char *buf, size_t len)
{
	appendBinaryStringInfo((StringInfo) data, buf, (int) len);
	return 0;
}

void
bridge_message_begin(BridgeMessage *msg, const char *type, int nfields)
{
	initStringInfo(&msg->buf);
	appendBinaryStringInfo(&msg->buf, "\0\0\0\0", 4);	/* the length, set by send */
	msgpack_packer_init(&msg->pk, &msg->buf, append_to_buffer);
	msgpack_pack_map(&msg->pk, nfields);
	bridge_pack_key(&msg->pk, "type");
	bridge_pack_cstring(&msg->pk, type);
}

void
bridge_pack_key(msgpack_packer *pk, const char *key)
{
	size_t		len = strlen(key);

	msgpack_pack_str(pk, len);
	msgpack_pack_str_body(pk, key, len);
}

/* Packs server-encoded text as UTF-8, the protocol's encoding. */
void
bridge_pack_text(msgpack_packer *pk, const char *s, int len)
{
	char	   *utf8 = pg_server_to_any(s, len, PG_UTF8);

	if (utf8 != s)
		len = strlen(utf8);
	else if (GetDatabaseEncoding() == PG_SQL_ASCII)
		(void) pg_verify_mbstr(PG_UTF8, s, len, false);
	msgpack_pack_str(pk, len);
	msgpack_pack_str_body(pk, utf8, len);
	if (utf8 != s)
		pfree(utf8);
}

void
bridge_pack_cstring(msgpack_packer *pk, const char *s)
{
	bridge_pack_text(pk, s, strlen(s));
}

/* Puts the frame length in front of the message; nothing is sent when it is too large. */
static void
finish_frame(BridgeMessage *msg)
{
	uint32		len = (uint32) (msg->buf.len - 4);

	if ((size_t) msg->buf.len - 4 > BRIDGE_MAX_FRAME)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a message to the kmer worker pool would be %d bytes, more than the limit of %d",
						msg->buf.len - 4, BRIDGE_MAX_FRAME)));
	msg->buf.data[0] = (char) (len >> 24);
	msg->buf.data[1] = (char) (len >> 16);
	msg->buf.data[2] = (char) (len >> 8);
	msg->buf.data[3] = (char) len;
}

void
bridge_send(BridgeMessage *msg)
{
	size_t		off = 0;

	finish_frame(msg);
	while (off < (size_t) msg->buf.len)
	{
		ssize_t		r = send(bridge_sock, msg->buf.data + off, msg->buf.len - off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (r > 0)
			off += (size_t) r;
		else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			wait_socket(WL_SOCKET_WRITEABLE, 0, "while sending to it");
		else
			connection_lost("while sending to it", r < 0 ? errno : 0);
	}
}

/* One attempt, never waiting: true when the whole frame went out. */
bool
bridge_send_nowait(BridgeMessage *msg)
{
	ssize_t		r;

	if (bridge_sock == PGINVALID_SOCKET)
		return false;
	finish_frame(msg);
	r = send(bridge_sock, msg->buf.data, msg->buf.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	return r == msg->buf.len;
}

/* ---- checking received messages ---- */

static int
compare_keys(const void *a, const void *b)
{
	const msgpack_object_str *x = *(const msgpack_object_str *const *) a;
	const msgpack_object_str *y = *(const msgpack_object_str *const *) b;
	int			c = memcmp(x->ptr, y->ptr, Min(x->size, y->size));

	return c != 0 ? c : (x->size > y->size) - (x->size < y->size);
}

static void
check_string(const msgpack_object_str *s)
{
	if (pg_encoding_verifymbstr(PG_UTF8, s->ptr, s->size) != (int) s->size)
		bridge_protocol_error("a string is not valid UTF-8 (or holds a NUL byte)");
}

/* The rules of docs/protocol.md that hold for every value of every message. */
static void
check_value(const msgpack_object *o, int depth)
{
	if (depth > MAX_NESTING)
		bridge_protocol_error("a value is nested deeper than %d levels", MAX_NESTING);
	switch (o->type)
	{
		case MSGPACK_OBJECT_STR:
			check_string(&o->via.str);
			break;
		case MSGPACK_OBJECT_ARRAY:
			for (uint32 i = 0; i < o->via.array.size; i++)
				check_value(&o->via.array.ptr[i], depth + 1);
			break;
		case MSGPACK_OBJECT_MAP:
			{
				uint32		n = o->via.map.size;
				const msgpack_object_str **keys;

				if (n == 0)
					break;
				keys = palloc(n * sizeof(*keys));
				for (uint32 i = 0; i < n; i++)
				{
					const msgpack_object_kv *kv = &o->via.map.ptr[i];

					if (kv->key.type != MSGPACK_OBJECT_STR)
						bridge_protocol_error("a map key is not a string");
					check_string(&kv->key.via.str);
					check_value(&kv->val, depth + 1);
					keys[i] = &kv->key.via.str;
				}
				qsort(keys, n, sizeof(*keys), compare_keys);
				for (uint32 i = 1; i < n; i++)
					if (compare_keys(&keys[i - 1], &keys[i]) == 0)
						bridge_protocol_error("a map has the key \"%.*s\" twice",
											  (int) Min(keys[i]->size, 64), keys[i]->ptr);
				pfree(keys);
				break;
			}
		case MSGPACK_OBJECT_EXT:
			bridge_protocol_error("MessagePack extension types are not allowed");
			break;
		default:
			break;
	}
}

/*
 * Receives one message: a map with string keys and a string "type", checked
 * against the protocol's general rules.  It stays valid until the next
 * receive.  deadline 0 waits without limit (interrupts still end the wait).
 */
static const msgpack_object *
receive_until(TimestampTz deadline, const char *during)
{
	unsigned char header[4];
	size_t		len;
	size_t		off = 0;
	msgpack_unpack_return ret;
	const msgpack_object *type;

	if (unpacked_live)
		msgpack_unpacked_destroy(&unpacked);
	unpacked_live = false;

	read_exact((char *) header, 4, deadline, during);
	len = ((size_t) header[0] << 24) | ((size_t) header[1] << 16) | ((size_t) header[2] << 8) | header[3];
	if (len == 0 || len > BRIDGE_MAX_FRAME)
		bridge_protocol_error("a frame length of %zu bytes (allowed: 1 to %d)", len, BRIDGE_MAX_FRAME);
	if (len > frame_cap || (frame_cap > READ_AHEAD_SIZE * 16 && len <= READ_AHEAD_SIZE))
	{
		if (frame_buf)
			pfree(frame_buf);
		frame_buf = MemoryContextAlloc(TopMemoryContext, len);
		frame_cap = len;
	}
	read_exact(frame_buf, len, deadline, during);

	msgpack_unpacked_init(&unpacked);
	unpacked_live = true;
	ret = msgpack_unpack_next(&unpacked, frame_buf, len, &off);
	if (ret != MSGPACK_UNPACK_SUCCESS)
		bridge_protocol_error(ret == MSGPACK_UNPACK_NOMEM_ERROR
							  ? "a frame is nested too deeply or claims more entries than memory allows"
							  : "a frame does not hold one complete MessagePack value");
	if (off != len)
		bridge_protocol_error("a frame has %zu bytes after its message", len - off);
	if (unpacked.data.type != MSGPACK_OBJECT_MAP)
		bridge_protocol_error("a message is not a map");
	check_value(&unpacked.data, 1);
	type = bridge_field(&unpacked.data, "type");
	if (type == NULL || type->type != MSGPACK_OBJECT_STR)
		bridge_protocol_error("a message has no string \"type\"");
	return &unpacked.data;
}

const msgpack_object *
bridge_receive(const char *during)
{
	return receive_until(0, during);
}

/* ---- reading fields ---- */

const msgpack_object *
bridge_field(const msgpack_object *map, const char *key)
{
	size_t		klen = strlen(key);

	for (uint32 i = 0; i < map->via.map.size; i++)
	{
		const msgpack_object_kv *kv = &map->via.map.ptr[i];

		if (kv->key.via.str.size == klen && memcmp(kv->key.via.str.ptr, key, klen) == 0)
			return &kv->val;
	}
	return NULL;
}

bool
bridge_type_is(const msgpack_object *msg, const char *type)
{
	const msgpack_object *t = bridge_field(msg, "type");

	return t->via.str.size == strlen(type) && memcmp(t->via.str.ptr, type, t->via.str.size) == 0;
}

char *
bridge_type(const msgpack_object *msg)
{
	const msgpack_object *t = bridge_field(msg, "type");

	return pnstrdup(t->via.str.ptr, Min(t->via.str.size, 64));
}

/* A str value as a palloc'd string in the server's encoding. */
char *
bridge_text_value(const msgpack_object *o)
{
	char	   *copy = pnstrdup(o->via.str.ptr, o->via.str.size);
	char	   *server = pg_any_to_server(copy, o->via.str.size, PG_UTF8);

	if (server != copy)
		pfree(copy);
	return server;
}

static const msgpack_object *
required_field(const msgpack_object *msg, const char *key)
{
	const msgpack_object *v = bridge_field(msg, key);

	if (v == NULL || v->type == MSGPACK_OBJECT_NIL)
	{
		char	   *type = bridge_type(msg);

		bridge_protocol_error("a \"%s\" message lacks \"%s\"", type, key);
	}
	return v;
}

int64
bridge_int_field(const msgpack_object *msg, const char *key)
{
	const msgpack_object *v = required_field(msg, key);

	if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		return v->via.i64;
	if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER || v->via.u64 > (uint64) PG_INT64_MAX)
		bridge_protocol_error("\"%s\" is not an integer", key);
	return (int64) v->via.u64;
}

/* A str field; optional ones may be missing or nil (NULL is returned). */
char *
bridge_str_field(const msgpack_object *msg, const char *key, bool optional)
{
	const msgpack_object *v = optional ? bridge_field(msg, key) : required_field(msg, key);

	if (v == NULL || v->type == MSGPACK_OBJECT_NIL)
		return NULL;
	if (v->type != MSGPACK_OBJECT_STR)
		bridge_protocol_error("\"%s\" is not a string", key);
	return bridge_text_value(v);
}

/*
 * Raises an "error" message with its SQLSTATE, detail and hint; with
 * disconnect, the connection is closed first (the message is copied out).
 */
void
bridge_raise_error(const msgpack_object *msg, bool disconnect)
{
	char	   *sqlstate = bridge_str_field(msg, "sqlstate", false);
	char	   *message = bridge_str_field(msg, "message", false);
	char	   *detail = bridge_str_field(msg, "detail", true);
	char	   *hint = bridge_str_field(msg, "hint", true);

	if (strlen(sqlstate) != 5 || strspn(sqlstate, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 5)
		bridge_protocol_error("\"%s\" is not a SQLSTATE", sqlstate);
	if (disconnect)
		bridge_disconnect();
	ereport(ERROR,
			(errcode(MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2], sqlstate[3], sqlstate[4])),
			 errmsg_internal("%s", message),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0));
}

/* ---- connecting ---- */

pg_attribute_noreturn() static void
connect_failed(const char *path, int err)
{
	bridge_disconnect();
	if (err == ENOENT)
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("the kmer worker pool is not running: its socket \"%s\" does not exist", path),
				 errhint("%s", autostart_hint())));
	if (err == ECONNREFUSED)
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("the kmer worker pool is not running: nothing accepts connections on \"%s\"", path),
				 errhint("%s", autostart_hint())));
	ereport(ERROR,
			(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
			 errmsg("could not connect to the kmer worker pool at \"%s\": %s", path, strerror(err)),
			 err == EACCES
			 ? errhint("The socket must be reachable by the server's OS user (the pool creates it with mode 0660).")
			 : errhint("%s", autostart_hint())));
}

/* Sends hello and checks the welcome: same protocol version, and the pool sees us as the server. */
static void
handshake(void)
{
	BridgeMessage hello;
	const msgpack_object *reply;
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), HANDSHAKE_TIMEOUT_MS);
	char	   *peer;
	int64		protocol;

	bridge_message_begin(&hello, "hello", 4);
	bridge_pack_key(&hello.pk, "protocol");
	msgpack_pack_int64(&hello.pk, BRIDGE_PROTOCOL_VERSION);
	bridge_pack_key(&hello.pk, "client");
	bridge_pack_cstring(&hello.pk, "pg_kmersearch " KMERSEARCH_BUILDNO);
	bridge_pack_key(&hello.pk, "pid");
	msgpack_pack_int64(&hello.pk, MyProcPid);
	bridge_send(&hello);
	pfree(hello.buf.data);

	reply = receive_until(deadline, "during the handshake");
	if (bridge_type_is(reply, "error"))
	{
		/* A refused peer or another protocol version: the pool closes the connection. */
		bridge_raise_error(reply, true);
	}
	if (!bridge_type_is(reply, "welcome"))
		bridge_protocol_error("expected \"welcome\", got \"%s\"", bridge_type(reply));
	protocol = bridge_int_field(reply, "protocol");
	if (protocol != BRIDGE_PROTOCOL_VERSION)
		bridge_protocol_error("the pool speaks protocol version " INT64_FORMAT ", this extension version %d",
							  protocol, BRIDGE_PROTOCOL_VERSION);
	peer = bridge_str_field(reply, "peer", false);
	if (strcmp(peer, "server") != 0)
	{
		bridge_disconnect();
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("the kmer worker pool does not accept this server's OS user as the server (it says \"%s\")", peer),
				 errhint("Set Worker:ServerUser in the pool's configuration to the OS user the PostgreSQL server runs as.")));
	}
}

/* Opens the connection and shakes hands, unless it is open already. */
void
bridge_connect(void)
{
	const char *path = kmersearch_pool_socket_path();
	struct sockaddr_un addr;
	int			fd;

	if (bridge_sock != PGINVALID_SOCKET)
		return;
	if (!kmersearch_preloaded)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("bridged functions need pg_kmersearch to be preloaded"),
				 errhint("Add shared_preload_libraries = 'pg_kmersearch' to postgresql.conf and restart the server.")));
	if (strlen(path) >= sizeof(addr.sun_path))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the kmer worker socket path \"%s\" is longer than %zu bytes", path, sizeof(addr.sun_path) - 1),
				 errhint("Set a shorter kmersearch.worker_socket_path.")));

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("could not create a socket for the kmer worker pool: %m")));
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
	/* A local stream socket connects at once or fails; only then does the socket become non-blocking. */
	if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) != 0 || fcntl(fd, F_SETFL, O_NONBLOCK) != 0)
	{
		int			err = errno;

		close(fd);
		connect_failed(path, err);
	}
	bridge_sock = fd;
	read_pos = read_len = 0;
	last_call_id = 0;

	PG_TRY();
	{
		handshake();
	}
	PG_CATCH();
	{
		bridge_disconnect();
		PG_RE_THROW();
	}
	PG_END_TRY();
}
