/* libmicrohttpd, loaded when serve starts: no other command needs it. */
#include <microhttpd.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include "lazy.h"

struct lazy_lib lazy_libmicrohttpd = { .soname = "libmicrohttpd.so.12" };

/* The options are a list: handed on whole through the va_list form. */
struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
				    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	LAZY_FN(lazy_libmicrohttpd, MHD_start_daemon_va);
	struct MHD_Daemon *d = NULL;
	va_list ap;

	if (!fn)
		return NULL;
	va_start(ap, dh_cls);
	d = fn(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

void MHD_stop_daemon(struct MHD_Daemon *daemon)
{
	LAZY_FN(lazy_libmicrohttpd, MHD_stop_daemon);
	if (fn)
		fn(daemon);
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer, enum MHD_ResponseMemoryMode mode)
{
	LAZY_FN(lazy_libmicrohttpd, MHD_create_response_from_buffer);
	return fn ? fn(size, buffer, mode) : NULL;
}

struct MHD_Response *MHD_create_response_from_buffer_with_free_callback_cls(size_t size, void *buffer,
									    MHD_ContentReaderFreeCallback crfc,
									    void *crfc_cls)
{
	LAZY_FN(lazy_libmicrohttpd, MHD_create_response_from_buffer_with_free_callback_cls);
	return fn ? fn(size, buffer, crfc, crfc_cls) : NULL;
}

enum MHD_Result MHD_add_response_header(struct MHD_Response *response, const char *header, const char *content)
{
	LAZY_FN(lazy_libmicrohttpd, MHD_add_response_header);
	return fn ? fn(response, header, content) : MHD_NO;
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
				   struct MHD_Response *response)
{
	LAZY_FN(lazy_libmicrohttpd, MHD_queue_response);
	return fn ? fn(connection, status_code, response) : MHD_NO;
}

void MHD_destroy_response(struct MHD_Response *response)
{
	LAZY_FN(lazy_libmicrohttpd, MHD_destroy_response);
	if (fn)
		fn(response);
}

const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
					const char *key)
{
	LAZY_FN(lazy_libmicrohttpd, MHD_lookup_connection_value);
	return fn ? fn(connection, kind, key) : NULL;
}

enum MHD_Result MHD_add_connection(struct MHD_Daemon *daemon, MHD_socket client_socket, const struct sockaddr *addr,
				   socklen_t addrlen)
{
	LAZY_FN(lazy_libmicrohttpd, MHD_add_connection);
	if (!fn) {
		close(client_socket); /* as the real one does when it cannot take it */
		return MHD_NO;
	}
	return fn(daemon, client_socket, addr, addrlen);
}

/* Variadic for the kinds that take an argument; latdoc asks only for
 * those that take none. */
const union MHD_ConnectionInfo *MHD_get_connection_info(struct MHD_Connection *connection,
							enum MHD_ConnectionInfoType info_type, ...)
{
	LAZY_FN(lazy_libmicrohttpd, MHD_get_connection_info);
	return fn ? fn(connection, info_type) : NULL;
}
