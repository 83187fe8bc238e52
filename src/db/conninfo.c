/*
 * conninfo.c - writing libpq key=value connection strings (db.h): a leaf that both
 * the module configuration (pg.c) and the embedded cluster (cluster.c) use.
 */
#include "db/db.h"

void ts_db_conninfo_add(struct ts_buf *out, const char *key, const char *value)
{
    if (out->len) {
        ts_buf_addch(out, ' ');
    }
    ts_buf_adds(out, key);
    ts_buf_adds(out, "='");
    for (const char *p = value; *p; p++) {
        if (*p == '\'' || *p == '\\') {
            ts_buf_addch(out, '\\');
        }
        ts_buf_addch(out, *p);
    }
    ts_buf_addch(out, '\'');
}
