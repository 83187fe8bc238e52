/*
 * cluster.h - the embedded PostgreSQL cluster under $TS_HOME/pg.
 *
 * initdb on first use, a unix socket under $TS_HOME/run and no TCP port unless
 * TS_PG_LISTEN is set, settings for a trading workload in pg/tradingsystem.conf,
 * start/stop/status through pg_ctl. PostgreSQL refuses to run as root: as root, the
 * server programs run as the `postgres` system account, which is given $TS_HOME.
 * All operations take an exclusive lock on $TS_HOME/cluster.lock, so two `db start`
 * at once do one start and one "already running".
 */
#ifndef TS_DB_CLUSTER_H
#define TS_DB_CLUSTER_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/err.h"
#include "core/buf.h"

struct ts_cluster_status {
    bool initialised; /* pg/PG_VERSION exists */
    bool running;
    long pid;         /* postmaster pid when running */
    char version[16]; /* PG_VERSION contents */
};

/* Paths derived from home (absolute); the strings are owned by the caller's buffers. */
void ts_cluster_datadir(const char *home, struct ts_buf *out);
void ts_cluster_sockdir(const char *home, struct ts_buf *out);
/* The conninfo of database dbname in the cluster of home. */
void ts_cluster_conninfo(const char *home, const char *dbname, struct ts_buf *out);

int ts_cluster_init(const char *home, bool *created, struct ts_err *err) TS_MUST_CHECK;
/* Initialises when needed, then starts unless running. */
int ts_cluster_start(const char *home, bool *started, struct ts_err *err) TS_MUST_CHECK;
int ts_cluster_stop(const char *home, bool *stopped, struct ts_err *err) TS_MUST_CHECK;
int ts_cluster_status(const char *home, struct ts_cluster_status *st,
                      struct ts_err *err) TS_MUST_CHECK;

#endif
