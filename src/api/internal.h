/*
 * internal.h - what the files of src/api share and nothing else includes: the route
 * tables, one per file, merged by api.c (each ends with a route whose fn is NULL), and
 * the one list handler of the GET lists.
 */
#ifndef TS_API_INTERNAL_H
#define TS_API_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "api/http.h"
#include "api/query.h"
#include "db/db.h"

extern const struct ts_http_route ts_api__ref_routes[];   /* routes_ref.c: accounts, instruments, strategies, risk limits */
extern const struct ts_http_route ts_api__query_routes[]; /* routes_query.c: orders, trades, positions, audit (reads) */
extern const struct ts_http_route ts_api__web_routes[];   /* routes_web.c: the dashboard's files */
extern const struct ts_http_route ts_api__oms_routes[];   /* routes_oms.c: place, modify, cancel, ticks, kill switch, metrics */

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
    const char *group;        /* SQL between the conditions and ORDER BY (GROUP BY ...), or NULL */
    const char *order;        /* the ORDER BY list */
    const char *path;         /* the route's {} is the UUID of a <path> ("order"), or NULL */
    const char *path_column;  /* compared with the {} */
    const char *parent;       /* table of the {} row: an empty list answers 404 when it has none */
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

#endif
