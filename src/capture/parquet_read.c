/*
 * parquet_read.c - reads back what parquet.c wrote: ts_pq_verify() checks a file's
 * structure, ts_pq_column_sum() decodes one INT64 column (parquet.h).
 *
 * Only what the writer makes is accepted: a flat schema, one v1 PLAIN data page per
 * column chunk (zstd or uncompressed), no dictionary; anything else is refused as "not a
 * valid parquet file of ours" (TS_ECHECKSUM). The input is a file: every length and
 * offset is bounded before it is used, and no corrupt size makes it allocate more than
 * the file holds (or PQ_MAX_PAGE_READ for a page).
 * Does not: read other writers' files in general, decode other column types.
 */
#include "capture/parquet.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "capture/internal.h"
#include "core/mem.h"

/* The largest uncompressed page the reader accepts: more than the writer makes (a chunk is
 * cut at TS_PQ_MAX_CHUNK_BYTES, plus one value and the levels), so a corrupt header cannot
 * make it allocate gigabytes. */
#define PQ_MAX_PAGE_READ (512 * 1024 * 1024)

/* ---------------------------------------------------------------------------------------- */
/* The footer */

struct rd_leaf {
    const uint8_t *name; /* into the footer */
    size_t name_len;
    int type, rep;
};

struct rd_chunk {
    int64_t offset, size, num_values;
    int type, codec, npath;
    const uint8_t *path; /* path_in_schema[0], into the footer */
    size_t path_len;
    bool external, has_dict;
};

struct rd_group {
    int64_t rows;
    size_t nchunks;
    struct rd_chunk *chunks; /* owned */
};

struct rd_meta {
    int fd;
    const char *path;
    int64_t file_size, footer_off;
    uint8_t *footer; /* owned */
    int64_t num_rows;
    size_t nleaves;
    struct rd_leaf *leaves; /* owned */
    size_t ngroups;
    struct rd_group *groups; /* owned */
};

static void rd_release(struct rd_meta *m)
{
    if (m->fd >= 0) {
        close(m->fd);
    }
    for (size_t g = 0; g < m->ngroups; g++) {
        ts_free(m->groups[g].chunks);
    }
    ts_free(m->groups);
    ts_free(m->leaves);
    ts_free(m->footer);
}

static int bad_file(const struct rd_meta *m, struct ts_err *err, const char *why)
{
    return ts_err_set(err, TS_ECHECKSUM, "'%s' is not a valid parquet file of ours: %s", m->path,
                      why);
}

static int pread_all(struct rd_meta *m, void *buf, size_t n, int64_t off, struct ts_err *err)
{
    char *p = buf;
    while (n > 0) {
        ssize_t k = pread(m->fd, p, n, (off_t)off);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k < 0) {
            return ts_err_set(err, TS_EIO, "cannot read '%s': %s", m->path, strerror(errno));
        }
        if (k == 0) {
            return bad_file(m, err, "file shrank while reading");
        }
        p += k;
        n -= (size_t)k;
        off += k;
    }
    return 0;
}

static void rd_schema_element(struct ts_pq__tcr *r, struct rd_leaf *l, int64_t *num_children)
{
    int16_t last = 0, id;
    int type;
    while (ts_pq__tcr_field(r, &last, &id, &type)) {
        if (id == 1) {
            l->type = (int)ts_pq__tcr_int(r, type);
        } else if (id == 3) {
            l->rep = (int)ts_pq__tcr_int(r, type);
        } else if (id == 4 && type == TS_PQ__TC_BINARY) {
            l->name = ts_pq__tcr_bin(r, &l->name_len);
        } else if (id == 5) {
            *num_children = ts_pq__tcr_int(r, type);
        } else {
            ts_pq__tcr_skip(r, type, 1);
        }
    }
}

static void rd_column_meta(struct ts_pq__tcr *r, struct rd_chunk *c)
{
    int16_t last = 0, id;
    int type, et;
    while (ts_pq__tcr_field(r, &last, &id, &type)) {
        if (id == 1) {
            c->type = (int)ts_pq__tcr_int(r, type);
        } else if (id == 3 && type == TS_PQ__TC_LIST) {
            size_t n = ts_pq__tcr_list(r, &et);
            c->npath = (int)(n < INT_MAX ? n : INT_MAX);
            for (size_t i = 0; i < n && !r->bad; i++) {
                if (et != TS_PQ__TC_BINARY) {
                    r->bad = true;
                } else if (i == 0) {
                    c->path = ts_pq__tcr_bin(r, &c->path_len);
                } else {
                    ts_pq__tcr_skip(r, et, 2);
                }
            }
        } else if (id == 4) {
            c->codec = (int)ts_pq__tcr_int(r, type);
        } else if (id == 5) {
            c->num_values = ts_pq__tcr_int(r, type);
        } else if (id == 7) {
            c->size = ts_pq__tcr_int(r, type);
        } else if (id == 9) {
            c->offset = ts_pq__tcr_int(r, type);
        } else if (id == 11) {
            c->has_dict = true;
            ts_pq__tcr_skip(r, type, 2);
        } else {
            ts_pq__tcr_skip(r, type, 2);
        }
    }
}

static void rd_row_group(struct ts_pq__tcr *r, struct rd_group *g, int64_t *rows)
{
    int16_t last = 0, id;
    int type, et;
    while (ts_pq__tcr_field(r, &last, &id, &type)) {
        if (id == 1 && type == TS_PQ__TC_LIST && !g->chunks) {
            size_t n = ts_pq__tcr_list(r, &et);
            if (et != TS_PQ__TC_STRUCT) {
                r->bad = true;
                return;
            }
            g->chunks = ts_xcalloc(n, sizeof(*g->chunks));
            g->nchunks = n;
            for (size_t i = 0; i < n && !r->bad; i++) {
                struct rd_chunk *c = &g->chunks[i];
                int16_t clast = 0, cid;
                int ctype;
                c->offset = c->size = c->num_values = -1;
                c->type = c->codec = -1;
                while (ts_pq__tcr_field(r, &clast, &cid, &ctype)) {
                    if (cid == 1) {
                        c->external = true;
                        ts_pq__tcr_skip(r, ctype, 2);
                    } else if (cid == 3 && ctype == TS_PQ__TC_STRUCT) {
                        rd_column_meta(r, c);
                    } else {
                        ts_pq__tcr_skip(r, ctype, 2);
                    }
                }
            }
        } else if (id == 3) {
            *rows = ts_pq__tcr_int(r, type);
        } else {
            ts_pq__tcr_skip(r, type, 1);
        }
    }
}

/* FileMetaData.schema, a list: the root (its num_children into *root_children), then leaves. */
static int rd_schema(struct rd_meta *m, struct ts_pq__tcr *r, int64_t *root_children,
                     struct ts_err *err)
{
    int et;
    size_t n = ts_pq__tcr_list(r, &et);

    if (et != TS_PQ__TC_STRUCT || n < 2) {
        return bad_file(m, err, "schema has no columns");
    }
    m->leaves = ts_xcalloc(n - 1, sizeof(*m->leaves));
    m->nleaves = n - 1;
    for (size_t i = 0; i < n && !r->bad; i++) {
        struct rd_leaf root = {NULL, 0, -1, -1};
        int64_t children = -1;
        struct rd_leaf *l = i == 0 ? &root : &m->leaves[i - 1];
        l->type = l->rep = -1;
        rd_schema_element(r, l, &children);
        if (i == 0) {
            *root_children = children;
        } else if (children != -1 || l->type < 0 || !l->name) {
            return bad_file(m, err, "schema is not a flat list of columns");
        }
    }
    return 0;
}

/* FileMetaData.row_groups, a list of RowGroup. */
static int rd_groups(struct rd_meta *m, struct ts_pq__tcr *r, struct ts_err *err)
{
    int et;
    size_t n = ts_pq__tcr_list(r, &et);

    if (et != TS_PQ__TC_STRUCT && n > 0) {
        return bad_file(m, err, "row groups are not structs");
    }
    m->groups = ts_xcalloc(n, sizeof(*m->groups));
    m->ngroups = n;
    for (size_t g = 0; g < n && !r->bad; g++) {
        m->groups[g].rows = -1;
        rd_row_group(r, &m->groups[g], &m->groups[g].rows);
    }
    return 0;
}

/* Whether chunk c of a row group of rows rows is one the writer makes for leaf l, in the data. */
static int rd_check_chunk(const struct rd_meta *m, const struct rd_chunk *c,
                          const struct rd_leaf *l, int64_t rows, struct ts_err *err)
{
    int64_t end;

    if (c->external || c->has_dict || c->npath != 1 || c->path_len != l->name_len ||
        memcmp(c->path, l->name, l->name_len) != 0 || c->type != l->type) {
        return bad_file(m, err, "a column chunk does not match its column");
    }
    if (c->codec != TS_PQ__CODEC_ZSTD && c->codec != TS_PQ__CODEC_UNCOMPRESSED) {
        return bad_file(m, err, "a column chunk has an unsupported codec");
    }
    if (c->num_values != rows) {
        return bad_file(m, err, "a column chunk's values are not its row group's rows");
    }
    if (c->offset < 4 || c->size <= 0 || __builtin_add_overflow(c->offset, c->size, &end) ||
        end > m->footer_off) {
        return bad_file(m, err, "a column chunk lies outside the data");
    }
    return 0;
}

/* The row groups against the schema, the data and the file's row count. */
static int rd_check_groups(const struct rd_meta *m, struct ts_err *err)
{
    int64_t total = 0;
    int rc;

    for (size_t g = 0; g < m->ngroups; g++) {
        const struct rd_group *gr = &m->groups[g];
        if (gr->rows < 0 || gr->nchunks != m->nleaves ||
            __builtin_add_overflow(total, gr->rows, &total)) {
            return bad_file(m, err, "a row group does not match the schema");
        }
        for (size_t i = 0; i < gr->nchunks; i++) {
            if ((rc = rd_check_chunk(m, &gr->chunks[i], &m->leaves[i], gr->rows, err)) != 0) {
                return rc;
            }
        }
    }
    if (total != m->num_rows) {
        return bad_file(m, err, "row groups do not add up to the file's row count");
    }
    return 0;
}

/* Parses the FileMetaData in m->footer[0..len) and checks it against the file. */
static int rd_parse(struct rd_meta *m, size_t len, struct ts_err *err)
{
    struct ts_pq__tcr r = {m->footer, m->footer + len, false};
    int16_t last = 0, id;
    int type, rc;
    int64_t root_children = -1;
    bool have_schema = false, have_groups = false;

    m->num_rows = -1;
    while (ts_pq__tcr_field(&r, &last, &id, &type)) {
        if (id == 2 && type == TS_PQ__TC_LIST && !have_schema) {
            have_schema = true;
            if ((rc = rd_schema(m, &r, &root_children, err)) != 0) {
                return rc;
            }
        } else if (id == 3) {
            m->num_rows = ts_pq__tcr_int(&r, type);
        } else if (id == 4 && type == TS_PQ__TC_LIST && !have_groups) {
            have_groups = true;
            if ((rc = rd_groups(m, &r, err)) != 0) {
                return rc;
            }
        } else {
            ts_pq__tcr_skip(&r, type, 1);
        }
    }
    if (r.bad) {
        return bad_file(m, err, "footer metadata does not parse");
    }
    if (!have_schema || !have_groups || m->num_rows < 0) {
        return bad_file(m, err, "footer lacks schema, row groups or row count");
    }
    if (root_children != (int64_t)m->nleaves) {
        return bad_file(m, err, "schema root does not own every column");
    }
    return rd_check_groups(m, err);
}

static int rd_open(struct rd_meta *m, const char *path, struct ts_err *err)
{
    uint8_t head[4], tail[8];
    struct stat st;
    int rc;

    memset(m, 0, sizeof(*m));
    m->path = path;
    m->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (m->fd < 0) {
        return ts_err_set(err, TS_EIO, "cannot open '%s': %s", path, strerror(errno));
    }
    if (fstat(m->fd, &st) != 0) {
        return ts_err_set(err, TS_EIO, "cannot stat '%s': %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return ts_err_set(err, TS_EIO, "'%s' is not a regular file", path);
    }
    m->file_size = st.st_size;
    if (m->file_size < 12) {
        return bad_file(m, err, "too short");
    }
    if ((rc = pread_all(m, head, 4, 0, err)) != 0 ||
        (rc = pread_all(m, tail, 8, m->file_size - 8, err)) != 0) {
        return rc;
    }
    if (memcmp(head, TS_PQ__MAGIC, 4) != 0 || memcmp(tail + 4, TS_PQ__MAGIC, 4) != 0) {
        return bad_file(m, err, "no PAR1 magic at both ends (truncated?)");
    }
    uint32_t flen = ts_pq__get_le32(tail);
    if (flen == 0 || flen > m->file_size - 12) {
        return bad_file(m, err, "footer length points outside the file");
    }
    m->footer_off = m->file_size - 8 - flen;
    m->footer = ts_xmalloc(flen);
    if ((rc = pread_all(m, m->footer, flen, m->footer_off, err)) != 0) {
        return rc;
    }
    return rd_parse(m, flen, err);
}

int ts_pq_verify(const char *path, int64_t *rows, struct ts_err *err)
{
    struct rd_meta m;
    int rc = rd_open(&m, path, err);
    if (rc == 0 && rows) {
        *rows = m.num_rows;
    }
    rd_release(&m);
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Data pages */

/* Reads a PageHeader at the start of r; the sizes and value count of a v1 data page. */
static bool rd_page_header(struct ts_pq__tcr *r, int64_t *uncomp, int64_t *comp, int64_t *nvalues)
{
    int16_t last = 0, id;
    int type, ptype = -1;
    *uncomp = *comp = *nvalues = -1;
    while (ts_pq__tcr_field(r, &last, &id, &type)) {
        if (id == 1) {
            ptype = (int)ts_pq__tcr_int(r, type);
        } else if (id == 2) {
            *uncomp = ts_pq__tcr_int(r, type);
        } else if (id == 3) {
            *comp = ts_pq__tcr_int(r, type);
        } else if (id == 5 && type == TS_PQ__TC_STRUCT) {
            int16_t dlast = 0, did;
            int dtype;
            while (ts_pq__tcr_field(r, &dlast, &did, &dtype)) {
                if (did == 1) {
                    *nvalues = ts_pq__tcr_int(r, dtype);
                } else if (did == 2 && ts_pq__tcr_int(r, dtype) != TS_PQ__ENC_PLAIN) {
                    r->bad = true;
                } else if (did != 2) {
                    ts_pq__tcr_skip(r, dtype, 2);
                }
            }
        } else {
            ts_pq__tcr_skip(r, type, 1);
        }
    }
    return !r->bad && ptype == TS_PQ__PAGE_DATA && *uncomp >= 0 && *comp >= 0 && *nvalues >= 0;
}

/* Adds the non-null INT64 values of one column chunk to *sum and *count. */
static int rd_sum_chunk(struct rd_meta *m, const struct rd_chunk *c, bool nullable, uint64_t *sum,
                        int64_t *count, struct ts_err *err)
{
    uint8_t *raw = ts_xmalloc((size_t)c->size);
    uint8_t *body = NULL;
    int64_t values = 0;
    int rc = pread_all(m, raw, (size_t)c->size, c->offset, err);
    struct ts_pq__tcr r = {raw, raw + c->size, false};

    while (rc == 0 && values < c->num_values) {
        int64_t uncomp, comp, nv;
        const uint8_t *p;
        size_t n, ones, lvl_len = 0;

        if (!rd_page_header(&r, &uncomp, &comp, &nv) || comp > r.end - r.p ||
            nv > c->num_values - values || uncomp > PQ_MAX_PAGE_READ) {
            rc = bad_file(m, err, "a data page header is corrupt or of an unsupported kind");
            break;
        }
        if (c->codec == TS_PQ__CODEC_ZSTD) {
            /* the frame states its size (we always write it): check before allocating */
            unsigned long long fsize = ZSTD_getFrameContentSize(r.p, (size_t)comp);
            if (fsize != ZSTD_CONTENTSIZE_UNKNOWN && fsize != (unsigned long long)uncomp) {
                rc = bad_file(m, err, "a data page does not decompress");
                break;
            }
            ts_free(body);
            body = ts_xmalloc(uncomp ? (size_t)uncomp : 1);
            size_t got = ZSTD_decompress(body, (size_t)uncomp, r.p, (size_t)comp);
            if (ZSTD_isError(got) || got != (size_t)uncomp) {
                rc = bad_file(m, err, "a data page does not decompress");
                break;
            }
            p = body;
            n = (size_t)uncomp;
        } else {
            p = r.p;
            n = (size_t)comp;
        }
        r.p += comp;
        ones = (size_t)nv;
        if (nullable) {
            if (n < 4 || (lvl_len = ts_pq__get_le32(p)) > n - 4 ||
                ts_pq__levels_count(p + 4, lvl_len, (size_t)nv, &ones) != 0) {
                rc = bad_file(m, err, "definition levels are corrupt");
                break;
            }
            lvl_len += 4;
        }
        if (n - lvl_len != ones * 8) {
            rc = bad_file(m, err, "a data page holds a wrong number of values");
            break;
        }
        for (size_t i = 0; i < ones; i++) {
            *sum += ts_pq__get_le64(p + lvl_len + 8 * i);
        }
        *count += (int64_t)ones;
        values += nv;
    }
    ts_free(body);
    ts_free(raw);
    return rc;
}

int ts_pq_column_sum(const char *path, const char *column, uint64_t *sum, int64_t *nonnull,
                     struct ts_err *err)
{
    struct rd_meta m;
    uint64_t s = 0;
    int64_t count = 0;
    size_t col = 0, len = strlen(column);
    int rc = rd_open(&m, path, err);

    if (rc != 0) {
        goto out;
    }
    while (col < m.nleaves &&
           (m.leaves[col].name_len != len || memcmp(m.leaves[col].name, column, len) != 0)) {
        col++;
    }
    if (col == m.nleaves || m.leaves[col].type != TS_PQ__T_INT64) {
        rc = ts_err_set(err, TS_ENOTFOUND, "'%s' has no INT64 column '%s'", path, column);
        goto out;
    }
    for (size_t g = 0; g < m.ngroups && rc == 0; g++) {
        rc = rd_sum_chunk(&m, &m.groups[g].chunks[col], m.leaves[col].rep == TS_PQ__OPTIONAL, &s,
                          &count, err);
    }
    if (rc == 0) {
        *sum = s;
        if (nonnull) {
            *nonnull = count;
        }
    }
out:
    rd_release(&m);
    return rc;
}
