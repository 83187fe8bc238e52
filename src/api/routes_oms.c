/* routes_oms.c - see api/internal.h. */
#include "api/internal.h"

const struct ts_http_route ts_api__oms_routes[] = {
    {0, NULL, NULL, false},
};
