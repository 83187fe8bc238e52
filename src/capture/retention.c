/*
 * retention.c - one partition archived and dropped (archive.h): exported with
 * ts_cap_export_range() inside the transaction that then drops it. Which partitions
 * are due is the command's question (src/app/retention.c).
 */
#include "capture/archive.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/sha256.h"

static int mkdirs(const char *path, struct ts_err *err)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0750) && errno != EEXIST) {
                return ts_err_set(err, TS_EIO, "cannot create %s: %s", buf, strerror(errno));
            }
            *p = '/';
        }
    }
    if (mkdir(buf, 0750) && errno != EEXIST) {
        return ts_err_set(err, TS_EIO, "cannot create %s: %s", buf, strerror(errno));
    }
    return 0;
}

int ts_cap_archive_partition(PGconn *c, const char *home, const char *parent, const char *part,
                             const char *lower, const char *upper, int64_t *rows, char *file,
                             size_t filecap, struct ts_err *err)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/archive/%s", home, parent);
    snprintf(file, filecap, "%s/%s.parquet", dir, strchr(part, '.') ? strchr(part, '.') + 1 : part);
    int rc = mkdirs(dir, err);
    if (rc) {
        return rc;
    }
    struct ts_buf sql = TS_BUF_INIT;
    PGresult *r = NULL;
    rc = ts_db_exec(c, "begin", "BEGIN", 0, NULL, NULL, err);
    /* no write may land in it between the export and the drop */
    if (!rc) {
        ts_buf_addf(&sql, "LOCK TABLE %s IN SHARE MODE", part);
        rc = ts_db_exec(c, "lock the partition", sql.buf, 0, NULL, NULL, err);
    }
    rc = rc ? rc : ts_cap_export_range(c, parent, lower, upper, file, false, rows, err);
    if (!rc && !strncmp(parent, "data_capture.", 13)) {
        /* the schema's own gate (erratum 14): a verified export on record, then its drop */
        char sha[TS_SHA256_HEXLEN], nrows[24], bytes[24];
        struct stat st;
        rc = ts_sha256_file(file, sha, err);
        snprintf(nrows, sizeof(nrows), "%" PRId64, *rows);
        snprintf(bytes, sizeof(bytes), "%lld", stat(file, &st) ? 0LL : (long long)st.st_size);
        const char *p[8] = {parent, part, lower, upper, file, nrows, bytes, sha};
        rc = rc ? rc
                : ts_db_exec(c, "record the export",
                             "INSERT INTO data_capture.export_log (table_name, partition_name,"
                             " range_from, range_to, file_path, row_count, file_bytes, checksum,"
                             " verified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())",
                             8, p, NULL, err);
        rc = rc ? rc
                : ts_db_exec(c, "drop the partition",
                             "SELECT data_capture.drop_exported_partition($1::regclass)", 1, p + 1,
                             NULL, err);
    } else if (!rc) {
        ts_buf_reset(&sql);
        ts_buf_addf(&sql, "SELECT count(*) FROM %s", part);
        rc = ts_db_exec(c, "count the partition", sql.buf, 0, NULL, &r, err);
        if (!rc && strtoll(ts_db_val(r, 0, 0), NULL, 10) != *rows) {
            rc = ts_err_set(err, TS_EIO, "%s holds %s rows, the file %" PRId64, part,
                            ts_db_val(r, 0, 0), *rows);
        }
        ts_db_clear(r);
        if (!rc) {
            ts_buf_reset(&sql);
            ts_buf_addf(&sql, "ALTER TABLE %s DETACH PARTITION %s", parent, part);
            rc = ts_db_exec(c, "detach the partition", sql.buf, 0, NULL, NULL, err);
        }
        if (!rc) {
            ts_buf_reset(&sql);
            ts_buf_addf(&sql, "DROP TABLE %s", part);
            rc = ts_db_exec(c, "drop the partition", sql.buf, 0, NULL, NULL, err);
        }
    }
    rc = rc ? rc : ts_db_exec(c, "commit", "COMMIT", 0, NULL, NULL, err);
    if (rc) {
        if (ts_db_exec(c, "rollback", "ROLLBACK", 0, NULL, NULL, NULL)) {
            /* a lost connection: the server rolls the transaction back itself */
            ts_warn("retention", "%s: no ROLLBACK possible (connection lost)", part);
        }
        remove(file); /* the partition stays: no file claims to be its archive */
    }
    ts_buf_release(&sql);
    return rc;
}
