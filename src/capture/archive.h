/*
 * archive.h - market history out of the database as Parquet (DESIGN.md §2,
 * erratum 14): a time range of any time-partitioned table exported and verified
 * (export.c), and retention's archive-then-drop of one partition (retention.c).
 * The callers are `tradingsystem export` and `tradingsystem retention` (src/app).
 * A PGconn belongs to its caller's thread.
 */
#ifndef TS_CAPTURE_ARCHIVE_H
#define TS_CAPTURE_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

/*
 * Writes the rows of table (SCHEMA.TABLE, range-partitioned by a time) with their
 * partition key in [from, to) (RFC 3339) to the Parquet file out, in key order, then
 * reads the file back and checks the row count and the sums of its INT64-based
 * columns. own_txn: in a read-only REPEATABLE READ transaction of its own, else
 * inside the transaction the caller has open on c (what it holds is exported).
 * *rows: rows written. On failure no file is left. TS_EINVAL: not exportable.
 */
int ts_cap_export_range(PGconn *c, const char *table, const char *from, const char *to,
                        const char *out, bool own_txn, int64_t *rows,
                        struct ts_err *err) TS_MUST_CHECK;

/*
 * One partition of parent, [lower, upper), out of the database, in one transaction
 * on c or not at all: locked against writes, exported to
 * HOME/archive/PARENT/PARTITION.parquet (its path into file) and verified, then
 * dropped - for data_capture through the schema's gate (a verified
 * data_capture.export_log row with the file's SHA-256, then
 * drop_exported_partition(), which recounts), elsewhere counted again, detached and
 * dropped. On failure the partition stays and no file claims to be its archive.
 */
int ts_cap_archive_partition(PGconn *c, const char *home, const char *parent, const char *part,
                             const char *lower, const char *upper, int64_t *rows, char *file,
                             size_t filecap, struct ts_err *err) TS_MUST_CHECK;

#endif
