/*
 * parquet.h - a small Parquet file writer (and a verifier of what it wrote) for the
 * capture module's exports: flat tables of INT64, timestamp, decimal, string and boolean
 * columns, written row by row, compressed with zstd.
 *
 * What it writes (Apache Parquet format, parquet-format's parquet.thrift): "PAR1", then per
 * row group one column chunk per column, each a single v1 data page (PLAIN values; for a
 * nullable column, definition levels in the RLE/bit-packed hybrid; no repetition levels,
 * the schema is flat) compressed with ZSTD; then the FileMetaData in the Thrift Compact
 * Protocol, its length (4 bytes little-endian) and "PAR1". Column chunks carry Statistics
 * (null_count; exact min_value/max_value for the INT64-based types, and for STRING when
 * the bounds are at most 64 bytes long) and the file carries column_orders (TYPE_ORDER:
 * signed for INT64, unsigned bytes for STRING), which gives those statistics their meaning.
 *
 * Types: INT64 is a plain signed INT64; TIMESTAMP_US is INT64 microseconds since the Unix
 * epoch, TIMESTAMP(isAdjustedToUTC=true, MICROS); DECIMAL is the raw ts_dec (int64 in 1e-8
 * units, core/dec.h) as INT64 DECIMAL(18, 8); STRING is BYTE_ARRAY STRING (valid UTF-8 is
 * required); BOOL is BOOLEAN.
 *
 * Does not: write dictionaries, page indexes, bloom filters, nested or repeated columns,
 * or read files of other writers (ts_pq_verify and ts_pq_column_sum read back only what
 * this writer produces). No database here: the caller feeds rows.
 *
 * Durability: rows go to "<path>.partial"; ts_pq_close fsyncs it, renames it to path
 * (replacing a file there) and fsyncs the directory, so path holds either nothing or a
 * complete file, even across a crash. On any error, and on ts_pq_abort, the partial file is
 * removed.
 *
 * Memory: one row group of column data is buffered (about 8 bytes per INT64 value, 4 + len
 * per string); a row group is also cut early when one column reaches
 * TS_PQ_MAX_CHUNK_BYTES, so pages stay within Parquet's 32-bit sizes. Appending a row
 * allocates only when a buffer grows; buffers are kept across row groups.
 *
 * Thread: one writer per thread, and one writer per path at a time (they would share the
 * partial file); the verifier functions may be called from any thread.
 */
#ifndef TS_CAPTURE_PARQUET_H
#define TS_CAPTURE_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define TS_PQ_MAX_COLUMNS 1024
#define TS_PQ_MAX_NAME 255                          /* bytes in a column name */
#define TS_PQ_MAX_ROW_GROUP_ROWS (64 * 1024 * 1024) /* row_group_rows upper bound */
#define TS_PQ_MAX_STRING (64 * 1024 * 1024)         /* bytes in one STRING value */
#define TS_PQ_MAX_CHUNK_BYTES (256 * 1024 * 1024)   /* one column's buffered bytes per row group */
#define TS_PQ_ZSTD_LEVEL 3

enum ts_pq_type {
    TS_PQ_INT64,        /* INT64 */
    TS_PQ_TIMESTAMP_US, /* INT64, TIMESTAMP(isAdjustedToUTC=true, MICROS), µs since epoch */
    TS_PQ_DECIMAL,      /* INT64, DECIMAL(18, 8): the raw ts_dec */
    TS_PQ_STRING,       /* BYTE_ARRAY, STRING (UTF-8) */
    TS_PQ_BOOL,         /* BOOLEAN */
};

struct ts_pq_column {
    const char *name; /* 1..TS_PQ_MAX_NAME bytes, unique in the table; copied by ts_pq_open */
    enum ts_pq_type type;
    bool nullable; /* OPTIONAL when true, else REQUIRED */
};

struct ts_pq_writer; /* opaque; owned by the caller from ts_pq_open to ts_pq_close/abort */

/*
 * Starts a file at path with the given columns (1..TS_PQ_MAX_COLUMNS; cols is copied).
 * row_group_rows (1..TS_PQ_MAX_ROW_GROUP_ROWS) is the number of rows buffered per row group;
 * 128 * 1024 is a good default for ticks. On success *w is a writer to finish with
 * ts_pq_close() or ts_pq_abort(); on failure *w is NULL and nothing is left on disk.
 */
int ts_pq_open(struct ts_pq_writer **w, const char *path, const struct ts_pq_column *cols,
               int ncols, size_t row_group_rows, struct ts_err *err) TS_MUST_CHECK;

/*
 * Appending a row: set every column once (setting a column again in the same row replaces
 * the value), then ts_pq_end_row(). col is the index in the cols given to ts_pq_open.
 * A column index out of range or a setter of the wrong type is a bug (assert);
 * ts_pq_set_int64 serves INT64, TIMESTAMP_US and DECIMAL columns. Problems with the data
 * (a NULL in a REQUIRED column, a column not set, a string that is too long or not UTF-8)
 * are reported by ts_pq_end_row, which then drops the row and leaves the writer usable.
 * ts_pq_set_string copies s (len bytes; s may be NULL when len is 0) before returning.
 */
void ts_pq_set_int64(struct ts_pq_writer *w, int col, int64_t v);
void ts_pq_set_string(struct ts_pq_writer *w, int col, const char *s, size_t len);
void ts_pq_set_bool(struct ts_pq_writer *w, int col, bool b);
void ts_pq_set_null(struct ts_pq_writer *w, int col);

/*
 * Ends the row. Returns 0, TS_EINVAL for a row with bad data (the row is dropped, the
 * writer stays usable), or TS_EIO when a full row group could not be written (the writer
 * is then failed: every later call returns TS_ESTATE and ts_pq_close removes the file).
 */
int ts_pq_end_row(struct ts_pq_writer *w, struct ts_err *err) TS_MUST_CHECK;

/* Rows accepted so far (by ts_pq_end_row), written or still buffered. */
int64_t ts_pq_rows(const struct ts_pq_writer *w);

/*
 * Finishes the file: writes the buffered rows and the footer, fsyncs, renames the partial
 * file to path (replacing a file there) and fsyncs the directory. A row whose columns were
 * set but which was not ended is dropped. Always frees w. Returns 0 and sets *rows (may be
 * NULL) to the rows in the file. On failure removes the partial file; path is untouched,
 * except when only the final sync of the directory failed: the new file is then removed
 * from path too, so an error always means "no file". A file with zero rows is valid (the
 * schema and no row groups).
 */
int ts_pq_close(struct ts_pq_writer *w, int64_t *rows, struct ts_err *err) TS_MUST_CHECK;

/* Discards the file being written (removes the partial file) and frees w. w may be NULL. */
void ts_pq_abort(struct ts_pq_writer *w);

/*
 * Reads back a file this writer produced and checks its frame: the leading and trailing
 * "PAR1", a footer length inside the file, a FileMetaData that parses, row groups whose
 * row counts add up to the file's num_rows, and column chunks that lie inside the file
 * with num_values equal to their row group's rows. Sets *rows to num_rows.
 * Returns 0, TS_EIO when the file cannot be read, TS_ECHECKSUM when it is not a valid
 * file of ours (truncated, corrupt, or another writer's features).
 */
int ts_pq_verify(const char *path, int64_t *rows, struct ts_err *err) TS_MUST_CHECK;

/*
 * Decodes the named INT64-based column (INT64, TIMESTAMP_US or DECIMAL) of a file this
 * writer produced, page by page, and sets *sum to the sum of its non-null values modulo
 * 2^64 (as unsigned two's complement: cast to int64_t for a small signed sum) and
 * *nonnull (may be NULL) to their count. A cheap content check for retention: compare with
 * the same sum computed in the database before deleting the rows. Also does what
 * ts_pq_verify does. Errors as ts_pq_verify; TS_ENOTFOUND when no such INT64 column exists.
 */
int ts_pq_column_sum(const char *path, const char *column, uint64_t *sum, int64_t *nonnull,
                     struct ts_err *err) TS_MUST_CHECK;

#endif
