#ifndef SEXTON_CMICROHTTPD_SHIM_H
#define SEXTON_CMICROHTTPD_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <microhttpd.h>

/* Swift cannot call C-variadic functions, so every MHD call with a variadic
 * tail is wrapped here with a fixed signature. */

typedef void *(*sexton_mhd_uri_logger)(void *cls, const char *uri, struct MHD_Connection *connection);

struct sexton_mhd_settings {
    unsigned int flags;
    /* Bound and listening; MHD takes it over (the caller binds so bind errors keep their errno). */
    int listen_fd;
    unsigned int connection_limit;
    /* 0: no limit per client address. */
    unsigned int per_ip_connection_limit;
    unsigned int connection_timeout_seconds;
    size_t connection_memory_limit;
    /* 0 or 1: no pool; the internal polling thread serves everything. */
    unsigned int thread_pool_size;
    MHD_AccessHandlerCallback access_handler;
    MHD_RequestCompletedCallback request_completed;
    sexton_mhd_uri_logger uri_logger;
    MHD_LogCallback error_logger;
    MHD_NotifyConnectionCallback notify_connection;
    /* Passed as the closure argument of every callback above. */
    void *context;
};

static inline struct MHD_Daemon *sexton_mhd_start(const struct sexton_mhd_settings *s) {
    struct MHD_OptionItem options[11];
    unsigned int n = 0;
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_SOCKET, s->listen_fd, NULL };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, (intptr_t)s->connection_limit, NULL };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)s->connection_timeout_seconds, NULL };
    if (s->per_ip_connection_limit > 0) {
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)s->per_ip_connection_limit, NULL };
    }
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)s->connection_memory_limit, NULL };
    if (s->thread_pool_size > 1) {
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)s->thread_pool_size, NULL };
    }
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)s->request_completed, s->context };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)s->uri_logger, s->context };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)s->error_logger, s->context };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)s->notify_connection, s->context };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
    return MHD_start_daemon(s->flags, 0, NULL, NULL, s->access_handler, s->context,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/* The socket of a connection, or -1. */
static inline int sexton_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info ? info->connect_fd : -1;
}

#endif
