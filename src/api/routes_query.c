/* routes_query.c - see api/internal.h. */
#include "api/internal.h"

const struct ts_http_route ts_api__query_routes[] = {
    {0, NULL, NULL, false},
};
