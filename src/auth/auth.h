/*
 * auth.h - who is asking: users with a role, and the credentials they prove it with
 * (docs/security.md). The tables are the workspace database's (migrations/workspace/
 * 0002_auth.sql); every function takes a connection to it.
 *
 * Credentials are secrets shown once and stored as their SHA-256: an API token (for
 * scripts; revocable; no expiry), a dashboard session (the cookie; idle and absolute
 * expiry), a one-time login link (15 minutes, spent by its first use). Passwords are
 * argon2id strings (libsodium crypto_pwhash). A secret is "ts_" and 43 base64url
 * characters (256 random bits).
 *
 * Failed password logins are recorded (auth_events) and limited: after
 * TS_AUTH_MAX_FAILS failures of one user, or TS_AUTH_MAX_FAILS_ADDR from one address, in
 * TS_AUTH_FAIL_WINDOW_S, logins of that user or address answer TS_ELIMIT until the window
 * passes. Nothing here logs a secret or puts one in an error message.
 *
 * Threads: any; a connection belongs to one thread at a time (db.h).
 */
#ifndef TS_AUTH_AUTH_H
#define TS_AUTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

#define TS_AUTH_SECRET_LEN 46 /* "ts_" + 43 base64url characters */
#define TS_AUTH_SESSION_IDLE_S (12 * 3600)
#define TS_AUTH_SESSION_MAX_S (7 * 24 * 3600)
#define TS_AUTH_LINK_S (15 * 60)
#define TS_AUTH_MAX_FAILS 5
#define TS_AUTH_MAX_FAILS_ADDR 20
#define TS_AUTH_FAIL_WINDOW_S (15 * 60)
#define TS_AUTH_MAX_ACCOUNTS 64 /* accounts granted one by one to a user */

enum ts_role { TS_ROLE_NONE = 0, TS_ROLE_VIEWER = 1, TS_ROLE_TRADER = 2, TS_ROLE_ADMIN = 3 };

enum ts_cred_kind { TS_CRED_TOKEN, TS_CRED_SESSION, TS_CRED_LINK };

/* An authenticated user, as one request sees it. */
struct ts_principal {
    char user_id[37];
    char username[101];
    enum ts_role role;
    enum ts_cred_kind kind; /* what proved it */
    char credential_id[37]; /* that credential's id (logout revokes it) */
    bool all_accounts;      /* every order-manager account, else those of user_accounts */
    char accounts[TS_AUTH_MAX_ACCOUNTS * 37 + 3]; /* those, as a PostgreSQL uuid[] literal */
};

/* "viewer", "trader", "admin" <-> the enum; unknown: TS_ROLE_NONE / "none". */
enum ts_role ts_role_parse(const char *s);
const char *ts_role_name(enum ts_role r);

/* A new secret: "ts_" + 43 base64url characters (NUL-terminated in out). */
void ts_auth_secret_new(char out[TS_AUTH_SECRET_LEN + 1]);
/* SHA-256 of a secret: what is stored, and a key for a cache of verified secrets. */
void ts_auth_secret_digest(const char *secret, unsigned char out[32]);
/* Whether s has the shape of a secret (so that garbage never reaches the database). */
bool ts_auth_secret_shape(const char *s);

/*
 * The user a secret proves, when it is a live credential of a kind in kinds (a bit per
 * enum ts_cred_kind) of an active user: 0 and *out, TS_EAUTH (unknown, expired, revoked,
 * disabled: one message, so a caller learns nothing about which), or the database's error.
 * A session's idle time starts again (last_used_at, written at most once a minute).
 */
int ts_auth_verify(PGconn *c, const char *secret, unsigned kinds, struct ts_principal *out,
                   struct ts_err *err) TS_MUST_CHECK;

/*
 * Calls fn for every live credential of an active user (kinds as ts_auth_verify): its
 * digest (ts_auth_secret_digest) and its user. For a copy the API keeps for when the
 * database is away.
 */
int ts_auth_each_live(PGconn *c, unsigned kinds,
                      void (*fn)(void *ctx, const unsigned char key[32],
                                 const struct ts_principal *who),
                      void *ctx, struct ts_err *err) TS_MUST_CHECK;

/*
 * A new credential for user_id: its secret into secret (shown once, never stored), its id
 * into id. name labels a token (may be NULL); from is the client's address or NULL.
 */
int ts_auth_credential_new(PGconn *c, const char *user_id, enum ts_cred_kind kind, const char *name,
                           const char *from, char secret[TS_AUTH_SECRET_LEN + 1], char id[37],
                           struct ts_err *err) TS_MUST_CHECK;
/* Revokes a credential by id (TS_ENOTFOUND when there is no live one). */
int ts_auth_revoke(PGconn *c, const char *credential_id, struct ts_err *err) TS_MUST_CHECK;

/*
 * A password login from address `from`: a new session's secret into secret and the user
 * into *who; TS_EAUTH for a wrong name or password (one message for both), TS_ELIMIT past
 * the rate limit. Every attempt is recorded.
 */
int ts_auth_login(PGconn *c, const char *username, const char *password, const char *from,
                  struct ts_principal *who, char secret[TS_AUTH_SECRET_LEN + 1],
                  struct ts_err *err) TS_MUST_CHECK;
/* A login link spent: a new session for its user (as ts_auth_login); TS_EAUTH when the link
 * is unknown, used or expired. */
int ts_auth_login_link(PGconn *c, const char *link, const char *from, struct ts_principal *who,
                       char secret[TS_AUTH_SECRET_LEN + 1], struct ts_err *err) TS_MUST_CHECK;

/* ---- users (the `tradingsystem user` commands, the first run of serve) ---- */

/* A user name as the users table allows it: 1 to 100 letters, digits or ._@-, starting with a
 * letter or a digit. */
bool ts_auth_username_ok(const char *s);

/*
 * Adds a user: role, accounts (all_accounts, or naccounts UUIDs), an API token's secret into
 * secret (may be NULL: none) and the user's id into user_id. TS_ECONFLICT when the name is
 * taken, TS_EINVAL for a bad name.
 */
int ts_auth_user_add(PGconn *c, const char *username, enum ts_role role, bool all_accounts,
                     const char *const *accounts, int naccounts, char user_id[37],
                     struct ts_err *err) TS_MUST_CHECK;
/* The id of an active user by name: TS_ENOTFOUND when none (or disabled). */
int ts_auth_user_id(PGconn *c, const char *username, char user_id[37],
                    struct ts_err *err) TS_MUST_CHECK;
/* Disables a user and revokes every credential of theirs. */
int ts_auth_user_disable(PGconn *c, const char *username, struct ts_err *err) TS_MUST_CHECK;
/* Sets a password (argon2id; at least 8 characters). */
int ts_auth_user_password(PGconn *c, const char *username, const char *password,
                          struct ts_err *err) TS_MUST_CHECK;
/* Whether any user exists (serve's first run makes the admin when none does). */
int ts_auth_any_user(PGconn *c, bool *any, struct ts_err *err) TS_MUST_CHECK;
/* Records an event of auth_events (the commands' and the API's changes). */
int ts_auth_event(PGconn *c, const char *event, const char *username, const char *from,
                  const char *detail, struct ts_err *err) TS_MUST_CHECK;

#endif
