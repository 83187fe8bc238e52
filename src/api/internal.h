/*
 * internal.h - what the files of src/api share and nothing else includes: the route
 * tables, one per file, merged by api.c (each ends with a route whose fn is NULL); the
 * one list handler of the GET lists; the reading and writing of reference data; what
 * the files of the HTTP server share (http.c, http_ws.c, http_addr.c).
 */
#ifndef TS_API_INTERNAL_H
#define TS_API_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "api/http.h"
#include "core/json.h"
#include "api/query.h"
#include "auth/auth.h"
#include "db/db.h"

extern const struct ts_http_route ts_api__account_routes[];    /* routes_accounts.c */
extern const struct ts_http_route ts_api__instrument_routes[]; /* routes_instruments.c */
extern const struct ts_http_route ts_api__strategy_routes[];   /* routes_strategies.c */
extern const struct ts_http_route ts_api__limit_routes[];      /* routes_limits.c: risk limits */
extern const struct ts_http_route
    ts_api__query_routes[]; /* routes_query.c: orders, trades, positions, audit (reads) */
extern const struct ts_http_route ts_api__web_routes[];  /* routes_web.c: the dashboard's files */
extern const struct ts_http_route ts_api__auth_routes[]; /* routes_auth.c: login, logout, me */
extern const struct ts_http_route
    ts_api__oms_routes[]; /* routes_oms.c: place, modify, cancel, ticks, kill switch, metrics */

/* The access of a route (struct ts_http_route): the role it needs (auth/auth.h). Reads are
 * any user's; orders a trader's; reference data, the feed and the session an admin's. */
#define TS_API_VIEW 0 /* any authenticated user: viewer and up */
#define TS_API_TRADE TS_ROLE_TRADER
#define TS_API_ADMIN TS_ROLE_ADMIN

/* An enum's names and their number, as the readers of enums take them. */
#define TS_API__NAMES(a) a, (int)(sizeof(a) / sizeof(a[0]))

/* ------------------------------------------------------------------------------------------ */
/*
 * The one list handler (routes_list.c). A GET list is described by a constant struct
 * ts_api__list; ts_api__list() reads the query string with it (api/query.h: unknown or
 * repeated keys, bad values -> 400 naming the parameter), builds the statement from its
 * constant parts, runs it on the module's pool and answers the rows as a JSON array:
 *
 *     <select> WHERE [<path_column> = $P AND] [<where> AND] <one condition per filter>
 *     [<group>] ORDER BY <order> [LIMIT $n::int]
 *
 * The value of filters[i] is bound to $i+1 (as struct ts_query binds keys), the route's {}
 * (when path is set) to $P, after the keys. An absent optional value matches every row:
 * ($i::type IS NULL OR <column> <op> $i).
 */

enum ts_api__filter_kind {
    TS_API__TEXT,     /* any UTF-8 text (ts_query_text): column = value */
    TS_API__ENUM,     /* one of names (ts_query_enum): column = value */
    TS_API__UUID,     /* a UUID (ts_query_uuid): column = value */
    TS_API__FROM,     /* the key "from" (ts_query_range, with "to", next): column >= from */
    TS_API__TO,       /* the key "to", read with "from": column < to */
    TS_API__FROM_DAY, /* "from" on a date column (UTC days): the days that overlap [from, to) */
    TS_API__TO_DAY,   /* "to" on a date column, read with "from" */
    TS_API__LIMIT,    /* the key "limit" (ts_query_limit), last: LIMIT value */
};

struct ts_api__filter {
    const char *key; /* the query key, NULL ends the list */
    enum ts_api__filter_kind kind;
    const char *column;       /* SQL compared with the value; NULL: <select> uses $i+1 itself */
    const char *const *names; /* TS_API__ENUM: the values, as the schema's CHECK spells them */
    int nnames;
    bool required; /* TS_API__TEXT: refused when absent; the condition is column = $i+1 */
};

struct ts_api__list {
    enum ts_module module;
    const char *what;   /* names the step in errors: "list orders" */
    const char *select; /* SELECT ... FROM ...: what comes before WHERE */
    const char *where;  /* conditions every row meets, or NULL */
    /* the query keys in order, at most TS_QUERY_MAX_KEYS - 1, then {NULL} */
    struct ts_api__filter filters[TS_QUERY_MAX_KEYS];
    const char *group;       /* SQL between the conditions and ORDER BY (GROUP BY ...), or NULL */
    const char *order;       /* the ORDER BY list */
    const char *path;        /* the route's {} is the UUID of a <path> ("order"), or NULL */
    const char *path_column; /* compared with the {} */
    const char *parent;      /* table of the {} row: an empty list answers 404 when it has none */
    /* the condition that hides the rows of accounts the user may not see, their uuid[]
       written $A ("account_id = ANY ($A::uuid[])"), or NULL (not account data); with path,
       the {} row of parent is checked with parent_account, on the parent's columns */
    const char *account;
    const char *parent_account;
    const char *refresh;      /* a statement run before the list (a rollup's refresh), or NULL */
    const char *refresh_what; /* names it in errors */
};

/*
 * Filters of a list's table: the query key, then the column its value is compared with.
 * (clang-format 14 would spread each brace initializer over four lines.)
 */
/* clang-format off */
#define TS_API__FILTER_TEXT(key, column) {key, TS_API__TEXT, column, NULL, 0, false}
#define TS_API__FILTER_ENUM(key, column, names)                                                    \
    {key, TS_API__ENUM, column, TS_API__NAMES(names), false}
#define TS_API__FILTER_UUID(key, column) {key, TS_API__UUID, column, NULL, 0, false}
#define TS_API__FILTER_RANGE(column)                                                               \
    {"from", TS_API__FROM, column, NULL, 0, false}, {"to", TS_API__TO, column, NULL, 0, false}
#define TS_API__FILTER_LIMIT {"limit", TS_API__LIMIT, NULL, NULL, 0, false}
/* clang-format on */

/* Answers GET list l for req (a route's handler calls it). HTTP worker threads. */
void ts_api__list(struct ts_api *api, const struct ts_http_req *req, struct ts_http_resp *resp,
                  const struct ts_api__list *l);

/* ------------------------------------------------------------------------------------------ */
/*
 * Reference data (refdata.c), used by routes_accounts.c, routes_instruments.c,
 * routes_strategies.c and routes_limits.c: a request body read strictly into the columns
 * of one INSERT or UPDATE (a struct ts_api__row), the checks of codes, and the answers.
 * HTTP worker threads; a row and a body belong to one request.
 */

#define TS_API__MAX_COLS 16
#define TS_API__OBJECT_MAX (256 * 1024) /* bytes of a metadata/parameters object */

/*
 * The columns of one INSERT or UPDATE with their text values, built while the body
 * is read. Column names are string constants of the route files; values are borrowed
 * from the parsed body, or kept in text[] (numbers, ids) or owned[] (objects).
 */
struct ts_api__row {
    const char *col[TS_API__MAX_COLS];
    const char *val[TS_API__MAX_COLS]; /* NULL: SQL NULL */
    char text[TS_API__MAX_COLS][48];   /* storage for val[i] of numbers and ids */
    char *owned[TS_API__MAX_COLS];     /* malloc'd values, freed by ts_api__body_close() */
    int n, nowned;
};

/* Adds col = val (borrowed: a constant or the body's text, valid until the body closes). */
void ts_api__row_set(struct ts_api__row *r, const char *col, const char *val);
/* Index of col, or -1 when the request does not write it. */
int ts_api__row_find(const struct ts_api__row *r, const char *col);
/* Whether the request gives col a value (not absent, not null). */
bool ts_api__row_has(const struct ts_api__row *r, const char *col);
/* INSERT INTO table (cols) VALUES ($1..) RETURNING *; *res as ts_api_query(). */
int ts_api__row_insert(struct ts_api *api, enum ts_module m, const char *table, const char *what,
                       const struct ts_api__row *r, PGresult **res,
                       struct ts_err *err) TS_MUST_CHECK;
/* UPDATE table SET col = $2.. WHERE key = $1 RETURNING *; *res as ts_api_query(). */
int ts_api__row_update(struct ts_api *api, enum ts_module m, const char *table, const char *key,
                       const char *keyval, const char *what, const struct ts_api__row *r,
                       PGresult **res, struct ts_err *err) TS_MUST_CHECK;

/* A request body being read into a row. */
struct ts_api__body {
    struct ts_json_req j;
    struct ts_api__row row;
    bool patch; /* PATCH: fields optional, null clears a nullable column */
};

/* Flags of a field. */
enum {
    TS_API__F_REQ = 1,       /* required on create */
    TS_API__F_NULLABLE = 2,  /* PATCH may set it to null */
    TS_API__F_FIXED = 4,     /* set on create, refused by PATCH */
    TS_API__F_NONBLANK = 8,  /* text: not empty nor only spaces */
    TS_API__F_MULTILINE = 16 /* text: tabs and newlines allowed */
};

/* Kinds of decimal columns. */
enum ts_api__dec_kind {
    TS_API__DEC_POSITIVE, /* DECIMAL(18,8) > 0: lot and tick sizes */
    TS_API__DEC_QTY,      /* DECIMAL(18,8) >= 0: quantity limits */
    TS_API__DEC_MONEY,    /* DECIMAL(18,2) >= 0: money limits */
    TS_API__DEC_PCT       /* DECIMAL(5,2), 0..100 */
};

/* Parses req's body (a JSON object); ts_api__body_close() is due even when it failed. */
int ts_api__body_open(struct ts_api__body *b, const struct ts_http_req *req, bool patch,
                      struct ts_err *err) TS_MUST_CHECK;
void ts_api__body_close(struct ts_api__body *b);

/*
 * The field readers: each reads field key of the body (flags TS_API__F_*), checks it and
 * adds it to the row, or refuses it (TS_EINVAL naming the field). An absent field is
 * skipped (refused when required on create); null clears a nullable column on PATCH.
 */
/* Free text: at most maxchars characters (varchar counts characters), no control characters. */
int ts_api__body_text(struct ts_api__body *b, const char *key, unsigned flags, size_t maxchars,
                      struct ts_err *err) TS_MUST_CHECK;
/* A code with a fixed shape (symbol, currency, ISIN): ok() decides, want says what is wanted. */
int ts_api__body_code(struct ts_api__body *b, const char *key, unsigned flags,
                      bool (*ok)(const char *), const char *want, struct ts_err *err) TS_MUST_CHECK;
/* One of names; *idx (when given) receives its index, or stays untouched when not read. */
int ts_api__body_enum(struct ts_api__body *b, const char *key, unsigned flags,
                      const char *const *names, int n, int *idx, struct ts_err *err) TS_MUST_CHECK;
/* An exact decimal (string or JSON number) of the given kind. */
int ts_api__body_dec(struct ts_api__body *b, const char *key, unsigned flags,
                     enum ts_api__dec_kind kind, struct ts_err *err) TS_MUST_CHECK;
int ts_api__body_int(struct ts_api__body *b, const char *key, unsigned flags, int64_t min,
                     int64_t max, struct ts_err *err) TS_MUST_CHECK;
/* A UUID, stored in canonical lowercase form. */
int ts_api__body_uuid(struct ts_api__body *b, const char *key, unsigned flags,
                      struct ts_err *err) TS_MUST_CHECK;
/* A JSON object (at most TS_API__OBJECT_MAX bytes); check (may be NULL) validates its text. */
int ts_api__body_object(struct ts_api__body *b, const char *key, unsigned flags,
                        int (*check)(const char *, struct ts_err *),
                        struct ts_err *err) TS_MUST_CHECK;
/* A new UUIDv7 as the row's id. */
void ts_api__body_new_id(struct ts_api__body *b);

/* Whether s is min..max characters, each an uppercase letter (letters) or digit (digits). */
bool ts_api__all_of(const char *s, size_t min, size_t max, bool letters, bool digits);
/* An ISO 4217 code: 3 uppercase letters. */
bool ts_api__is_currency(const char *s);

/* 201/200 with the row res returned. */
void ts_api__reply_row(struct ts_http_resp *resp, int status, const PGresult *res);
/* After an UPDATE or DELETE ... RETURNING: 200 with the row, or 404 "<kind> '<key>'". */
void ts_api__reply_updated(struct ts_http_resp *resp, const PGresult *res, const char *kind,
                           const char *key);
/* The order manager re-reads what changed (TS_OMS_RELOAD_*); a failure is logged only. */
void ts_api__reload(struct ts_api *api, unsigned what);
/* Whether sql (key as $1) finds a row: 0, or TS_EINVAL "field '<field>': no <kind> '<key>'". */
int ts_api__check_ref(struct ts_api *api, enum ts_module m, const char *sql, const char *field,
                      const char *kind, const char *key, struct ts_err *err) TS_MUST_CHECK;

/* ------------------------------------------------------------------------------------------ */
/*
 * The HTTP server (http.h) in four files: http.c the event loop, the requests and the
 * workers; http_ws.c the WebSocket connections; http_addr.c the listening address;
 * http_reply.c what the server answers by itself (errors, the guard's refusals, CORS).
 */

/*
 * Binds host:port once and closes the socket, so that a taken or foreign address gets a
 * clear error before the server starts: TS_EINVAL (host is not an IP address) or TS_EIO.
 */
int ts_http__probe_bind(const char *host, int port, struct ts_err *err) TS_MUST_CHECK;

/*
 * The WebSocket events, one function each, for the lws callback of http.c. Loop thread
 * only. Each returns what the callback returns to lws: 0, or -1 to close the connection.
 */
struct lws;

/* An upgrade request: accepted only on hooks->path, when p's guard passes it (guard.h) and
 * authenticate (when not NULL) finds a user whose role reaches access; refused when hooks
 * is NULL (none). The refusals are answered as JSON errors. */
int ts_http__ws_filter(const struct ts_http_ws_hooks *hooks, const struct ts_http_policy *p,
                       struct lws *wsi, ts_http_authenticate authenticate, void *app, int access,
                       struct ts_http_user *user);
/* The guard's verdict (guard.h) on the request of wsi, from its headers. Loop thread. */
struct ts_http_verdict;
void ts_http__guard(const struct ts_http_policy *p, struct lws *wsi, enum ts_http_method m,
                    bool upgrade, struct ts_http_verdict *v);
/* Writes r (status and JSON body) at once, outside any job: for an upgrade refused before
 * it is one. Returns -1: the caller closes the connection. */
int ts_http__refuse_now(struct lws *wsi, const struct ts_http_resp *r);
/* The credentials a request carries: the Bearer token, the ts_session cookie (each "" when
 * absent or too long), and the client's address. */
void ts_http__credentials(struct lws *wsi, char *bearer, size_t bcap, char *session, size_t scap,
                          char *peer, size_t pcap);
/* r's Set-Cookie and Location, when set, into the header buffer; 0, or -1 when full. */
int ts_http__extra_headers(struct lws *wsi, const struct ts_http_resp *r, unsigned char **p,
                           unsigned char *end);
/* A listed origin's CORS headers into the header buffer (*p up to end): who may read the
 * answer and, for a preflight, what it may send. origin "": none. 0, or -1 when full. */
int ts_http__cors_headers(struct lws *wsi, const char *origin, bool preflight, unsigned char **p,
                          unsigned char *end);
/*
 * A new connection: *slot (the connection's user data) receives its state, which
 * ts_http__ws_closed() frees, also when hooks->open refused it and this returned -1.
 */
int ts_http__ws_open(const struct ts_http_ws_hooks *hooks, void *app, struct lws *wsi,
                     struct ts_http_ws **slot, const struct ts_http_user *user);
/* A fragment of a message; a whole text message goes to hooks->message. ws may be NULL. */
int ts_http__ws_receive(struct ts_http_ws *ws, struct lws *wsi, const void *in, size_t len);
/* Writable: closes when ts_http_ws_close() asked to, else calls hooks->writable. */
int ts_http__ws_writable(struct ts_http_ws *ws, struct lws *wsi);
/* The connection closed: hooks->close, then *slot is freed and set to NULL (either may be NULL). */
void ts_http__ws_closed(struct ts_http_ws **slot);

#endif
