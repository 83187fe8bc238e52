/*
 * auth.c - users, credentials and logins over the workspace database (auth.h).
 *
 * A secret reaches the database only as its SHA-256 (bytea, bound as a parameter); a
 * password only as its argon2id string. Error messages name the user at most, never a
 * secret. The expiry rules live in the statements (now() of the database), so every
 * process that reads the tables applies the same ones.
 */
#include "auth/auth.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

static void sodium_ready(void)
{
    if (sodium_init() < 0) {
        ts_error("auth", "libsodium cannot start: no secrets can be made");
        abort(); /* no randomness: nothing safe to do */
    }
}

enum ts_role ts_role_parse(const char *s)
{
    static const char *const names[] = {"viewer", "trader", "admin"};
    for (int i = 0; s && i < 3; i++) {
        if (!strcmp(s, names[i])) {
            return (enum ts_role)(i + 1);
        }
    }
    return TS_ROLE_NONE;
}

const char *ts_role_name(enum ts_role r)
{
    static const char *const names[] = {"none", "viewer", "trader", "admin"};
    return r >= TS_ROLE_NONE && r <= TS_ROLE_ADMIN ? names[r] : "none";
}

void ts_auth_secret_new(char out[TS_AUTH_SECRET_LEN + 1])
{
    unsigned char raw[32];
    sodium_ready();
    randombytes_buf(raw, sizeof(raw));
    memcpy(out, "ts_", 3);
    sodium_bin2base64(out + 3, TS_AUTH_SECRET_LEN + 1 - 3, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

bool ts_auth_secret_shape(const char *s)
{
    if (!s || strncmp(s, "ts_", 3) != 0 || strlen(s) != TS_AUTH_SECRET_LEN) {
        return false;
    }
    for (const char *p = s + 3; *p; p++) {
        bool ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                  (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
        if (!ok) {
            return false;
        }
    }
    return true;
}

void ts_auth_secret_digest(const char *secret, unsigned char out[32])
{
    sodium_ready();
    crypto_hash_sha256(out, (const unsigned char *)secret, strlen(secret));
}

/* '\x' and the hex of SHA-256(secret): a bytea literal for a text parameter. */
static void secret_hash(const char *secret, char out[2 + 64 + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    ts_auth_secret_digest(secret, h);
    out[0] = '\\';
    out[1] = 'x';
    sodium_bin2hex(out + 2, 65, h, sizeof(h));
}

static const char *const kind_names[] = {"token", "session", "link"};

static int kind_of(const char *s)
{
    for (int i = 0; i < 3; i++) {
        if (!strcmp(s, kind_names[i])) {
            return i;
        }
    }
    return -1;
}

#define WHO_COLUMNS                                                                                \
    "u.id, u.username, u.role, u.all_accounts, (SELECT coalesce(array_agg(a.account_id ORDER BY"   \
    " a.account_id)::text, '{}') FROM workspace.user_accounts a WHERE a.user_id = u.id)"

/* Fills who from a row whose first columns are WHO_COLUMNS. */
static void who_from(const PGresult *r, struct ts_principal *who)
{
    snprintf(who->user_id, sizeof(who->user_id), "%s", ts_db_val(r, 0, 0));
    snprintf(who->username, sizeof(who->username), "%s", ts_db_val(r, 0, 1));
    who->role = ts_role_parse(ts_db_val(r, 0, 2));
    who->all_accounts = !strcmp(ts_db_val(r, 0, 3), "t");
    snprintf(who->accounts, sizeof(who->accounts), "%s", ts_db_val(r, 0, 4));
}

int ts_auth_verify(PGconn *c, const char *secret, unsigned kinds, struct ts_principal *out,
                   struct ts_err *err)
{
    char hash[67], kindset[32];
    memset(out, 0, sizeof(*out));
    if (!ts_auth_secret_shape(secret)) {
        return ts_err_set(err, TS_EAUTH, "not logged in: no valid credentials");
    }
    secret_hash(secret, hash);
    size_t k = 0;
    for (int i = 0; i < 3; i++) {
        if (kinds & (1u << i)) {
            k += (size_t)snprintf(kindset + k, sizeof(kindset) - k, "%c%s", k ? ',' : '{',
                                  kind_names[i]);
        }
    }
    snprintf(kindset + k, sizeof(kindset) - k, "%s", k ? "}" : "{}");
    char idle[24];
    snprintf(idle, sizeof(idle), "%d", TS_AUTH_SESSION_IDLE_S);
    const char *p[3] = {hash, kindset, idle};
    PGresult *r = NULL;
    int rc = ts_db_exec(c, "check credentials",
                        "SELECT " WHO_COLUMNS ", cr.id, cr.kind,"
                        " cr.last_used_at IS NULL OR cr.last_used_at < now() - interval '60 s'"
                        " FROM workspace.credentials cr JOIN workspace.users u ON u.id = cr.user_id"
                        " WHERE cr.secret_hash = $1::bytea AND cr.kind = ANY ($2::text[])"
                        " AND cr.revoked_at IS NULL"
                        " AND (cr.expires_at IS NULL OR cr.expires_at > now())"
                        " AND (cr.kind <> 'session'"
                        "      OR cr.last_used_at > now() - make_interval(secs => $3::int))"
                        " AND u.status = 'active'",
                        3, p, &r, err);
    if (rc) {
        return rc;
    }
    if (ts_db_nrows(r) != 1) {
        ts_db_clear(r);
        return ts_err_set(err, TS_EAUTH,
                          "not logged in: the credentials are unknown, expired or revoked");
    }
    who_from(r, out);
    snprintf(out->credential_id, sizeof(out->credential_id), "%s", ts_db_val(r, 0, 5));
    out->kind = (enum ts_cred_kind)kind_of(ts_db_val(r, 0, 6));
    bool stale = !strcmp(ts_db_val(r, 0, 7), "t");
    ts_db_clear(r);
    if (stale) {
        const char *q[1] = {out->credential_id};
        rc = ts_db_exec(c, "note the credential's use",
                        "UPDATE workspace.credentials SET last_used_at = now() WHERE id = $1", 1, q,
                        NULL, err);
    }
    return rc;
}

int ts_auth_each_live(PGconn *c, unsigned kinds,
                      void (*fn)(void *ctx, const unsigned char key[32],
                                 const struct ts_principal *who),
                      void *ctx, struct ts_err *err)
{
    PGresult *r = NULL;
    char idle[24];
    snprintf(idle, sizeof(idle), "%d", TS_AUTH_SESSION_IDLE_S);
    const char *p[1] = {idle};
    int rc = ts_db_exec(c, "read the live credentials",
                        "SELECT " WHO_COLUMNS ", cr.id, cr.kind, encode(cr.secret_hash, 'hex')"
                        " FROM workspace.credentials cr JOIN workspace.users u ON u.id = cr.user_id"
                        " WHERE cr.revoked_at IS NULL AND cr.kind <> 'link'"
                        " AND (cr.expires_at IS NULL OR cr.expires_at > now())"
                        " AND (cr.kind <> 'session'"
                        "      OR cr.last_used_at > now() - make_interval(secs => $1::int))"
                        " AND u.status = 'active'",
                        1, p, &r, err);
    for (int i = 0; !rc && i < ts_db_nrows(r); i++) {
        struct ts_principal who;
        unsigned char key[32];
        size_t n = 0;
        int kind = kind_of(ts_db_val(r, i, 6));
        memset(&who, 0, sizeof(who));
        snprintf(who.user_id, sizeof(who.user_id), "%s", ts_db_val(r, i, 0));
        snprintf(who.username, sizeof(who.username), "%s", ts_db_val(r, i, 1));
        who.role = ts_role_parse(ts_db_val(r, i, 2));
        who.all_accounts = !strcmp(ts_db_val(r, i, 3), "t");
        snprintf(who.accounts, sizeof(who.accounts), "%s", ts_db_val(r, i, 4));
        snprintf(who.credential_id, sizeof(who.credential_id), "%s", ts_db_val(r, i, 5));
        who.kind = (enum ts_cred_kind)kind;
        if (kind >= 0 && (kinds & (1u << kind)) &&
            sodium_hex2bin(key, sizeof(key), ts_db_val(r, i, 7), ts_db_len(r, i, 7), NULL, &n,
                           NULL) == 0 &&
            n == sizeof(key)) {
            fn(ctx, key, &who);
        }
    }
    ts_db_clear(r);
    return rc;
}

int ts_auth_credential_new(PGconn *c, const char *user_id, enum ts_cred_kind kind, const char *name,
                           const char *from, char secret[TS_AUTH_SECRET_LEN + 1], char id[37],
                           struct ts_err *err)
{
    char hash[67], ttl[24];
    ts_auth_secret_new(secret);
    secret_hash(secret, hash);
    int secs = kind == TS_CRED_SESSION ? TS_AUTH_SESSION_MAX_S
               : kind == TS_CRED_LINK  ? TS_AUTH_LINK_S
                                       : 0;
    snprintf(ttl, sizeof(ttl), "%d", secs);
    const char *p[6] = {user_id, kind_names[kind], name, hash, secs ? ttl : NULL, from};
    PGresult *r = NULL;
    int rc = ts_db_exec(c, "make a credential",
                        "INSERT INTO workspace.credentials (user_id, kind, name, secret_hash,"
                        " expires_at, last_used_at, created_from) VALUES ($1, $2, $3, $4::bytea,"
                        " now() + make_interval(secs => $5::int),"
                        " CASE WHEN $2::varchar = 'session' THEN now() END, $6) RETURNING id",
                        6, p, &r, err);
    if (!rc) {
        snprintf(id, 37, "%s", ts_db_val(r, 0, 0));
    } else {
        sodium_memzero(secret, TS_AUTH_SECRET_LEN + 1);
    }
    ts_db_clear(r);
    return rc;
}

int ts_auth_revoke(PGconn *c, const char *credential_id, struct ts_err *err)
{
    const char *p[1] = {credential_id};
    PGresult *r = NULL;
    int rc = ts_db_exec(c, "revoke a credential",
                        "UPDATE workspace.credentials SET revoked_at = now()"
                        " WHERE id = $1::uuid AND revoked_at IS NULL RETURNING kind",
                        1, p, &r, err);
    if (!rc && ts_db_nrows(r) != 1) {
        rc = ts_err_set(err, TS_ENOTFOUND, "no live credential '%s'", credential_id);
    }
    ts_db_clear(r);
    return rc;
}

int ts_auth_event(PGconn *c, const char *event, const char *username, const char *from,
                  const char *detail, struct ts_err *err)
{
    const char *p[4] = {event, username, from, detail};
    return ts_db_exec(c, "record an auth event",
                      "INSERT INTO workspace.auth_events (event, username, address, detail)"
                      " VALUES ($1, $2, $3, $4)",
                      4, p, NULL, err);
}

/* Whether recent failures of the user or the address pass the limit. */
static int over_limit(PGconn *c, const char *username, const char *from, bool *over,
                      struct ts_err *err)
{
    char win[24], mu[24], ma[24];
    snprintf(win, sizeof(win), "%d", TS_AUTH_FAIL_WINDOW_S);
    snprintf(mu, sizeof(mu), "%d", TS_AUTH_MAX_FAILS);
    snprintf(ma, sizeof(ma), "%d", TS_AUTH_MAX_FAILS_ADDR);
    const char *p[5] = {username, from, win, mu, ma};
    PGresult *r = NULL;
    int rc = ts_db_exec(c, "count failed logins",
                        "SELECT (SELECT count(*) FROM workspace.auth_events WHERE event ="
                        " 'login_failed' AND username = $1"
                        " AND at > now() - make_interval(secs => $3::int)) >= $4::int"
                        " OR (SELECT count(*) FROM workspace.auth_events WHERE event ="
                        " 'login_failed' AND address = $2"
                        " AND at > now() - make_interval(secs => $3::int)) >= $5::int",
                        5, p, &r, err);
    *over = !rc && !strcmp(ts_db_val(r, 0, 0), "t");
    ts_db_clear(r);
    return rc;
}

/* A session for who, recorded as event. */
static int open_session(PGconn *c, const struct ts_principal *who, const char *event,
                        const char *from, char secret[TS_AUTH_SECRET_LEN + 1], struct ts_err *err)
{
    char id[37];
    int rc = ts_auth_credential_new(c, who->user_id, TS_CRED_SESSION, NULL, from, secret, id, err);
    if (!rc) {
        rc = ts_auth_event(c, event, who->username, from, NULL, err);
    }
    return rc;
}

int ts_auth_login(PGconn *c, const char *username, const char *password, const char *from,
                  struct ts_principal *who, char secret[TS_AUTH_SECRET_LEN + 1], struct ts_err *err)
{
    bool over = false;
    memset(who, 0, sizeof(*who));
    int rc = over_limit(c, username, from, &over, err);
    if (rc) {
        return rc;
    }
    if (over) {
        return ts_err_set(err, TS_ELIMIT, "too many failed logins: try again in %d minutes",
                          TS_AUTH_FAIL_WINDOW_S / 60);
    }
    const char *p[1] = {username};
    PGresult *r = NULL;
    rc =
        ts_db_exec(c, "find the user",
                   "SELECT " WHO_COLUMNS ", u.password_hash FROM workspace.users u"
                   " WHERE u.username = $1 AND u.status = 'active' AND u.password_hash IS NOT NULL",
                   1, p, &r, err);
    if (rc) {
        return rc;
    }
    bool ok = false;
    if (ts_db_nrows(r) == 1) {
        ok = crypto_pwhash_str_verify(ts_db_val(r, 0, 5), password, strlen(password)) == 0;
        who_from(r, who);
    } else {
        /* the same work for an unknown name: the time says nothing about who exists */
        char dummy[crypto_pwhash_STRBYTES];
        if (crypto_pwhash_str(dummy, "x", 1, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
            dummy[0] = '\0'; /* out of memory: the answer is the same */
        }
    }
    ts_db_clear(r);
    if (!ok) {
        memset(who, 0, sizeof(*who));
        rc = ts_auth_event(c, "login_failed", username, from, NULL, err);
        return rc ? rc : ts_err_set(err, TS_EAUTH, "wrong user name or password");
    }
    return open_session(c, who, "login", from, secret, err);
}

int ts_auth_login_link(PGconn *c, const char *link, const char *from, struct ts_principal *who,
                       char secret[TS_AUTH_SECRET_LEN + 1], struct ts_err *err)
{
    char hash[67];
    memset(who, 0, sizeof(*who));
    if (!ts_auth_secret_shape(link)) {
        return ts_err_set(err, TS_EAUTH, "this login link is not valid");
    }
    secret_hash(link, hash);
    const char *p[1] = {hash};
    PGresult *r = NULL;
    int rc = ts_db_exec(c, "spend a login link",
                        "WITH spent AS (UPDATE workspace.credentials SET revoked_at = now(),"
                        " last_used_at = now() WHERE secret_hash = $1::bytea AND kind = 'link'"
                        " AND revoked_at IS NULL AND expires_at > now() RETURNING user_id)"
                        " SELECT " WHO_COLUMNS " FROM spent JOIN workspace.users u"
                        " ON u.id = spent.user_id WHERE u.status = 'active'",
                        1, p, &r, err);
    if (rc) {
        return rc;
    }
    if (ts_db_nrows(r) != 1) {
        ts_db_clear(r);
        return ts_err_set(err, TS_EAUTH,
                          "this login link is unknown, used or expired: `tradingsystem user "
                          "login-url NAME` makes a new one");
    }
    who_from(r, who);
    ts_db_clear(r);
    return open_session(c, who, "login_link", from, secret, err);
}

bool ts_auth_username_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 100) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool alnum =
            (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if (!alnum && (i == 0 || !strchr("._@-", ch))) {
            return false;
        }
    }
    return true;
}

int ts_auth_user_add(PGconn *c, const char *username, enum ts_role role, bool all_accounts,
                     const char *const *accounts, int naccounts, char user_id[37],
                     struct ts_err *err)
{
    if (!ts_auth_username_ok(username)) {
        return ts_err_set(err, TS_EINVAL,
                          "user name '%.100s': 1 to 100 letters, digits or ._@- (starting with a "
                          "letter or digit)",
                          username);
    }
    if (role == TS_ROLE_NONE) {
        return ts_err_set(err, TS_EINVAL, "a role is viewer, trader or admin");
    }
    int rc = ts_db_exec(c, "begin", "BEGIN", 0, NULL, NULL, err);
    if (rc) {
        return rc;
    }
    const char *p[3] = {username, ts_role_name(role), all_accounts ? "t" : "f"};
    PGresult *r = NULL;
    rc = ts_db_exec(c, "add the user",
                    "INSERT INTO workspace.users (username, role, all_accounts) VALUES ($1, $2, $3)"
                    " RETURNING id",
                    3, p, &r, err);
    if (!rc) {
        snprintf(user_id, 37, "%s", ts_db_val(r, 0, 0));
    } else if (rc == TS_ECONFLICT) {
        ts_err_set(err, TS_ECONFLICT, "a user '%s' exists already", username);
    }
    ts_db_clear(r);
    for (int i = 0; !rc && i < naccounts; i++) {
        const char *q[2] = {user_id, accounts[i]};
        rc = ts_db_exec(c, "grant an account",
                        "INSERT INTO workspace.user_accounts (user_id, account_id) VALUES ($1, $2)"
                        " ON CONFLICT DO NOTHING",
                        2, q, NULL, err);
    }
    if (!rc) {
        rc = ts_auth_event(c, "user_added", username, NULL, ts_role_name(role), err);
    }
    struct ts_err e2 = TS_ERR_INIT;
    if (ts_db_exec(c, rc ? "roll back" : "commit", rc ? "ROLLBACK" : "COMMIT", 0, NULL, NULL,
                   rc ? &e2 : err) &&
        !rc) {
        rc = err->code;
    }
    return rc;
}

int ts_auth_user_id(PGconn *c, const char *username, char user_id[37], struct ts_err *err)
{
    const char *p[1] = {username};
    PGresult *r = NULL;
    int rc = ts_db_exec(c, "find the user",
                        "SELECT id FROM workspace.users WHERE username = $1 AND status = 'active'",
                        1, p, &r, err);
    if (!rc && ts_db_nrows(r) != 1) {
        rc = ts_err_set(err, TS_ENOTFOUND, "no active user '%.100s'", username);
    }
    if (!rc) {
        snprintf(user_id, 37, "%s", ts_db_val(r, 0, 0));
    }
    ts_db_clear(r);
    return rc;
}

int ts_auth_user_disable(PGconn *c, const char *username, struct ts_err *err)
{
    const char *p[1] = {username};
    PGresult *r = NULL;
    int rc = ts_db_exec(c, "disable the user",
                        "WITH u AS (UPDATE workspace.users SET status = 'inactive'"
                        " WHERE username = $1 RETURNING id),"
                        " c AS (UPDATE workspace.credentials SET revoked_at = now()"
                        " WHERE user_id IN (SELECT id FROM u) AND revoked_at IS NULL)"
                        " SELECT count(*) FROM u",
                        1, p, &r, err);
    if (!rc && strcmp(ts_db_val(r, 0, 0), "1") != 0) {
        rc = ts_err_set(err, TS_ENOTFOUND, "no user '%.100s'", username);
    }
    ts_db_clear(r);
    return rc ? rc : ts_auth_event(c, "user_disabled", username, NULL, NULL, err);
}

int ts_auth_user_password(PGconn *c, const char *username, const char *password, struct ts_err *err)
{
    char hash[crypto_pwhash_STRBYTES];
    size_t n = strlen(password);
    if (n < 8 || n > 1024) {
        return ts_err_set(err, TS_EINVAL, "a password has 8 to 1024 characters");
    }
    sodium_ready();
    if (crypto_pwhash_str(hash, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        return ts_err_set(err, TS_ENOMEM, "cannot hash the password (out of memory)");
    }
    const char *p[2] = {username, hash};
    PGresult *r = NULL;
    int rc = ts_db_exec(c, "set the password",
                        "UPDATE workspace.users SET password_hash = $2 WHERE username = $1"
                        " AND status = 'active' RETURNING id",
                        2, p, &r, err);
    if (!rc && ts_db_nrows(r) != 1) {
        rc = ts_err_set(err, TS_ENOTFOUND, "no active user '%.100s'", username);
    }
    ts_db_clear(r);
    return rc ? rc : ts_auth_event(c, "password_set", username, NULL, NULL, err);
}

int ts_auth_any_user(PGconn *c, bool *any, struct ts_err *err)
{
    PGresult *r = NULL;
    int rc = ts_db_exec(c, "count users", "SELECT EXISTS (SELECT 1 FROM workspace.users)", 0, NULL,
                        &r, err);
    *any = !rc && !strcmp(ts_db_val(r, 0, 0), "t");
    ts_db_clear(r);
    return rc;
}
