/* routes_ref.c - see api/internal.h. */
#include "api/internal.h"

const struct ts_http_route ts_api__ref_routes[] = {
    {0, NULL, NULL, false},
};
