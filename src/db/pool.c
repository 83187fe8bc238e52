/*
 * pool.c - a fixed-size pool of connections to one database.
 *
 * Connections are opened lazily and kept. A caller that saw TS_ECONN returns the
 * connection as broken; it is reopened on its next use, so a database that went away
 * and came back is picked up again without restarting the program. An idle
 * connection that the server closed meanwhile (a restart, pg_terminate_backend) is
 * found on get - its socket says so - and replaced before anyone uses it: one
 * outage is one failure for a caller, not one per connection the pool kept.
 * Any thread may call; the lock lives inside the pool (CONVENTIONS.md "Threads").
 */
#include "db/db.h"

#include <libpq-fe.h>

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "core/deadline.h"
#include "core/mem.h"

struct ts_pool {
    char *conninfo;       /* owned */
    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t freed;
    int size;      /* number of slots */
    PGconn **idle; /* stack of idle connections, NULL = slot not yet connected */
    int nidle;     /* slots available (connected or not) */
};

int ts_pool_new(const char *conninfo, int size, struct ts_pool **out, struct ts_err *err)
{
    if (size <= 0 || size > 256) {
        return ts_err_set(err, TS_EINVAL, "pool size %d out of range 1..256", size);
    }
    struct ts_pool *p = ts_xcalloc(1, sizeof(*p));
    p->conninfo = ts_xstrdup(conninfo);
    pthread_mutex_init(&p->lock, NULL);
    ts_cond_init_mono(&p->freed);
    p->size = size;
    p->idle = ts_xcalloc((size_t)size, sizeof(PGconn *));
    p->nidle = size;
    *out = p;
    return 0;
}

void ts_pool_free(struct ts_pool *p)
{
    if (!p) {
        return;
    }
    for (int i = 0; i < p->nidle; i++) {
        if (p->idle[i]) {
            PQfinish(p->idle[i]);
        }
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->freed);
    ts_free(p->idle);
    ts_free(p->conninfo);
    ts_free(p);
}

int ts_pool_get(struct ts_pool *p, int timeout_ms, PGconn **out, struct ts_err *err)
{
    int64_t deadline = ts_deadline_ms(timeout_ms);
    PGconn *c;

    pthread_mutex_lock(&p->lock);
    while (p->nidle == 0) {
        if (!ts_cond_wait_until(&p->freed, &p->lock, deadline) && p->nidle == 0) {
            pthread_mutex_unlock(&p->lock);
            return ts_err_set(err, TS_EBUSY, "no database connection free after %d ms", timeout_ms);
        }
    }
    c = p->idle[--p->nidle];
    p->idle[p->nidle] = NULL;
    pthread_mutex_unlock(&p->lock);

    if (c && !ts_db_idle_ok(c)) {
        PQfinish(c); /* a new session: nothing of the old one (prepared, SET) carries over */
        c = NULL;
    }
    if (!c) {
        int rc = ts_db_connect(p->conninfo, &c, err);
        if (rc) {
            ts_pool_put(p, NULL, false); /* give the slot back */
            return rc;
        }
    }
    *out = c;
    return 0;
}

void ts_pool_put(struct ts_pool *p, PGconn *c, bool broken)
{
    if (c && broken) {
        PQfinish(c);
        c = NULL;
    }
    if (c && PQtransactionStatus(c) != PQTRANS_IDLE) {
        /* A caller left a transaction open: never hand that state to the next user. */
        PQfinish(c);
        c = NULL;
    }
    pthread_mutex_lock(&p->lock);
    p->idle[p->nidle++] = c;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

int ts_pool_query(struct ts_pool *p, const char *what, const char *sql, int nparams,
                  const char *const *params, PGresult **out, struct ts_err *err)
{
    PGconn *c;
    int rc = ts_pool_get(p, 2000, &c, err);
    if (rc) {
        return rc;
    }
    rc = ts_db_exec(c, what, sql, nparams, params, out, err);
    ts_pool_put(p, c, rc == TS_ECONN);
    return rc;
}
