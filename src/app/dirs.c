/*
 * dirs.c - where the program's data files are: the migrations (migrations/) and the
 * dashboard (web/dist), read at run time by `db migrate`/`serve` and served at `/`.
 *
 * Each folder is, first found:
 *   1. its environment variable (TS_MIGRATIONS_DIR, TS_WEB_DIR), used as given;
 *   2. next to the running program as `cmake --install` lays it out:
 *      <prefix>/bin/tradingsystem -> <prefix>/share/tradingsystem/{migrations,web}
 *      (the program is found through /proc/self/exe, so it may be started from any
 *      directory, through any symlink);
 *   3. the source tree this binary was built from (a build tree's binary).
 * Only the app layer knows this: it hands the folders down (ts_db_config_load(),
 * api.web_dir). It does not check that the folders hold what they should: the
 * migration runner and the dashboard's routes say what is missing.
 * See docs/operations.md "Install".
 */
#include "app/cli.h"

#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

#ifndef TS_INSTALL_DATA_REL
#define TS_INSTALL_DATA_REL "../share/tradingsystem"
#endif
#ifndef TS_BUILD_MIGRATIONS_DIR
#error "TS_BUILD_MIGRATIONS_DIR (the source tree's migrations/) is set by CMakeLists.txt"
#endif
#ifndef TS_BUILD_WEB_DIR
#error "TS_BUILD_WEB_DIR (the source tree's web/dist) is set by CMakeLists.txt"
#endif

/* The directory of the running program (no trailing '/'); false when unknown. */
static bool exe_dir(char *out, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", out, size - 1);
    if (n <= 0 || (size_t)n >= size - 1) {
        return false; /* no /proc, or a path too long to be sure of */
    }
    out[n] = '\0';
    char *slash = strrchr(out, '/');
    if (!slash || slash == out) {
        return false;
    }
    *slash = '\0';
    return true;
}

/* Sets out to one folder (see the file comment); which of the three is logged. */
static int find_dir(char *out, size_t size, const char *env, const char *exe, const char *sub,
                    const char *built, struct ts_err *err)
{
    const char *given = getenv(env);
    int n;

    if (given && *given) {
        n = snprintf(out, size, "%s", given);
        if (n < 0 || (size_t)n >= size) {
            return ts_err_set(err, TS_ERANGE, "%s is longer than %zu bytes", env, size - 1);
        }
        ts_debug("app", "%s: %s (from %s)", sub, out, env);
        return 0;
    }
    if (exe) {
        char candidate[PATH_MAX];
        struct stat st;
        n = snprintf(candidate, sizeof(candidate), "%s/%s/%s", exe, TS_INSTALL_DATA_REL, sub);
        if (n > 0 && (size_t)n < sizeof(candidate) && stat(candidate, &st) == 0 &&
            S_ISDIR(st.st_mode) && realpath(candidate, out)) {
            ts_debug("app", "%s: %s (installed next to the program)", sub, out);
            return 0;
        }
    }
    n = snprintf(out, size, "%s", built);
    if (n < 0 || (size_t)n >= size) {
        return ts_err_set(err, TS_ERANGE, "the built-in %s folder is longer than %zu bytes", sub,
                          size - 1);
    }
    ts_debug("app", "%s: %s (the source tree)", sub, out);
    return 0;
}

int ts_app_dirs_find(struct ts_app_dirs *d, struct ts_err *err)
{
    char exe[PATH_MAX];
    const char *at = exe_dir(exe, sizeof(exe)) ? exe : NULL;
    int rc;

    static_assert(sizeof(d->migrations) >= PATH_MAX, "realpath() writes up to PATH_MAX bytes");
    static_assert(sizeof(d->web) >= PATH_MAX, "realpath() writes up to PATH_MAX bytes");
    rc = find_dir(d->migrations, sizeof(d->migrations), "TS_MIGRATIONS_DIR", at, "migrations",
                  TS_BUILD_MIGRATIONS_DIR, err);
    if (!rc) {
        rc = find_dir(d->web, sizeof(d->web), "TS_WEB_DIR", at, "web", TS_BUILD_WEB_DIR, err);
    }
    return rc;
}

int ts_app_config_load(struct ts_db_config *cfg, struct ts_err *err)
{
    struct ts_app_dirs dirs;
    int rc = ts_app_dirs_find(&dirs, err);
    if (rc) {
        return rc;
    }
    return ts_db_config_load(cfg, dirs.migrations, err);
}
