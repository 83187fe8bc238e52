/*
 * http_addr.c - the HTTP server's listening address: "HOST:PORT" split and checked, and
 * one bind of our own before libwebsockets takes it.
 *
 * The probe is why a taken or foreign address fails with its reason ("cannot listen on
 * 127.0.0.1:8080: Address already in use") rather than lws's bare failure, which
 * ts_http_new() can only report as "cannot start the HTTP server". Does not: resolve
 * names (an IP address is required) or keep the socket (closed at once).
 */
#include "api/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/internal.h"

int ts_http_parse_addr(const char *addr, char *host, size_t hostcap, int *port, struct ts_err *err)
{
    const char *colon = strrchr(addr, ':');
    const char *h = addr;
    size_t hlen;
    char *e;
    long p;

    if (!colon || colon == addr) {
        return ts_err_set(err, TS_EINVAL, "invalid address '%s': expected HOST:PORT", addr);
    }
    hlen = (size_t)(colon - addr);
    if (h[0] == '[' && hlen >= 2 && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    errno = 0;
    p = strtol(colon + 1, &e, 10);
    if (errno || *e || colon[1] == '\0' || p < 1 || p > 65535) {
        return ts_err_set(err, TS_EINVAL, "invalid port in address '%s'", addr);
    }
    if (hlen == 0 || hlen >= hostcap) {
        return ts_err_set(err, TS_EINVAL, "invalid host in address '%s'", addr);
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (int)p;
    return 0;
}

int ts_http__probe_bind(const char *host, int port, struct ts_err *err)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof(ss));
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        sl = sizeof(*a4);
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        sl = sizeof(*a6);
    } else {
        return ts_err_set(err, TS_EINVAL, "invalid address '%s': give an IP address", host);
    }
    int fd = socket(ss.ss_family, SOCK_STREAM, 0);
    int one = 1;
    if (fd < 0) {
        return ts_err_set(err, TS_EIO, "cannot create a socket: %s", strerror(errno));
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    int rc = bind(fd, (struct sockaddr *)&ss, sl);
    int e = errno;
    close(fd);
    if (rc) {
        return ts_err_set(err, TS_EIO, "cannot listen on %s:%d: %s", host, port, strerror(e));
    }
    return 0;
}
