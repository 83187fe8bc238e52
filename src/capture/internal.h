/*
 * internal.h - what the files of the market-data service share (capture.h is its
 * public face). Not for other modules.
 *
 *  - the sink and the pools, as the service's files reach them (sink.c);
 *  - the L2 books of the symbols a feed sends books for (books.c), written by the
 *    feed, read by REST and the streams; any thread (one lock);
 *  - the feed's queue (feed.c: the queue, the storer, the sim; bridge.c: the bridge
 *    adapter). A producer thread (the sim's generator, the bridge's reader) fills
 *    batches of ticks and of profitdll_callbacks rows and pushes them into a bounded
 *    queue (TS_CAP__QUEUE_CAP items); the storer thread writes what is queued (up to
 *    TS_CAP__MAX_BATCH items) in one transaction through ts_cap_ingest() and only
 *    then takes it off the queue: a batch the database refuses stays queued and is
 *    retried, the producer waits when the queue is full (backpressure, counted),
 *    nothing is dropped;
 *  - the Parquet writer's parts (parquet*.c), in the last section.
 */
#ifndef TS_CAPTURE_INTERNAL_H
#define TS_CAPTURE_INTERNAL_H

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture/book.h"
#include "capture/parquet.h"
#include "capture/capture.h"
#include "capture/sim.h"
#include "domain/tick.h"

/* ---- the sink and the pools (sink.c) ---- */

/* One statement on a pooled connection of module m; *out as ts_db_exec(). */
int ts_cap__query(struct ts_cap *cap, enum ts_module m, const char *what, const char *sql,
                  int nparams, const char *const *params, PGresult **out,
                  struct ts_err *err) TS_MUST_CHECK;
/* sink.publish / sink.listening, when wired. */
void ts_cap__publish(struct ts_cap *cap, const char *topic, const char *msg, size_t len);
bool ts_cap__listening(struct ts_cap *cap);
/* ticks:SYMBOL messages for t[0..n-1] now (ingest.c). */
void ts_cap__publish_ticks(struct ts_cap *cap, const struct ts_tick *t, size_t n);

/* ---- the ingest path's symbol -> exchange cache (ingest.c) ---- */
struct ts_ingest_cache *ts_cap__ingest_cache_new(void);
void ts_cap__ingest_cache_free(struct ts_ingest_cache *c);

/* ---- books (books.c) ---- */
#define TS_BOOKS_MAX 256 /* symbols */

struct ts_books;

struct ts_books *ts_books_new(void);
void ts_books_free(struct ts_books *bs);
/* Replaces symbol's book (creating it); TS_EINVAL for a bad book, TS_ENOMEM when full. */
int ts_books_full(struct ts_books *bs, const char *symbol, const struct ts_book_level *bids,
                  int nbids, const struct ts_book_level *asks, int nasks, int64_t time_ns,
                  struct ts_err *err) TS_MUST_CHECK;
/* Applies a to symbol's book (creating it); TS_EINVAL leaves the book as it was. */
int ts_books_apply(struct ts_books *bs, const char *symbol, const struct ts_books_action *a,
                   struct ts_err *err) TS_MUST_CHECK;
/* symbol's book as ts_book_json() into out; false when there is none. */
bool ts_books_json(struct ts_books *bs, const char *symbol, int levels, struct ts_buf *out);

/* The books changed since their last snapshot (with top_only: those whose best bid or
 * ask changed), as a JSON array of ts_book_json(), marked snapshotted; how many. */
int ts_books_changed_json(struct ts_books *bs, bool top_only, struct ts_buf *out);

/* ---- the feed's queue (feed.c) and the bridge (bridge.c) ---- */

#define TS_CAP__MAX_BATCH 10000     /* items stored in one transaction */
#define TS_CAP__QUEUE_CAP (1 << 17) /* items queued and not yet stored */

struct ts_cap__batch {
    struct ts_tick *t; /* ticks to store */
    size_t n, cap;
    struct ts_buf cb; /* data_capture.profitdll_callbacks rows, binary COPY tuples */
    size_t ncb;
    int64_t first_ns; /* when its first item reached us */
    struct ts_cap__batch *next;
};

struct bridge;
struct ts_feed;

/* What feed.c calls of an adapter that produces through the queue (the bridge),
 * without knowing it. */
struct ts_cap__adapter {
    void (*free)(struct ts_feed *f);
    void (*status)(struct ts_feed *f, struct ts_buf *out);
    /* Drops the connection and connects again now; false when it cannot. */
    bool (*reconnect)(struct ts_feed *f);
};

struct ts_feed {
    enum { TS_FEED_SIM, TS_FEED_BRIDGE, TS_FEED_REPLAY } kind;
    struct ts_cap *cap;
    struct ts_feed_config cfg;
    pthread_t prod, store;
    atomic_bool stopping;
    atomic_bool paused; /* POST /feed/stop */
    int64_t started_ns;

    pthread_mutex_t lock; /* the queue, last_error, the latency rings */
    pthread_cond_t not_empty, not_full;
    struct ts_cap__batch *head, *tail;
    size_t queued;         /* items in the queue, incl. the batch being stored */
    int64_t store_us[256]; /* the last store transactions' durations */
    int64_t vis_us[256];   /* arrival of a batch's first item -> committed */
    uint64_t nstore;
    char last_error[256];

    _Atomic int64_t received, stored, errors, waits, last_tick_ns, callbacks_logged;

    struct ts_sim sim;                /* the sim's generator only */
    const struct ts_cap__adapter *ad; /* the bridge's calls (bridge.c); NULL for sim/replay */
    struct bridge *br;                /* the bridge's state (bridge.c) */
    struct ts_replayer *rp;           /* replay: the engine (cap/replayer.h), run by the producer */
    atomic_int replay_end;            /* replay: 0 running, 1 finished, 2 failed (last_error) */
};

struct ts_cap__batch *ts_cap__batch_new(void);
void ts_cap__batch_free(struct ts_cap__batch *b);
void ts_cap__batch_add_tick(struct ts_cap__batch *b, const struct ts_tick *t);
static inline size_t ts_cap__batch_items(const struct ts_cap__batch *b)
{
    return b->n + b->ncb;
}
/* Queues b (taking it), waiting while the queue is full; false (b freed) when stopping. */
bool ts_cap__feed_push(struct ts_feed *f, struct ts_cap__batch *b);
void ts_cap__feed_error(struct ts_feed *f, const char *fmt, ...) TS_PRINTF(2, 3);
/* Sleeps up to ns, returning early when the feed stops. */
void ts_cap__feed_sleep(struct ts_feed *f, int64_t ns);
/* book:SYMBOL for each symbol of syms[0..n-1] (distinct) that has a book. */
void ts_cap__publish_books(struct ts_feed *f, char (*syms)[TS_SYMBOL_MAX + 1], size_t n);

/* The feed's life (feed.c), for the adapters that start one (bridge.c). */
struct ts_feed *ts_cap__feed_new(struct ts_cap *cap, const struct ts_feed_config *cfg, int kind);
/* Starts the storer, then the producer; on failure neither runs. */
int ts_cap__feed_start_threads(struct ts_feed *f, void *(*producer)(void *),
                               struct ts_err *err) TS_MUST_CHECK;
void ts_cap__feed_destroy(struct ts_feed *f);

/* ------------------------------------------------------------------------------------------ */
/*
 * Parquet: parquet.c (the writer: rows, row groups, the file and its footer),
 * parquet_column.c (a column's values, statistics, definition levels and page body),
 * parquet_thrift.c (the Thrift Compact Protocol), parquet_read.c (the verifier).
 * Pure functions on caller storage; a writer belongs to one thread (parquet.h).
 */

/* parquet.thrift enums, as numbered there. */
enum { TS_PQ__T_BOOLEAN = 0, TS_PQ__T_INT64 = 2, TS_PQ__T_BYTE_ARRAY = 6 }; /* Type */
enum { TS_PQ__REQUIRED = 0, TS_PQ__OPTIONAL = 1 }; /* FieldRepetitionType */
enum { TS_PQ__CT_UTF8 = 0, TS_PQ__CT_DECIMAL = 5, TS_PQ__CT_TIMESTAMP_MICROS = 10 };
enum { TS_PQ__ENC_PLAIN = 0, TS_PQ__ENC_RLE = 3 };
enum { TS_PQ__CODEC_UNCOMPRESSED = 0, TS_PQ__CODEC_ZSTD = 6 };
enum { TS_PQ__PAGE_DATA = 0 };
enum { TS_PQ__LT_STRING = 1, TS_PQ__LT_DECIMAL = 5, TS_PQ__LT_TIMESTAMP = 8 }; /* LogicalType */
enum { TS_PQ__UNIT_MICROS = 2 };

#define TS_PQ__MAGIC "PAR1" /* 4 bytes at both ends of a file */

/*
 * STRING statistics are kept only while the smallest and largest values are at most this
 * long; a chunk with a longer one gets none (rather than truncated bounds).
 */
#define TS_PQ__MAX_STRING_STAT 64
static_assert(TS_PQ__MAX_STRING_STAT <= UINT8_MAX, "string statistics lengths are kept in a byte");

/* ---- bytes (inline: the writer appends values with them row by row) ---- */

static inline void ts_pq__put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static inline void ts_pq__put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static inline uint32_t ts_pq__get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t ts_pq__get_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = v << 8 | p[i];
    }
    return v;
}

/* Makes room for n more bytes and returns where they go; ts_pq__buf_commit(b, n) adds them. */
static inline uint8_t *ts_pq__buf_room(struct ts_buf *b, size_t n)
{
    ts_buf_grow(b, n);
    return (uint8_t *)b->buf + b->len;
}

/* Adds the n bytes written at ts_pq__buf_room(b, n), keeping ts_buf's NUL. */
static inline void ts_pq__buf_commit(struct ts_buf *b, size_t n)
{
    assert(b->cap > 0 && b->len + n < b->cap);
    b->len += n;
    b->buf[b->len] = '\0';
}

static inline void ts_pq__buf_byte(struct ts_buf *b, uint8_t c)
{
    ts_buf_addch(b, (char)c);
}

/* v as an unsigned LEB128 varint. */
void ts_pq__buf_uvarint(struct ts_buf *b, uint64_t v);

/* ---- the Thrift Compact Protocol (parquet_thrift.c) ---- */

/* Type ids. */
enum {
    TS_PQ__TC_STOP = 0,
    TS_PQ__TC_TRUE = 1,
    TS_PQ__TC_FALSE = 2,
    TS_PQ__TC_BYTE = 3,
    TS_PQ__TC_I16 = 4,
    TS_PQ__TC_I32 = 5,
    TS_PQ__TC_I64 = 6,
    TS_PQ__TC_DOUBLE = 7,
    TS_PQ__TC_BINARY = 8,
    TS_PQ__TC_LIST = 9,
    TS_PQ__TC_SET = 10,
    TS_PQ__TC_MAP = 11,
    TS_PQ__TC_STRUCT = 12,
};

#define TS_PQ__TC_MAX_DEPTH 32 /* nesting of structs we write or accept */

/* Writing into a buffer. Field ids are written as deltas from the previous field's. */
struct ts_pq__tcw {
    struct ts_buf *b;                      /* borrowed */
    int depth;                             /* structs open; last[depth] is the current one's */
    int16_t last[TS_PQ__TC_MAX_DEPTH + 1]; /* previous field id per open struct */
};

void ts_pq__tcw_init(struct ts_pq__tcw *t, struct ts_buf *b);
/* A field header: id and type. */
void ts_pq__tcw_field(struct ts_pq__tcw *t, int16_t id, int type);
/* A zigzag varint without a field header (a list element). */
void ts_pq__tcw_zz(struct ts_pq__tcw *t, int64_t v);
/* Opens a struct value (after its field header or as a list element); end closes it. */
void ts_pq__tcw_struct_begin(struct ts_pq__tcw *t);
void ts_pq__tcw_struct_end(struct ts_pq__tcw *t);
/* A struct field: its header, then ts_pq__tcw_struct_begin(). */
void ts_pq__tcw_field_struct(struct ts_pq__tcw *t, int16_t id);
void ts_pq__tcw_i16(struct ts_pq__tcw *t, int16_t id, int16_t v);
void ts_pq__tcw_i32(struct ts_pq__tcw *t, int16_t id, int32_t v);
void ts_pq__tcw_i64(struct ts_pq__tcw *t, int16_t id, int64_t v);
void ts_pq__tcw_bool(struct ts_pq__tcw *t, int16_t id, bool v);
/* A binary value without a field header (a list element). */
void ts_pq__tcw_bin_value(struct ts_pq__tcw *t, const void *p, size_t n);
void ts_pq__tcw_bin(struct ts_pq__tcw *t, int16_t id, const void *p, size_t n);
/* A list field's header; n elements of elem_type follow. */
void ts_pq__tcw_list(struct ts_pq__tcw *t, int16_t id, int elem_type, size_t n);

/*
 * Reading p[0..end), bounds-checked: the input is a file. Errors are sticky: after one,
 * every read returns 0 (or false, or NULL) and bad stays true.
 */
struct ts_pq__tcr {
    const uint8_t *p, *end; /* borrowed */
    bool bad;               /* truncated or malformed input */
};

uint8_t ts_pq__tcr_byte(struct ts_pq__tcr *r);
uint64_t ts_pq__tcr_uvarint(struct ts_pq__tcr *r);
int64_t ts_pq__tcr_zz(struct ts_pq__tcr *r);
/* A field header (last: the previous id, updated): false at the struct's stop byte or on error. */
bool ts_pq__tcr_field(struct ts_pq__tcr *r, int16_t *last, int16_t *id, int *type);
/* A binary value: borrowed from the input, *n bytes; NULL on error. */
const uint8_t *ts_pq__tcr_bin(struct ts_pq__tcr *r, size_t *n);
/* A list header: the element count, bounded by the bytes left. */
size_t ts_pq__tcr_list(struct ts_pq__tcr *r, int *elem_type);
/* Skips a value of the given type, nested depth deep (bad beyond TS_PQ__TC_MAX_DEPTH). */
void ts_pq__tcr_skip(struct ts_pq__tcr *r, int type, int depth);
/* An integer field value of a type the schema says is integral (bad otherwise). */
int64_t ts_pq__tcr_int(struct ts_pq__tcr *r, int type);

/* ---- a column of the writer (parquet_column.c) ---- */

/* What the row being built holds in a column. */
enum ts_pq__cell {
    TS_PQ__CELL_UNSET,
    TS_PQ__CELL_VALUE,
    TS_PQ__CELL_NULL,
    TS_PQ__CELL_TOO_LONG,
    TS_PQ__CELL_BAD_UTF8,
};

/* STRING bounds of a row group. */
enum ts_pq__sstats {
    TS_PQ__SS_NONE,    /* no value yet */
    TS_PQ__SS_KEPT,    /* smin/smax hold the bounds */
    TS_PQ__SS_DROPPED, /* a bound was longer than TS_PQ__MAX_STRING_STAT: no statistics */
};

/* One column of a writer: the current row group's values and statistics. */
struct ts_pq__col {
    char *name; /* owned */
    enum ts_pq_type type;
    bool nullable;
    struct ts_buf vals; /* this row group's non-null values: PLAIN, BOOL one byte each */
    struct ts_buf defs; /* nullable: one level byte (0 null, 1 value) per row */
    size_t row_mark;    /* vals.len before the row being built */
    enum ts_pq__cell cell;
    int64_t cur;             /* the row's INT64 value or bool, when cell == TS_PQ__CELL_VALUE */
    int64_t nulls, min, max; /* this row group's, min/max valid when has_minmax */
    bool has_minmax;
    /* STRING: this row group's bounds (unsigned byte order), while sstats is TS_PQ__SS_KEPT */
    uint8_t smin[TS_PQ__MAX_STRING_STAT], smax[TS_PQ__MAX_STRING_STAT];
    uint8_t smin_len, smax_len;
    enum ts_pq__sstats sstats;
};

/* Whether values of t are stored as INT64. */
bool ts_pq__is_int64_type(enum ts_pq_type t);
/* The parquet.thrift Type that stores t. */
int ts_pq__physical_type(enum ts_pq_type t);

/* Sets up c for the column spec (checked by the caller); ts_pq__col_release() frees it. */
void ts_pq__col_init(struct ts_pq__col *c, const struct ts_pq_column *spec);
void ts_pq__col_release(struct ts_pq__col *c);
/* Sets the row's cell to a string (copied), or marks it too long or not UTF-8. */
void ts_pq__col_set_string(struct ts_pq__col *c, const char *s, size_t len);
/* Why the row's cell cannot be stored ("was not set"), or NULL when it can. */
const char *ts_pq__col_problem(const struct ts_pq__col *c);
/* Forgets the row being built (its cell and any value set). */
void ts_pq__col_drop_row(struct ts_pq__col *c);
/* Adds the row's cell (ts_pq__col_problem() said NULL) to the row group and its statistics. */
void ts_pq__col_end_row(struct ts_pq__col *c);
/* The uncompressed body of the row group's one data page into page (reset first). */
void ts_pq__col_page(const struct ts_pq__col *c, struct ts_buf *page);
/* Forgets the row group's values and statistics, once its chunk is written. */
void ts_pq__col_reset(struct ts_pq__col *c);

/*
 * Definition levels: the RLE/bit-packed hybrid at bit width 1. encode appends levels
 * lv[0..n) (each 0 or 1) to out; count decodes n levels from p[0..len) and counts the 1s:
 * 0, or -1 when malformed.
 */
void ts_pq__levels_encode(struct ts_buf *out, const uint8_t *lv, size_t n);
int ts_pq__levels_count(const uint8_t *p, size_t len, size_t n, size_t *ones);

#endif
