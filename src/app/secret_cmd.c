/*
 * secret_cmd.c - `tradingsystem secret rotate`: a new key for the stored secrets
 * (auth/secret.h, docs/security.md "Secrets at rest"), and every stored secret re-sealed
 * under it.
 *
 * Order, so that a crash anywhere loses nothing: the keyring with the new key first (and
 * the old ones) is written whole; then the boxes are re-sealed in one transaction; a box the
 * crash left under an old key still opens with it, and the next rotate moves it.
 */
#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "app/commands.h"
#include "auth/secret.h"
#include "db/cluster.h"

const char ts_app_usage_secret[] =
    "usage: tradingsystem secret rotate\n"
    "\n"
    "Makes a new key for the stored secrets (the Telegram bots' tokens), keeps the old ones\n"
    "in the key file so that nothing stops opening, and re-seals every stored secret under\n"
    "the new key. The key file is TS_SECRET_KEY_FILE, default $TS_HOME/secret.key\n"
    "(made by the first serve, mode 0600).\n";

/* The tables that keep sealed secrets: (table, box column, key column). */
static const struct {
    const char *table, *box, *key;
    enum ts_module module;
} sealed[] = {
    {"\"tp-capital\".telegram_bots", "token_encrypted", "key_id", TS_MOD_TP_CAPITAL},
};

static int rotate(const struct ts_db_config *cfg, struct ts_err *err)
{
    struct ts_keyring kr;
    char path[4096];
    bool created = false;
    ts_keyring_path(cfg->home, path, sizeof(path));
    int rc = ts_keyring_load(path, false, &kr, &created, err);
    if (!rc) {
        rc = ts_keyring_rotate(path, &kr, err);
    }
    for (size_t i = 0; !rc && i < sizeof(sealed) / sizeof(sealed[0]); i++) {
        PGconn *c = NULL;
        long n = 0;
        rc = ts_db_connect(cfg->conninfo[sealed[i].module], &c, err);
        rc = rc ? rc
                : ts_secret_reseal(c, &kr, sealed[i].table, sealed[i].box, sealed[i].key, &n, err);
        ts_db_finish(c);
        if (!rc) {
            printf("%s: %ld secrets re-sealed\n", sealed[i].table, n);
        }
    }
    if (!rc) {
        printf("key %s is the current one (%d keys in %s)\n", kr.keys[0].id, kr.n, path);
    }
    ts_keyring_wipe(&kr);
    return rc;
}

int ts_app_secret(int argc, char **argv)
{
    if (argc < 1 || ts_app_is_help(argv[0])) {
        fputs(ts_app_usage_secret, argc < 1 ? stderr : stdout);
        return argc < 1 ? TS_APP_EXIT_USAGE : TS_APP_EXIT_OK;
    }
    if (strcmp(argv[0], "rotate") != 0 || argc != 1) {
        return ts_app_usage_error("usage: tradingsystem secret rotate");
    }
    struct ts_err err = TS_ERR_INIT;
    struct ts_db_config cfg;
    bool started = false;
    int rc = ts_app_config_load(&cfg, &err);
    if (rc) {
        return ts_app_fail(&err);
    }
    if (cfg.embedded[TS_MOD_TP_CAPITAL] && (rc = ts_cluster_start(cfg.home, &started, &err))) {
        ts_db_config_release(&cfg);
        return ts_app_fail(&err);
    }
    rc = ts_app_migrate(&cfg) != TS_APP_EXIT_OK ? ts_err_set(&err, TS_EDB, "not migrated")
                                                : rotate(&cfg, &err);
    int stop_rc = ts_app_cluster_release(&cfg, started);
    ts_db_config_release(&cfg);
    return rc ? ts_app_fail(&err) : stop_rc;
}
