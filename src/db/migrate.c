/*
 * migrate.c - versioned SQL migrations per module (DESIGN.md §2).
 *
 * A module's migrations are migrations/common/NNNN_name.sql (the machinery every
 * module database shares, one file for all of them) and migrations/<module>/
 * NNNN_name.sql, merged by number: a number used in both folders is refused. They
 * are applied in order, each in its own transaction, and recorded by file name
 * (without folder) with the SHA-256 of their text in public.schema_migrations, so
 * that a database migrated when each module folder held its own copy of
 * 0000_common.sql finds the same name and checksum today. Everything is checked
 * before anything is applied: an edited, vanished or out-of-order file refuses the
 * whole run. Concurrent runs are serialised by a session advisory lock. SHA-256 is
 * computed by the server (sha256(bytea), PostgreSQL >= 11) so that we need no
 * crypto library for it. Where the folders are is the caller's (cfg->migrations_dir).
 */
#include "db/db.h"

#include <libpq-fe.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"

/* pg_advisory_lock key: "tsmigrat" as an int64, shared by every module database. */
#define MIGRATE_LOCK_KEY "8391086447166890356"

/* The folder under migrations_dir whose files every module applies. */
#define COMMON_DIR "common"

struct mfile {
    int version;  /* NNNN */
    char *name;   /* file name without folder, as recorded; owned */
    char *path;   /* migrations_dir/<common|module>/name, for messages; owned */
    char *text;   /* file contents, owned */
    char sha[65]; /* hex SHA-256 as computed by the server */
};

static void mfiles_free(struct mfile *f, int n)
{
    for (int i = 0; i < n; i++) {
        ts_free(f[i].name);
        ts_free(f[i].path);
        ts_free(f[i].text);
    }
    ts_free(f);
}

static int cmp_mfile(const void *a, const void *b)
{
    const struct mfile *x = a, *y = b;
    return (x->version > y->version) - (x->version < y->version);
}

static int read_file(const char *path, char **out, struct ts_err *err)
{
    FILE *f = fopen(path, "rb");
    struct ts_buf b = TS_BUF_INIT;
    char chunk[8192];
    size_t n;

    if (!f) {
        return ts_err_set(err, TS_EIO, "cannot read %s: %s", path, strerror(errno));
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        ts_buf_add(&b, chunk, n);
    }
    if (ferror(f)) {
        fclose(f);
        ts_buf_release(&b);
        return ts_err_set(err, TS_EIO, "cannot read %s", path);
    }
    fclose(f);
    if (memchr(b.buf, '\0', b.len)) {
        ts_buf_release(&b);
        return ts_err_set(err, TS_EINVAL, "migration %s contains a NUL byte", path);
    }
    *out = ts_buf_detach(&b, NULL);
    return 0;
}

/* Valid names: 4 digits, '_', [a-z0-9_]+, ".sql". */
static int parse_name(const char *name, int *version)
{
    size_t len = strlen(name);
    if (len < 10 || strcmp(name + len - 4, ".sql") != 0) {
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        if (!isdigit((unsigned char)name[i])) {
            return -1;
        }
    }
    if (name[4] != '_') {
        return -1;
    }
    for (size_t i = 5; i < len - 4; i++) {
        char c = name[i];
        if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '_')) {
            return -1;
        }
    }
    *version =
        (name[0] - '0') * 1000 + (name[1] - '0') * 100 + (name[2] - '0') * 10 + (name[3] - '0');
    return 0;
}

/* The files of one folder, appended to *files (n used, cap allocated). */
static int list_files(const char *dir, struct mfile **files, int *n, int *cap, struct ts_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0;

    if (!d) {
        return ts_err_set(err, TS_EIO, "cannot open migrations folder %s: %s", dir,
                          strerror(errno));
    }
    while ((e = readdir(d))) {
        int version;
        if (e->d_name[0] == '.') {
            continue;
        }
        if (parse_name(e->d_name, &version)) {
            rc = ts_err_set(err, TS_EINVAL,
                            "unexpected file %s/%s: migrations are named NNNN_name.sql", dir,
                            e->d_name);
            goto out;
        }
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            *files = ts_xreallocarray(*files, (size_t)*cap, sizeof(**files));
        }
        struct mfile *f = &(*files)[*n];
        memset(f, 0, sizeof(*f));
        f->version = version;
        f->name = ts_xstrdup(e->d_name);
        struct ts_buf p = TS_BUF_INIT;
        ts_buf_addf(&p, "%s/%s", dir, e->d_name);
        f->path = ts_buf_detach(&p, NULL);
        (*n)++;
        rc = read_file(f->path, &f->text, err);
        if (rc) {
            goto out;
        }
    }
out:
    closedir(d);
    return rc;
}

/*
 * A module's migrations: the common folder's and the module folder's files, in
 * version order. A version in both (or twice anywhere) is refused: which file
 * would the recorded row be?
 */
static int module_files(const char *common, const char *dir, struct mfile **out, int *count,
                        struct ts_err *err)
{
    struct mfile *files = NULL;
    int n = 0, cap = 0;
    int rc = list_files(common, &files, &n, &cap, err);

    if (!rc) {
        rc = list_files(dir, &files, &n, &cap, err);
    }
    if (rc) {
        goto out;
    }
    if (n > 1) {
        qsort(files, (size_t)n, sizeof(*files), cmp_mfile);
    }
    for (int i = 1; i < n; i++) {
        if (files[i].version == files[i - 1].version) {
            rc = ts_err_set(err, TS_EINVAL, "two migrations numbered %04d: %s and %s",
                            files[i].version, files[i - 1].path, files[i].path);
            goto out;
        }
    }
out:
    if (rc) {
        mfiles_free(files, n);
        return rc;
    }
    *out = files;
    *count = n;
    return 0;
}

/* The dbname of a conninfo string, malloc'd; NULL when it names none. */
static char *conninfo_dbname(const char *conninfo)
{
    char *perr = NULL, *name = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
    PQfreemem(perr);
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (!strcmp(o->keyword, "dbname") && o->val && *o->val) {
            name = ts_xstrdup(o->val);
        }
    }
    PQconninfoFree(opts);
    return name;
}

/* CREATE DATABASE when the module's database does not exist yet (and we may). */
static int ensure_database(const char *conninfo, struct ts_err *err)
{
    PGconn *c = NULL;
    PGresult *res = NULL;
    char *dbname = conninfo_dbname(conninfo);
    int rc;

    if (!dbname) {
        return 0; /* libpq's default database: nothing we can create */
    }
    const char *params[1] = {dbname};
    if (ts_db_connect_db(conninfo, "postgres", &c, err)) {
        /* No maintenance database we may use: the module database must already exist. */
        ts_err_clear(err);
        ts_free(dbname);
        return 0;
    }
    rc = ts_db_exec(c, "look up database", "SELECT 1 FROM pg_database WHERE datname = $1", 1,
                    params, &res, err);
    if (rc) {
        goto out;
    }
    if (PQntuples(res) == 0) {
        /* Identifiers cannot be bound: quote it as one. */
        char *ident = PQescapeIdentifier(c, dbname, strlen(dbname));
        struct ts_buf sql = TS_BUF_INIT;
        ts_buf_addf(&sql, "CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0", ident);
        PQfreemem(ident);
        struct ts_err e2 = TS_ERR_INIT;
        rc = ts_db_exec(c, "create database", sql.buf, 0, NULL, NULL, &e2);
        ts_buf_release(&sql);
        if (rc && (!strcmp(e2.sqlstate, "42P04") || !strcmp(e2.sqlstate, "23505"))) {
            rc = 0; /* created by a concurrent run */
        } else if (rc) {
            if (err) {
                *err = e2;
            }
            ts_err_wrap(err, "database %s", dbname);
        } else {
            ts_info("db", "created database %s", dbname);
        }
    }
out:
    PQclear(res);
    PQfinish(c);
    ts_free(dbname);
    return rc;
}

static const char *const bookkeeping_sql =
    "CREATE TABLE IF NOT EXISTS public.schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),"
    " applied_at timestamptz NOT NULL DEFAULT now())";

/*
 * One run of ts_db_migrate() on one module: what its steps share. The connection holds
 * the migration lock from the bookkeeping step on.
 */
struct run {
    const char *mod;               /* the module's name (ts_db_module_name), static */
    struct ts_buf dir, common;     /* its migrations folder and the common one */
    struct mfile *files;           /* both folders' files in version order, owned */
    int nfiles;                    /* entries of files */
    PGconn *c;                     /* the module database, owned; NULL until connected */
    bool locked;                   /* c holds the migration lock */
    struct ts_migrate_report *rep; /* the caller's */
};

/* Takes the migration lock, then creates the bookkeeping table when missing. */
static int lock_and_prepare(struct run *run, struct ts_err *err)
{
    int rc = ts_db_exec(run->c, "take the migration lock",
                        "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", 0, NULL, NULL, err);
    if (rc) {
        return rc;
    }
    run->locked = true;
    return ts_db_exec(run->c, "create schema_migrations", bookkeeping_sql, 0, NULL, NULL, err);
}

/* Checksums by the server, so that what we compare is what it stores. */
static int checksum_files(struct run *run, struct ts_err *err)
{
    PGresult *res = NULL;

    for (int i = 0; i < run->nfiles; i++) {
        struct mfile *f = &run->files[i];
        const char *p[1] = {f->text};
        int rc = ts_db_exec(run->c, "checksum migration",
                            "SELECT encode(sha256(convert_to($1::text, 'UTF8')), 'hex')", 1, p,
                            &res, err);
        if (rc) {
            ts_err_wrap(err, "%s", f->path);
            return rc;
        }
        snprintf(f->sha, sizeof(f->sha), "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        res = NULL;
    }
    return 0;
}

/*
 * Each applied migration (rows of version, name, checksum) against its file: a file that
 * vanished or changed is refused. *max_applied: the highest version applied, -1 for none.
 */
static int check_applied_files(struct run *run, const PGresult *res, int *max_applied,
                               struct ts_err *err)
{
    *max_applied = -1;
    for (int r = 0; r < PQntuples(res); r++) {
        int v = atoi(PQgetvalue(res, r, 0));
        const char *name = PQgetvalue(res, r, 1);
        const char *sum = PQgetvalue(res, r, 2);
        struct mfile *f = NULL;
        for (int i = 0; i < run->nfiles; i++) {
            if (run->files[i].version == v) {
                f = &run->files[i];
            }
        }
        if (!f) {
            return ts_err_set(err, TS_ECHECKSUM,
                              "migration %s of %s was applied but its file is missing from %s "
                              "and %s",
                              name, run->mod, run->dir.buf, run->common.buf);
        }
        if (strcmp(f->sha, sum) != 0) {
            return ts_err_set(err, TS_ECHECKSUM,
                              "migration %s was changed after it was applied to %s (checksum "
                              "%.12s, applied %.12s): add a new migration instead of editing it",
                              f->path, run->mod, f->sha, sum);
        }
        if (v > *max_applied) {
            *max_applied = v;
        }
        run->rep->present++;
    }
    return 0;
}

/* A file not applied yet must come after every applied one: it would be skipped. */
static int check_pending_order(const struct run *run, const PGresult *res, int max_applied,
                               struct ts_err *err)
{
    for (int i = 0; i < run->nfiles; i++) {
        bool applied = false;
        for (int r = 0; r < PQntuples(res); r++) {
            applied |= atoi(PQgetvalue(res, r, 0)) == run->files[i].version;
        }
        if (!applied && run->files[i].version < max_applied) {
            return ts_err_set(err, TS_ESTATE,
                              "migration %s is new but %04d is already applied to %s: renumber "
                              "it after %04d",
                              run->files[i].name, max_applied, run->mod, max_applied);
        }
    }
    return 0;
}

/* Verifies everything before anything is applied; *max_applied as check_applied_files(). */
static int check_applied(struct run *run, int *max_applied, struct ts_err *err)
{
    PGresult *res = NULL;
    int rc = ts_db_exec(run->c, "read applied migrations",
                        "SELECT version, name, checksum FROM public.schema_migrations ORDER BY "
                        "version",
                        0, NULL, &res, err);
    if (!rc) {
        rc = check_applied_files(run, res, max_applied, err);
    }
    if (!rc) {
        rc = check_pending_order(run, res, *max_applied, err);
    }
    PQclear(res);
    return rc;
}

/* Applies f in its own transaction with its row in schema_migrations. */
static int apply_one(PGconn *c, const struct mfile *f, struct ts_err *err)
{
    char ver[16];
    snprintf(ver, sizeof(ver), "%d", f->version);
    const char *p[3] = {ver, f->name, f->sha};
    int rc = ts_db_exec(c, "begin", "BEGIN", 0, NULL, NULL, err);
    if (!rc) {
        rc = ts_db_exec_script(c, "apply migration", f->text, err);
    }
    if (!rc) {
        rc = ts_db_exec(c, "record migration",
                        "INSERT INTO public.schema_migrations (version, name, checksum) "
                        "VALUES ($1, $2, $3)",
                        3, p, NULL, err);
    }
    if (!rc) {
        rc = ts_db_exec(c, "commit migration", "COMMIT", 0, NULL, NULL, err);
    }
    if (rc) {
        struct ts_err ignored = TS_ERR_INIT;
        if (PQtransactionStatus(c) != PQTRANS_IDLE) {
            if (ts_db_exec(c, "rollback", "ROLLBACK", 0, NULL, NULL, &ignored)) {
                /* the connection is gone: the server rolled back for us */
            }
        }
        ts_err_wrap(err, "%s", f->path);
    }
    return rc;
}

/* Applies the files after max_applied, in order; the first failure stops the run. */
static int apply_pending(struct run *run, int max_applied, struct ts_err *err)
{
    for (int i = 0; i < run->nfiles; i++) {
        if (run->files[i].version <= max_applied) {
            continue;
        }
        int rc = apply_one(run->c, &run->files[i], err);
        if (rc) {
            return rc;
        }
        ts_info("db", "applied %s/%s", run->mod, run->files[i].name);
        run->rep->applied++;
    }
    return 0;
}

/* Partitions for "now" (and a little ahead) after every migrate, where the schema has them. */
static int maintain_partitions(struct run *run, struct ts_err *err)
{
    PGresult *res = NULL;
    int rc = ts_db_exec(
        run->c, "look up partition maintenance",
        "SELECT to_regprocedure('public.ts_partition_maintain(timestamptz)') IS NOT NULL", 0, NULL,
        &res, err);
    if (rc || PQgetvalue(res, 0, 0)[0] != 't') {
        goto out;
    }
    PQclear(res);
    res = NULL;
    rc = ts_db_exec(run->c, "maintain partitions", "SELECT public.ts_partition_maintain(now())", 0,
                    NULL, &res, err);
    if (rc) {
        goto out;
    }
    if (atoll(PQgetvalue(res, 0, 0)) > 0) {
        ts_warn("db", "%s: moved %s rows out of default partitions", run->mod,
                PQgetvalue(res, 0, 0));
    }
out:
    PQclear(res);
    return rc;
}

/* Releases the lock (when held on a live connection) and closes the connection. */
static void run_close(struct run *run)
{
    if (run->c && run->locked && PQstatus(run->c) == CONNECTION_OK) {
        struct ts_err ignored = TS_ERR_INIT;
        if (ts_db_exec(run->c, "release the migration lock",
                       "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", 0, NULL, NULL,
                       &ignored)) {
            /* closing the session releases it anyway */
        }
    }
    if (run->c) {
        PQfinish(run->c);
    }
    mfiles_free(run->files, run->nfiles);
    ts_buf_release(&run->dir);
    ts_buf_release(&run->common);
}

int ts_db_migrate(const struct ts_db_config *cfg, enum ts_module m, struct ts_migrate_report *rep,
                  struct ts_err *err)
{
    struct run run = {
        .mod = ts_db_module_name(m), .dir = TS_BUF_INIT, .common = TS_BUF_INIT, .rep = rep};
    int max_applied = -1;
    int rc;

    memset(rep, 0, sizeof(*rep));
    ts_buf_addf(&run.dir, "%s/%s", cfg->migrations_dir, run.mod);
    ts_buf_addf(&run.common, "%s/%s", cfg->migrations_dir, COMMON_DIR);
    rc = module_files(run.common.buf, run.dir.buf, &run.files, &run.nfiles, err);
    if (!rc) {
        rc = ensure_database(cfg->conninfo[m], err);
    }
    if (!rc) {
        rc = ts_db_connect(cfg->conninfo[m], &run.c, err);
    }
    if (!rc) {
        rc = lock_and_prepare(&run, err);
    }
    if (!rc) {
        rc = checksum_files(&run, err);
    }
    if (!rc) {
        rc = check_applied(&run, &max_applied, err);
    }
    if (!rc) {
        rc = apply_pending(&run, max_applied, err);
    }
    if (!rc) {
        rc = maintain_partitions(&run, err);
    }
    run_close(&run);
    return rc;
}
