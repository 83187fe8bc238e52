/*
 * user.c - `tradingsystem user ...`: the users of the server and their credentials
 * (auth/auth.h, docs/security.md), and the admin of serve's first run.
 *
 * A secret is printed once, alone on stdout (so that T=$(tradingsystem user add ...)
 * works); what it is and how to revoke it go to stderr. A password is read from stdin,
 * never from the command line (ps shows arguments to every user of the machine).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli.h"
#include "app/commands.h"
#include "auth/auth.h"
#include "core/uuid.h"
#include "db/cluster.h"

const char ts_app_usage_user[] =
    "usage: tradingsystem user <command>\n"
    "\n"
    "The users of the server and their credentials (docs/security.md).\n"
    "\n"
    "commands:\n"
    "  add NAME --role ROLE [--accounts all|ID,...]\n"
    "                      a new user (ROLE: viewer, trader, admin; accounts: the\n"
    "                      order-manager accounts they may see and trade, default all);\n"
    "                      prints an API token for them, alone on stdout\n"
    "  token NAME [--name LABEL]\n"
    "                      prints another API token for NAME\n"
    "  revoke ID           revokes a token or a session by its id (`user list`)\n"
    "  disable NAME        disables NAME and revokes every credential of theirs\n"
    "  list                the users and their live tokens and sessions\n"
    "  login-url NAME      prints a one-time login link for the dashboard (15 minutes)\n"
    "  passwd NAME         sets NAME's password, read from stdin (8 to 1024 characters)\n"
    "\n"
    "environment: TS_HTTP_ADDR (the address login-url names, default 127.0.0.1:8080;\n"
    "https:// when TS_TLS_CERT is set),\n"
    "and the database settings of `tradingsystem --help`.\n";

/* The workspace database, migrated (a first command may come before any serve). */
struct wsdb {
    struct ts_db_config cfg;
    bool started;
    PGconn *c;
};

static int ws_open(struct wsdb *w, struct ts_err *err)
{
    memset(w, 0, sizeof(*w));
    int rc = ts_app_config_load(&w->cfg, err);
    if (rc) {
        return rc;
    }
    if (w->cfg.embedded[TS_MOD_WORKSPACE] &&
        (rc = ts_cluster_start(w->cfg.home, &w->started, err))) {
        return rc;
    }
    if (ts_app_migrate(&w->cfg) != TS_APP_EXIT_OK) {
        return ts_err_set(err, TS_EDB, "the databases could not be migrated");
    }
    return ts_db_connect(w->cfg.conninfo[TS_MOD_WORKSPACE], &w->c, err);
}

static int ws_close(struct wsdb *w, int rc)
{
    ts_db_finish(w->c);
    int stop_rc = ts_app_cluster_release(&w->cfg, w->started);
    ts_db_config_release(&w->cfg);
    return rc ? rc : stop_rc;
}

/* The link `serve` on addr ("host:port") answers; 0.0.0.0 and :: become loopback. */
static void login_url(const char *addr, bool tls, const char *secret, char *out, size_t cap)
{
    const char *a = addr && *addr ? addr : "127.0.0.1:8080";
    const char *port = strrchr(a, ':');
    const char *scheme = tls ? "https" : "http";
    if (!strncmp(a, "0.0.0.0:", 8) || !strncmp(a, "[::]:", 5)) {
        snprintf(out, cap, "%s://127.0.0.1%s/login?token=%s", scheme, port, secret);
    } else {
        snprintf(out, cap, "%s://%s/login?token=%s", scheme, a, secret);
    }
}

int ts_app_login_link(PGconn *c, const char *user, const char *addr, bool tls, char *out,
                      size_t cap, struct ts_err *err)
{
    char id[37], uid[37], secret[TS_AUTH_SECRET_LEN + 1];
    int rc = ts_auth_user_id(c, user, uid, err);
    if (!rc) {
        rc = ts_auth_credential_new(c, uid, TS_CRED_LINK, "login link", NULL, secret, id, err);
    }
    if (!rc) {
        login_url(addr, tls, secret, out, cap);
    }
    return rc;
}

/* --accounts all|ID,...: into ids (up to max); *all when "all". 0 or a usage error. */
static int parse_accounts(char *arg, bool *all, const char **ids, int max, int *n)
{
    *n = 0;
    *all = !strcmp(arg, "all");
    for (char *save = NULL, *t = *all ? NULL : strtok_r(arg, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        struct ts_uuid u;
        if (ts_uuid_parse(t, strlen(t), &u) != 0) {
            return ts_app_usage_error("--accounts: '%.40s' is not an account id (a UUID)", t);
        }
        if (*n == max) {
            return ts_app_usage_error("--accounts: at most %d ids", max);
        }
        ids[(*n)++] = t;
    }
    return !*all && *n == 0 ? ts_app_usage_error("--accounts takes all or account ids") : 0;
}

/* Prints a new API token of user on stdout; what it is on stderr. */
static int print_token(PGconn *c, const char *user, const char *label, struct ts_err *err)
{
    char id[37], uid[37], secret[TS_AUTH_SECRET_LEN + 1];
    int rc = ts_auth_user_id(c, user, uid, err);
    if (!rc) {
        rc = ts_auth_credential_new(c, uid, TS_CRED_TOKEN, label, NULL, secret, id, err);
    }
    if (!rc) {
        rc = ts_auth_event(c, "token_created", user, NULL, id, err);
    }
    if (!rc) {
        printf("%s\n", secret);
        fprintf(stderr,
                "tradingsystem: API token %s of %s (shown once; send it as \"Authorization: "
                "Bearer TOKEN\"; `tradingsystem user revoke %s` revokes it)\n",
                id, user, id);
    }
    return rc;
}

static int cmd_add(struct wsdb *w, int argc, char **argv, struct ts_err *err)
{
    const char *name = NULL, *role = NULL, *ids[TS_AUTH_MAX_ACCOUNTS];
    char *accounts = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--role") && i + 1 < argc) {
            role = argv[++i];
        } else if (!strcmp(argv[i], "--accounts") && i + 1 < argc) {
            accounts = argv[++i];
        } else if (argv[i][0] != '-' && !name) {
            name = argv[i];
        } else {
            return ts_app_usage_error("user add: unexpected '%s'", argv[i]);
        }
    }
    if (!name || !role) {
        return ts_app_usage_error("usage: tradingsystem user add NAME --role viewer|trader|admin "
                                  "[--accounts all|ID,...]");
    }
    if (!ts_auth_username_ok(name)) {
        return ts_app_usage_error("user add: '%.100s' is not a user name (1 to 100 letters, "
                                  "digits or ._@-, starting with a letter or digit)",
                                  name);
    }
    if (ts_role_parse(role) == TS_ROLE_NONE) {
        return ts_app_usage_error("user add: role '%s' is not viewer, trader or admin", role);
    }
    bool all = true;
    int n = 0, rc;
    char buf[4096];
    if (accounts) {
        snprintf(buf, sizeof(buf), "%s", accounts);
        if ((rc = parse_accounts(buf, &all, ids, TS_AUTH_MAX_ACCOUNTS, &n)) != 0) {
            return rc;
        }
    }
    char uid[37];
    rc = ws_open(w, err);
    rc = rc ? rc : ts_auth_user_add(w->c, name, ts_role_parse(role), all, ids, n, uid, err);
    return rc ? rc : print_token(w->c, name, "first token", err);
}

/* One row of `user list` per user, then one per live credential. */
static int cmd_list(struct wsdb *w, struct ts_err *err)
{
    PGresult *r = NULL;
    int rc = ws_open(w, err);
    rc = rc ? rc
            : ts_db_exec(
                  w->c, "list users",
                  "SELECT u.username, u.role, u.status,"
                  " CASE WHEN u.all_accounts THEN 'all' ELSE (SELECT count(*)::text FROM"
                  " workspace.user_accounts a WHERE a.user_id = u.id) END,"
                  " coalesce(c.id::text, ''), coalesce(c.kind, ''), coalesce(c.name, ''),"
                  " coalesce(to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), ''),"
                  " coalesce(to_char(c.last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), '-')"
                  " FROM workspace.users u LEFT JOIN workspace.credentials c ON c.user_id = u.id"
                  " AND c.revoked_at IS NULL AND c.kind <> 'link'"
                  " AND (c.expires_at IS NULL OR c.expires_at > now())"
                  " ORDER BY u.username, c.created_at",
                  0, NULL, &r, err);
    if (rc) {
        return rc;
    }
    printf("%-20s %-7s %-9s %-8s %-36s %-8s %-17s %s\n", "USER", "ROLE", "STATUS", "ACCOUNTS",
           "CREDENTIAL", "KIND", "CREATED (UTC)", "LAST USED");
    for (int i = 0; i < ts_db_nrows(r); i++) {
        printf("%-20s %-7s %-9s %-8s %-36s %-8s %-17s %s\n", ts_db_val(r, i, 0), ts_db_val(r, i, 1),
               ts_db_val(r, i, 2), ts_db_val(r, i, 3), ts_db_val(r, i, 4), ts_db_val(r, i, 5),
               ts_db_val(r, i, 7), *ts_db_val(r, i, 4) ? ts_db_val(r, i, 8) : "");
    }
    ts_db_clear(r);
    return 0;
}

/* A password from stdin: one line, its newline dropped. */
static int read_password(char *buf, size_t cap)
{
    if (!fgets(buf, (int)cap, stdin)) {
        return ts_app_usage_error("user passwd: give the password on stdin");
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

/* The commands that take one NAME or ID. */
static int cmd_one(struct wsdb *w, const char *cmd, int argc, char **argv, struct ts_err *err)
{
    const char *label = NULL;
    if (argc == 3 && !strcmp(cmd, "token") && !strcmp(argv[1], "--name")) {
        label = argv[2];
    } else if (argc != 1 || argv[0][0] == '-') {
        return ts_app_usage_error("usage: tradingsystem user %s %s", cmd,
                                  strcmp(cmd, "revoke") ? "NAME" : "ID");
    }
    char pw[1100], url[512];
    struct ts_uuid u;
    int rc = 0;
    if (!strcmp(cmd, "revoke") && ts_uuid_parse(argv[0], strlen(argv[0]), &u) != 0) {
        return ts_app_usage_error("user revoke: '%.40s' is not a credential id (`user list`)",
                                  argv[0]);
    }
    if (!strcmp(cmd, "passwd") && (rc = read_password(pw, sizeof(pw))) != 0) {
        return rc;
    }
    rc = ws_open(w, err);
    if (rc) {
        return rc;
    }
    if (!strcmp(cmd, "token")) {
        return print_token(w->c, argv[0], label, err);
    }
    if (!strcmp(cmd, "revoke")) {
        rc = ts_auth_revoke(w->c, argv[0], err);
        return rc ? rc : ts_auth_event(w->c, "token_revoked", NULL, NULL, argv[0], err);
    }
    if (!strcmp(cmd, "disable")) {
        return ts_auth_user_disable(w->c, argv[0], err);
    }
    if (!strcmp(cmd, "passwd")) {
        return ts_auth_user_password(w->c, argv[0], pw, err);
    }
    const char *cert = getenv("TS_TLS_CERT");
    rc = ts_app_login_link(w->c, argv[0], getenv("TS_HTTP_ADDR"), cert && *cert, url, sizeof(url),
                           err);
    if (!rc) {
        printf("%s\n", url);
    }
    return rc;
}

int ts_app_user(int argc, char **argv)
{
    if (argc < 1 || ts_app_is_help(argv[0])) {
        fputs(ts_app_usage_user, argc < 1 ? stderr : stdout);
        return argc < 1 ? TS_APP_EXIT_USAGE : TS_APP_EXIT_OK;
    }
    static const char *const one[] = {"token", "revoke", "disable", "login-url", "passwd"};
    struct ts_err err = TS_ERR_INIT;
    struct wsdb w;
    bool known = true;
    int rc = 0;
    memset(&w, 0, sizeof(w));
    if (!strcmp(argv[0], "add")) {
        rc = cmd_add(&w, argc - 1, argv + 1, &err);
    } else if (!strcmp(argv[0], "list") && argc == 1) {
        rc = cmd_list(&w, &err);
    } else {
        known = false;
        for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
            if (!strcmp(argv[0], one[i])) {
                known = true;
                rc = cmd_one(&w, one[i], argc - 1, argv + 1, &err);
            }
        }
    }
    if (!known) {
        return ts_app_usage_error("user: unknown command '%s'", argv[0]);
    }
    if (rc == TS_APP_EXIT_USAGE) {
        return rc; /* said already, nothing opened */
    }
    if (rc == TS_EINVAL) {
        fprintf(stderr, "tradingsystem: %s\n", err.msg);
        (void)ws_close(&w, 0);
        return TS_APP_EXIT_USAGE;
    }
    if (rc) {
        (void)ws_close(&w, 0);
        return ts_app_fail(&err);
    }
    return ws_close(&w, 0);
}
