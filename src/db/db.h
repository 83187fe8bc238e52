/*
 * db.h - the database layer: modules, where each module's database lives,
 * connections, parameterised statements, a per-module pool, migrations and the
 * embedded cluster. libpq stays inside src/db: callers see PGresult only through
 * the accessors below.
 *
 * Every statement is parameterised (values are never spliced into SQL text);
 * errors carry the statement's context ("cannot insert order: <server message>")
 * and the SQLSTATE in struct ts_err.
 *
 * Threads: a struct ts_db_config is immutable after ts_db_config_load() and may
 * be shared; a PGconn is used by one thread at a time; struct ts_pool is safe
 * from any thread.
 */
#ifndef TS_DB_DB_H
#define TS_DB_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/buf.h"

/* libpq's handles, opaque outside src/db (the same typedefs as libpq-fe.h's). */
typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

enum ts_module {
    TS_MOD_ORDER_MANAGER,
    TS_MOD_DATA_CAPTURE,
    TS_MOD_TP_CAPITAL,
    TS_MOD_WORKSPACE,
    TS_MOD_DOCUMENTATION,
    TS_MOD_COUNT
};

/* "order_manager", ... : also the database name and the migrations folder. */
const char *ts_db_module_name(enum ts_module m);
int ts_db_module_parse(const char *name, enum ts_module *out) TS_MUST_CHECK;

/* Where each module's database is. Built once from the environment. */
struct ts_db_config {
    char *home;                   /* absolute TS_HOME; owned */
    char *conninfo[TS_MOD_COUNT]; /* libpq key=value string per module; owned */
    bool embedded[TS_MOD_COUNT];  /* true: database lives in the managed cluster */
    char *migrations_dir;         /* the caller's, copied (src/app/dirs.c); owned */
};

/*
 * Reads TS_HOME (default ./var), TS_DATABASE_URL (a server for every module; the
 * module's database name replaces its dbname), TS_DB_<MODULE> (one module; used
 * as given; TS_DB_TPCAPITAL is accepted for tp_capital as DESIGN.md spells it),
 * TS_PG_PORT. A module without either lives in the embedded cluster. migrations_dir
 * is where ts_db_migrate() reads (copied): the caller decides where that is.
 */
int ts_db_config_load(struct ts_db_config *cfg, const char *migrations_dir,
                      struct ts_err *err) TS_MUST_CHECK;
void ts_db_config_release(struct ts_db_config *cfg);
/*
 * The same databases as the role the program reads and writes as (migrations
 * common/0100_app_role.sql): ts_app in the embedded cluster, $TS_APP_DB_USER when set
 * (its password from ~/.pgpass or PGPASSFILE, as libpq reads them), else the role cfg
 * names. The owner's cfg keeps migrations, partition DDL and retention. app: released by
 * the caller.
 */
int ts_db_config_as_app(const struct ts_db_config *cfg, struct ts_db_config *app,
                        struct ts_err *err) TS_MUST_CHECK;
bool ts_db_config_any_embedded(const struct ts_db_config *cfg);

/* Connects; sets application_name and a statement timeout. Caller ts_db_finish()es. */
int ts_db_connect(const char *conninfo, PGconn **out, struct ts_err *err) TS_MUST_CHECK;
/* Closes c (NULL: nothing). */
void ts_db_finish(PGconn *c);
/* Same, with the dbname of conninfo replaced by dbname. */
int ts_db_connect_db(const char *conninfo, const char *dbname, PGconn **out,
                     struct ts_err *err) TS_MUST_CHECK;

/*
 * Runs one parameterised statement (text parameters; NULL entry = SQL NULL).
 * `what` names the operation for the error ("insert order"). On success *out (if
 * not NULL) receives the result, which the caller ts_db_clear()s; with out == NULL the
 * result is cleared here. SQLSTATE classes map to codes: 23505 -> TS_ECONFLICT,
 * other 23xxx -> TS_EINVAL, 40001/40P01 -> TS_ERETRY, 08xxx or a dead connection
 * -> TS_ECONN, anything else TS_EDB.
 */
int ts_db_exec(PGconn *c, const char *what, const char *sql, int nparams, const char *const *params,
               PGresult **out, struct ts_err *err) TS_MUST_CHECK;
/* Multi-statement SQL without parameters (migration files, BEGIN/COMMIT). */
/*
 * COPY .. FROM STDIN with `data` (a whole stream, e.g. core/pgcopy.h's binary
 * form) as its input; errors as ts_db_exec's. The connection is ready for the
 * next statement afterwards, also after an error.
 */
int ts_db_copy_in(PGconn *c, const char *what, const char *sql, const char *data, size_t len,
                  struct ts_err *err) TS_MUST_CHECK;
/* The same in steps, so the server reads while the caller makes the rest: begin, put
 * any number of pieces, end (with rc != 0 from a failed put: the COPY is aborted;
 * end returns the first error). */
int ts_db_copy_begin(PGconn *c, const char *what, const char *sql,
                     struct ts_err *err) TS_MUST_CHECK;
int ts_db_copy_put(PGconn *c, const char *what, const char *data, size_t len,
                   struct ts_err *err) TS_MUST_CHECK;
int ts_db_copy_end(PGconn *c, const char *what, int rc, struct ts_err *err) TS_MUST_CHECK;
int ts_db_exec_script(PGconn *c, const char *what, const char *sql,
                      struct ts_err *err) TS_MUST_CHECK;
/* Fills err from a failed result (or the connection when res is NULL). */
int ts_db_error(PGconn *c, PGresult *res, const char *what, struct ts_err *err);

/* Writes a libpq key=value string with dbname replaced into out. */
/* The same with keyword key set to value (user, host, ...). */
int ts_db_conninfo_with(const char *conninfo, const char *key, const char *value,
                        struct ts_buf *out, struct ts_err *err) TS_MUST_CHECK;
int ts_db_conninfo_with_db(const char *conninfo, const char *dbname, struct ts_buf *out,
                           struct ts_err *err) TS_MUST_CHECK;
/* Appends `key='value'` quoted for a conninfo string. */
void ts_db_conninfo_add(struct ts_buf *out, const char *key, const char *value);

/* ---- results and connections (result.c): libpq's accessors, for code outside src/db ---- */
int ts_db_nrows(const PGresult *r); /* 0 for NULL */
int ts_db_ncols(const PGresult *r); /* 0 for NULL */
/* Text of a value (borrowed from r; "" for NULL), whether it is NULL, its length. */
const char *ts_db_val(const PGresult *r, int row, int col);
bool ts_db_isnull(const PGresult *r, int row, int col);
size_t ts_db_len(const PGresult *r, int row, int col);
const char *ts_db_fname(const PGresult *r, int col);
/* Rows an INSERT/UPDATE/DELETE touched. */
int64_t ts_db_affected(const PGresult *r);
void ts_db_clear(PGresult *r); /* NULL: nothing */
bool ts_db_connected(const PGconn *c);
/* Whether an idle connection (not LISTENing) is still good: false when it is bad, inside a
 * transaction, or has something to read (the server closed it: a restart,
 * pg_terminate_backend). Costs one poll(2), no round trip. */
bool ts_db_idle_ok(PGconn *c);
/* LISTEN: the connection's socket to poll, and the notifications that arrived (read
 * and dropped: callers re-read what changed); -1 when the connection is lost. */
int ts_db_socket(const PGconn *c);
int ts_db_notifications(PGconn *c);

/* Row `row` of res as a JSON object appended to out (rowjson.c: numeric -> string,
 * timestamptz -> RFC 3339 UTC, json/jsonb inline, NULL -> null). */
void ts_db_row_json(struct ts_buf *out, const PGresult *res, int row);
/* Every row as a JSON array. */
void ts_db_rows_json(struct ts_buf *out, const PGresult *res);

/* ---- pool: a fixed set of connections to one database, any thread ---- */
struct ts_pool;
int ts_pool_new(const char *conninfo, int size, struct ts_pool **out,
                struct ts_err *err) TS_MUST_CHECK;
void ts_pool_free(struct ts_pool *p);
/* Borrows a connection (waits up to timeout_ms); reconnects a broken one. */
int ts_pool_get(struct ts_pool *p, int timeout_ms, PGconn **out, struct ts_err *err) TS_MUST_CHECK;
/* Returns it; broken = true when the caller saw TS_ECONN (the connection is reset). */
void ts_pool_put(struct ts_pool *p, PGconn *c, bool broken);
/* One statement (ts_db_exec) on a connection borrowed for it (waits up to 2 s). */
int ts_pool_query(struct ts_pool *p, const char *what, const char *sql, int nparams,
                  const char *const *params, PGresult **out, struct ts_err *err) TS_MUST_CHECK;

/* ---- migrations (migrate.c) ---- */
struct ts_migrate_report {
    int applied; /* files applied by this run */
    int present; /* files already applied before */
};
/*
 * Creates the module's database when missing (on a server where we may), then
 * applies <migrations_dir>/common/NNNN_name.sql (shared by every module) and
 * <migrations_dir>/<module>/NNNN_name.sql in order of NNNN, each in its own transaction,
 * recorded by file name with a SHA-256 in public.schema_migrations, under an advisory lock so
 * that concurrent runs are serialised. An applied file whose text changed, an
 * applied file that disappeared, or a new file numbered below an applied one is
 * refused before anything is applied. Then runs public.ts_partition_maintain(now()).
 */
int ts_db_migrate(const struct ts_db_config *cfg, enum ts_module m, struct ts_migrate_report *rep,
                  struct ts_err *err) TS_MUST_CHECK;

#endif
