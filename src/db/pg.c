/*
 * pg.c - connections, parameterised statements and error classification, and
 * the module configuration. The only file besides pool/migrate/cluster that
 * touches libpq. See db.h.
 */
#include "db/db.h"

#include <libpq-fe.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "db/cluster.h"

static const char *const module_names[TS_MOD_COUNT] = {
    "order_manager", "data_capture", "tp_capital", "workspace", "documentation",
};

const char *ts_db_module_name(enum ts_module m)
{
    return (unsigned)m < TS_MOD_COUNT ? module_names[m] : "unknown";
}

int ts_db_module_parse(const char *name, enum ts_module *out)
{
    for (int i = 0; i < TS_MOD_COUNT; i++) {
        if (!strcmp(name, module_names[i])) {
            *out = (enum ts_module)i;
            return 0;
        }
    }
    return TS_EINVAL;
}

int ts_db_conninfo_with_db(const char *conninfo, const char *dbname, struct ts_buf *out,
                           struct ts_err *err)
{
    return ts_db_conninfo_with(conninfo, "dbname", dbname, out, err);
}

int ts_db_conninfo_with(const char *conninfo, const char *key, const char *value,
                        struct ts_buf *out, struct ts_err *err)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
    if (!opts) {
        ts_err_set(err, TS_EINVAL, "invalid connection string: %s", perr ? perr : "out of memory");
        PQfreemem(perr);
        return TS_EINVAL;
    }
    ts_buf_reset(out);
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!strcmp(o->keyword, key)) {
            continue;
        }
        if (o->val && *o->val) {
            ts_db_conninfo_add(out, o->keyword, o->val);
        }
    }
    ts_db_conninfo_add(out, key, value);
    PQconninfoFree(opts);
    return 0;
}

static char *abs_path(const char *p)
{
    char cwd[PATH_MAX];
    struct ts_buf b = TS_BUF_INIT;
    if (p[0] == '/') {
        ts_buf_adds(&b, p);
    } else {
        if (!getcwd(cwd, sizeof(cwd))) {
            return NULL;
        }
        while (p[0] == '.' && p[1] == '/') {
            p += 2;
        }
        ts_buf_addf(&b, "%s/%s", cwd, p);
    }
    /* drop trailing slashes and a trailing "/." so that paths print cleanly */
    while (b.len > 1 && b.buf[b.len - 1] == '/') {
        ts_buf_truncate(&b, b.len - 1);
    }
    if (b.len > 2 && !strcmp(b.buf + b.len - 2, "/.")) {
        ts_buf_truncate(&b, b.len - 2);
    }
    return ts_buf_detach(&b, NULL);
}

static const char *module_env(enum ts_module m, const char **alt)
{
    static const char *const names[TS_MOD_COUNT] = {
        "TS_DB_ORDER_MANAGER", "TS_DB_DATA_CAPTURE",  "TS_DB_TP_CAPITAL",
        "TS_DB_WORKSPACE",     "TS_DB_DOCUMENTATION",
    };
    *alt = m == TS_MOD_TP_CAPITAL ? "TS_DB_TPCAPITAL" : NULL;
    return names[m];
}

int ts_db_config_load(struct ts_db_config *cfg, const char *migrations_dir, struct ts_err *err)
{
    const char *home = getenv("TS_HOME");
    const char *all = getenv("TS_DATABASE_URL");
    struct ts_buf b = TS_BUF_INIT;
    int rc = 0;

    memset(cfg, 0, sizeof(*cfg));
    cfg->home = abs_path(home && *home ? home : "./var");
    if (!cfg->home) {
        return ts_err_set(err, TS_EIO, "cannot resolve TS_HOME: current directory unavailable");
    }
    cfg->migrations_dir = ts_xstrdup(migrations_dir);
    for (int i = 0; i < TS_MOD_COUNT; i++) {
        const char *alt;
        const char *name = module_env((enum ts_module)i, &alt);
        const char *one = getenv(name);
        if ((!one || !*one) && alt) {
            one = getenv(alt);
        }
        if (one && *one) {
            /* used as given, but it must parse */
            rc = ts_db_conninfo_with_db(one, module_names[i], &b, err);
            if (rc) {
                ts_err_wrap(err, "%s", name);
                goto out;
            }
            cfg->conninfo[i] = ts_xstrdup(one);
        } else if (all && *all) {
            rc = ts_db_conninfo_with_db(all, module_names[i], &b, err);
            if (rc) {
                ts_err_wrap(err, "TS_DATABASE_URL");
                goto out;
            }
            cfg->conninfo[i] = ts_buf_detach(&b, NULL);
        } else {
            ts_cluster_conninfo(cfg->home, module_names[i], &b);
            cfg->conninfo[i] = ts_buf_detach(&b, NULL);
            cfg->embedded[i] = true;
        }
    }
out:
    ts_buf_release(&b);
    if (rc) {
        ts_db_config_release(cfg);
    }
    return rc;
}

int ts_db_config_as_app(const struct ts_db_config *cfg, struct ts_db_config *app,
                        struct ts_err *err)
{
    const char *user = getenv("TS_APP_DB_USER");
    struct ts_buf b = TS_BUF_INIT;
    int rc = 0;
    memset(app, 0, sizeof(*app));
    app->home = ts_xstrdup(cfg->home);
    app->migrations_dir = ts_xstrdup(cfg->migrations_dir);
    for (int i = 0; i < TS_MOD_COUNT && !rc; i++) {
        app->embedded[i] = cfg->embedded[i];
        /* the embedded cluster has the role (its migrations made it); a server of the
           operator's uses the role they name, else the one they gave */
        const char *role = user && *user ? user : cfg->embedded[i] ? "ts_app" : NULL;
        if (!role) {
            app->conninfo[i] = ts_xstrdup(cfg->conninfo[i]);
            continue;
        }
        rc = ts_db_conninfo_with(cfg->conninfo[i], "user", role, &b, err);
        app->conninfo[i] = rc ? NULL : ts_buf_detach(&b, NULL);
    }
    ts_buf_release(&b);
    if (rc) {
        ts_db_config_release(app);
    }
    return rc;
}

void ts_db_config_release(struct ts_db_config *cfg)
{
    ts_free(cfg->home);
    ts_free(cfg->migrations_dir);
    for (int i = 0; i < TS_MOD_COUNT; i++) {
        ts_free(cfg->conninfo[i]);
    }
    memset(cfg, 0, sizeof(*cfg));
}

bool ts_db_config_any_embedded(const struct ts_db_config *cfg)
{
    for (int i = 0; i < TS_MOD_COUNT; i++) {
        if (cfg->embedded[i]) {
            return true;
        }
    }
    return false;
}

/* A short description of where we tried to connect, without any password. */
static void describe_target(PGconn *c, char *out, size_t cap)
{
    const char *host = c ? PQhost(c) : NULL;
    const char *db = c ? PQdb(c) : NULL;
    const char *port = c ? PQport(c) : NULL;
    snprintf(out, cap, "%s%s%s/%s", host && *host ? host : "(default)", port && *port ? ":" : "",
             port && *port ? port : "", db ? db : "?");
}

/* Server notices ("relation ... already exists, skipping") go to the debug log, not stderr. */
static void notice_to_log(void *arg, const char *msg)
{
    (void)arg;
    ts_debug("db", "%.*s", (int)strcspn(msg, "\n"), msg);
}

int ts_db_connect(const char *conninfo, PGconn **out, struct ts_err *err)
{
    const char *keys[] = {"dbname", "application_name", "connect_timeout", "options", NULL};
    const char *vals[] = {conninfo, "tradingsystem", "5", "-c timezone=UTC", NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    char where[256];

    *out = NULL;
    if (!c) {
        return ts_err_set(err, TS_ENOMEM, "cannot connect to database: out of memory");
    }
    if (PQstatus(c) != CONNECTION_OK) {
        const char *m = PQerrorMessage(c);
        size_t n = strcspn(m, "\n");
        describe_target(c, where, sizeof(where));
        ts_err_set(err, TS_ECONN, "cannot connect to database at %s: %.*s", where, (int)n, m);
        PQfinish(c);
        return TS_ECONN;
    }
    PQsetNoticeProcessor(c, notice_to_log, NULL);
    *out = c;
    return 0;
}

int ts_db_connect_db(const char *conninfo, const char *dbname, PGconn **out, struct ts_err *err)
{
    struct ts_buf b = TS_BUF_INIT;
    int rc = ts_db_conninfo_with_db(conninfo, dbname, &b, err);
    if (!rc) {
        rc = ts_db_connect(b.buf, out, err);
    }
    ts_buf_release(&b);
    return rc;
}

static int classify(const char *state, PGconn *c)
{
    if (c && PQstatus(c) == CONNECTION_BAD) {
        return TS_ECONN;
    }
    if (!state) {
        return TS_EDB;
    }
    if (!strcmp(state, "23505")) {
        return TS_ECONFLICT;
    }
    if (!strncmp(state, "23", 2) || !strncmp(state, "22", 2)) {
        return TS_EINVAL;
    }
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03")) {
        return TS_ERETRY;
    }
    if (!strncmp(state, "08", 2) || !strcmp(state, "57P01") || !strcmp(state, "57P02") ||
        !strcmp(state, "57P03")) {
        return TS_ECONN;
    }
    if (!strcmp(state, "57014")) {
        return TS_ETIMEDOUT;
    }
    return TS_EDB;
}

int ts_db_error(PGconn *c, PGresult *res, const char *what, struct ts_err *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    int code = classify(state, c);
    if (!primary) {
        primary = c ? PQerrorMessage(c) : "no connection";
    }
    size_t n = strcspn(primary, "\n");
    if (detail) {
        ts_err_set(err, code, "cannot %s: %.*s (%s)", what, (int)n, primary, detail);
    } else {
        ts_err_set(err, code, "cannot %s: %.*s", what, (int)n, primary);
    }
    if (err && state) {
        snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
    }
    return code;
}

int ts_db_exec(PGconn *c, const char *what, const char *sql, int nparams, const char *const *params,
               PGresult **out, struct ts_err *err)
{
    PGresult *res = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

    if (out) {
        *out = NULL;
    }
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        int code = ts_db_error(c, res, what, err);
        PQclear(res);
        return code;
    }
    if (out) {
        *out = res;
    } else {
        PQclear(res);
    }
    return 0;
}

int ts_db_exec_script(PGconn *c, const char *what, const char *sql, struct ts_err *err)
{
    int rc = 0;
    if (!PQsendQuery(c, sql)) {
        return ts_db_error(c, NULL, what, err);
    }
    /* Read every result: a multi-statement string yields one per statement. */
    PGresult *res;
    while ((res = PQgetResult(c))) {
        ExecStatusType st = PQresultStatus(res);
        if (!rc && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
            rc = ts_db_error(c, res, what, err);
        }
        PQclear(res);
    }
    if (!rc && PQstatus(c) == CONNECTION_BAD) {
        rc = ts_db_error(c, NULL, what, err);
    }
    return rc;
}

int ts_db_copy_begin(PGconn *c, const char *what, const char *sql, struct ts_err *err)
{
    PGresult *res = PQexec(c, sql);
    if (!res || PQresultStatus(res) != PGRES_COPY_IN) {
        int code = ts_db_error(c, res, what, err);
        PQclear(res);
        return code;
    }
    PQclear(res);
    return 0;
}

int ts_db_copy_put(PGconn *c, const char *what, const char *data, size_t len, struct ts_err *err)
{
    for (size_t off = 0; off < len;) {
        size_t n = len - off < (1u << 20) ? len - off : (1u << 20);
        if (PQputCopyData(c, data + off, (int)n) != 1) {
            return ts_db_error(c, NULL, what, err);
        }
        off += n;
    }
    return 0;
}

int ts_db_copy_end(PGconn *c, const char *what, int rc, struct ts_err *err)
{
    PGresult *res;
    if (PQputCopyEnd(c, rc ? "aborted by the client" : NULL) != 1 && !rc) {
        rc = ts_db_error(c, NULL, what, err);
    }
    while ((res = PQgetResult(c))) {
        if (!rc && PQresultStatus(res) != PGRES_COMMAND_OK) {
            rc = ts_db_error(c, res, what, err);
        }
        PQclear(res);
    }
    return rc;
}

int ts_db_copy_in(PGconn *c, const char *what, const char *sql, const char *data, size_t len,
                  struct ts_err *err)
{
    int rc = ts_db_copy_begin(c, what, sql, err);
    if (rc) {
        return rc;
    }
    return ts_db_copy_end(c, what, ts_db_copy_put(c, what, data, len, err), err);
}

void ts_db_finish(PGconn *c)
{
    if (c) {
        PQfinish(c);
    }
}
