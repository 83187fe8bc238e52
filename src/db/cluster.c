/*
 * cluster.c - the embedded PostgreSQL cluster (DESIGN.md §2 "Embedded default").
 *
 * Layout under $TS_HOME: pg/ (data directory), run/ (unix socket, mode 0700),
 * log/postgres.log, cluster.lock. The server programs are found in TS_PG_BINDIR or
 * /usr/lib/postgresql/{17,16,15}/bin. When we are root they run as `postgres`.
 * Settings are rewritten into pg/tradingsystem.conf at every start, so the socket
 * path follows $TS_HOME and new defaults apply; an operator's own settings go in
 * pg/tradingsystem.local.conf, which is included last.
 */
#include "db/cluster.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "db/db.h"

struct runas {
    bool active; /* we are root: drop to the postgres account */
    uid_t uid;
    gid_t gid;
};

static const char *pg_port(void)
{
    const char *p = getenv("TS_PG_PORT");
    return p && *p ? p : "5432";
}

void ts_cluster_datadir(const char *home, struct ts_buf *out)
{
    ts_buf_reset(out);
    ts_buf_addf(out, "%s/pg", home);
}

void ts_cluster_sockdir(const char *home, struct ts_buf *out)
{
    ts_buf_reset(out);
    ts_buf_addf(out, "%s/run", home);
}

void ts_cluster_conninfo(const char *home, const char *dbname, struct ts_buf *out)
{
    struct ts_buf dir = TS_BUF_INIT;
    ts_cluster_sockdir(home, &dir);
    ts_buf_reset(out);
    ts_db_conninfo_add(out, "host", dir.buf);
    ts_db_conninfo_add(out, "port", pg_port());
    ts_db_conninfo_add(out, "user", "postgres");
    ts_db_conninfo_add(out, "dbname", dbname);
    ts_buf_release(&dir);
}

static int find_bindir(struct ts_buf *out, struct ts_err *err)
{
    static const char *const candidates[] = {
        "/usr/lib/postgresql/17/bin",
        "/usr/lib/postgresql/16/bin",
        "/usr/lib/postgresql/15/bin",
    };
    const char *env = getenv("TS_PG_BINDIR");
    ts_buf_reset(out);
    if (env && *env) {
        ts_buf_adds(out, env);
        return 0;
    }
    for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
        struct ts_buf p = TS_BUF_INIT;
        ts_buf_addf(&p, "%s/pg_ctl", candidates[i]);
        bool ok = access(p.buf, X_OK) == 0;
        ts_buf_release(&p);
        if (ok) {
            ts_buf_adds(out, candidates[i]);
            return 0;
        }
    }
    return ts_err_set(err, TS_ENOTFOUND,
                      "cannot find the PostgreSQL server programs (pg_ctl) in "
                      "/usr/lib/postgresql/{17,16,15}/bin: install postgresql-15 "
                      "(scripts/deps.sh) or set TS_PG_BINDIR");
}

static int get_runas(struct runas *ra, struct ts_err *err)
{
    memset(ra, 0, sizeof(*ra));
    if (geteuid() != 0) {
        return 0;
    }
    struct passwd *pw = getpwnam("postgres");
    if (!pw) {
        return ts_err_set(err, TS_ENOTFOUND,
                          "running as root, but there is no `postgres` system account to run "
                          "the database server as (PostgreSQL refuses root): install "
                          "postgresql-15 or run as an ordinary user");
    }
    ra->active = true;
    ra->uid = pw->pw_uid;
    ra->gid = pw->pw_gid;
    return 0;
}

/* mkdir -p with mode; chown to the server account when we run as root. */
static int make_dir(const char *path, mode_t mode, const struct runas *ra, struct ts_err *err)
{
    char tmp[4096];
    int n = snprintf(tmp, sizeof(tmp), "%s", path);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        return ts_err_set(err, TS_EINVAL, "path too long: %s", path);
    }
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) && errno != EEXIST) {
                return ts_err_set(err, TS_EIO, "cannot create %s: %s", tmp, strerror(errno));
            }
            *p = '/';
        }
    }
    if (mkdir(tmp, mode) && errno != EEXIST) {
        return ts_err_set(err, TS_EIO, "cannot create %s: %s", tmp, strerror(errno));
    }
    if (ra->active && chown(tmp, ra->uid, ra->gid)) {
        return ts_err_set(err, TS_EIO, "cannot give %s to the postgres account: %s", tmp,
                          strerror(errno));
    }
    if (chmod(tmp, mode)) {
        return ts_err_set(err, TS_EIO, "cannot set the mode of %s: %s", tmp, strerror(errno));
    }
    return 0;
}

/* Every ancestor of home must be searchable by the server account. */
static int check_traversable(const char *home, const struct runas *ra, struct ts_err *err)
{
    char tmp[4096];
    int n = snprintf(tmp, sizeof(tmp), "%s", home);
    if (!ra->active || n < 0 || (size_t)n >= sizeof(tmp)) {
        return 0;
    }
    for (char *p = tmp + 1;; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            struct stat st;
            if (stat(tmp, &st) == 0 && !(st.st_mode & S_IXOTH) && st.st_uid != ra->uid) {
                return ts_err_set(err, TS_EIO,
                                  "the postgres account cannot reach %s: %s is not searchable "
                                  "by others (chmod o+x %s, or set TS_HOME elsewhere)",
                                  home, tmp, tmp);
            }
            if (end) {
                break;
            }
            *p = '/';
        }
    }
    return 0;
}

/*
 * Runs argv (argv[0] a full path) as the server account when root, in dir,
 * capturing stdout+stderr into out. Returns the exit status in *status.
 */
static int run(const struct runas *ra, const char *dir, char *const argv[], int *status,
               struct ts_buf *out, struct ts_err *err)
{
    int fds[2];
    if (pipe(fds)) {
        return ts_err_set(err, TS_EIO, "cannot create a pipe: %s", strerror(errno));
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return ts_err_set(err, TS_EIO, "cannot fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[1]);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            close(devnull);
        }
        if (ra->active) {
            if (setgroups(0, NULL) || setgid(ra->gid) || setuid(ra->uid)) {
                fprintf(stderr, "cannot switch to the postgres account: %s\n", strerror(errno));
                _exit(126);
            }
        }
        if (chdir(dir)) {
            fprintf(stderr, "cannot enter %s: %s\n", dir, strerror(errno));
            _exit(126);
        }
        /* Keep the server out of our process group's SIGINT (Ctrl-C on `serve`). */
        setsid();
        execv(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    char chunk[4096];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof(chunk))) != 0) {
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if (out) {
            ts_buf_add(out, chunk, (size_t)n);
        }
    }
    close(fds[0]);
    int ws;
    while (waitpid(pid, &ws, 0) < 0) {
        if (errno != EINTR) {
            return ts_err_set(err, TS_ECHILD, "cannot wait for %s: %s", argv[0], strerror(errno));
        }
    }
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
    return 0;
}

/* Last `lines` lines of text, for error messages. */
static const char *tail_lines(const char *text, int lines)
{
    const char *p = text + strlen(text);
    while (p > text && (p[-1] == '\n' || p[-1] == ' ')) {
        p--;
    }
    int seen = 0;
    while (p > text) {
        if (p[-1] == '\n' && ++seen == lines) {
            break;
        }
        p--;
    }
    return p;
}

static void read_tail(const char *path, struct ts_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return;
    }
    char chunk[4096];
    if (fseek(f, -4096, SEEK_END) != 0) {
        rewind(f);
    }
    size_t n = fread(chunk, 1, sizeof(chunk) - 1, f);
    fclose(f);
    chunk[n] = '\0';
    ts_buf_adds(out, tail_lines(chunk, 4));
}

/* One line from the output of a failed command, for the error message. */
static void squash(struct ts_buf *b)
{
    for (size_t i = 0; i < b->len; i++) {
        if (b->buf[i] == '\n') {
            b->buf[i] = i + 1 < b->len ? ' ' : '\0';
        }
    }
}

static int lock_home(const char *home, const struct runas *ra, int *fd, struct ts_err *err)
{
    int rc = check_traversable(home, ra, err);
    if (!rc) {
        rc = make_dir(home, 0755, ra, err);
    }
    if (rc) {
        return rc;
    }
    struct ts_buf p = TS_BUF_INIT;
    ts_buf_addf(&p, "%s/cluster.lock", home);
    *fd = open(p.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (*fd < 0) {
        rc = ts_err_set(err, TS_EIO, "cannot open %s: %s", p.buf, strerror(errno));
    } else if (flock(*fd, LOCK_EX)) {
        rc = ts_err_set(err, TS_EIO, "cannot lock %s: %s", p.buf, strerror(errno));
        close(*fd);
    }
    ts_buf_release(&p);
    return rc;
}

static void unlock_home(int fd)
{
    flock(fd, LOCK_UN);
    close(fd);
}

/*
 * Is pid a live PostgreSQL server of this data directory? Guards against a stale
 * pid file whose pid was reused, a zombie left by a crash (no init reaps it in some
 * containers), and another cluster's server: the postmaster's cwd is its data
 * directory.
 */
static bool is_postgres_of(long pid, const char *datadir)
{
    char path[64], buf[512] = "";
    if (pid <= 0 || (kill((pid_t)pid, 0) && errno == ESRCH)) {
        return false;
    }
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) {
        return false;
    }
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* "pid (comm) S ...": the state follows the last ')' */
    const char *rp = strrchr(buf, ')');
    const char *lp = strchr(buf, '(');
    if (!rp || !lp || rp[1] != ' ' || rp[2] == 'Z' || rp[2] == 'X') {
        return false;
    }
    if (strncmp(lp + 1, "postgres", 8) != 0 && strncmp(lp + 1, "postmaster", 10) != 0) {
        return false;
    }
    char cwd[4096], want[4096];
    snprintf(path, sizeof(path), "/proc/%ld/cwd", pid);
    ssize_t len = readlink(path, cwd, sizeof(cwd) - 1);
    if (len < 0 || !realpath(datadir, want)) {
        return true; /* cannot tell more: a live postgres is enough */
    }
    cwd[len] = '\0';
    return strcmp(cwd, want) == 0;
}

static long read_pid(const char *path)
{
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (!f) {
        return 0;
    }
    if (fscanf(f, "%ld", &pid) != 1) {
        pid = 0;
    }
    fclose(f);
    return pid;
}

static int status_locked(const char *home, struct ts_cluster_status *st)
{
    struct ts_buf p = TS_BUF_INIT;
    memset(st, 0, sizeof(*st));
    ts_buf_addf(&p, "%s/pg/PG_VERSION", home);
    FILE *f = fopen(p.buf, "r");
    if (f) {
        st->initialised = true;
        if (!fgets(st->version, sizeof(st->version), f)) {
            st->version[0] = '\0';
        }
        st->version[strcspn(st->version, "\n")] = '\0';
        fclose(f);
    }
    ts_buf_reset(&p);
    ts_buf_addf(&p, "%s/pg/postmaster.pid", home);
    long pid = read_pid(p.buf);
    ts_buf_reset(&p);
    ts_buf_addf(&p, "%s/pg", home);
    if (pid && is_postgres_of(pid, p.buf)) {
        st->running = true;
        st->pid = pid;
    }
    ts_buf_release(&p);
    return 0;
}

int ts_cluster_status(const char *home, struct ts_cluster_status *st, struct ts_err *err)
{
    (void)err;
    return status_locked(home, st);
}

static int write_conf(const char *home, const struct runas *ra, struct ts_err *err)
{
    struct ts_buf path = TS_BUF_INIT, conf = TS_BUF_INIT;
    const char *listen = getenv("TS_PG_LISTEN");
    int rc = 0;

    ts_buf_addf(&path, "%s/pg/tradingsystem.conf", home);
    ts_buf_adds(&conf, "# Written by `tradingsystem db start` at every start: do not edit.\n"
                       "# Put your own settings in tradingsystem.local.conf (included last).\n");
    ts_buf_addf(&conf, "listen_addresses = '%s'\n", listen && *listen ? listen : "");
    ts_buf_addf(&conf, "port = %d\n", atoi(pg_port()));
    ts_buf_addf(&conf, "unix_socket_directories = '%s/run'\n", home);
    ts_buf_adds(&conf, "unix_socket_permissions = 0700\n"
                       "max_connections = 100\n"
                       "shared_buffers = 256MB\n"
                       "work_mem = 16MB\n"
                       "maintenance_work_mem = 256MB\n"
                       "effective_cache_size = 1GB\n"
                       "# Durability: an acknowledged order or fill is on disk.\n"
                       "fsync = on\n"
                       "synchronous_commit = on\n"
                       "full_page_writes = on\n"
                       "wal_level = replica\n"
                       "wal_compression = on\n"
                       "wal_buffers = 16MB\n"
                       "max_wal_size = 4GB\n"
                       "min_wal_size = 256MB\n"
                       "checkpoint_timeout = 15min\n"
                       "checkpoint_completion_target = 0.9\n"
                       "# Short OLTP statements on local SSD.\n"
                       "random_page_cost = 1.1\n"
                       "effective_io_concurrency = 200\n"
                       "jit = off\n"
                       "autovacuum_naptime = 10s\n"
                       "autovacuum_vacuum_scale_factor = 0.05\n"
                       "autovacuum_analyze_scale_factor = 0.02\n"
                       "idle_in_transaction_session_timeout = 60s\n"
                       "timezone = 'UTC'\n"
                       "log_timezone = 'UTC'\n"
                       "log_line_prefix = '%m [%p] %q%u@%d '\n"
                       "log_min_duration_statement = 1000\n"
                       "log_lock_waits = on\n"
                       "log_checkpoints = on\n"
                       "# Never write bound values (keys, tokens) into the server log.\n"
                       "log_parameter_max_length = 0\n"
                       "log_parameter_max_length_on_error = 0\n"
                       "include_if_exists = 'tradingsystem.local.conf'\n");
    FILE *f = fopen(path.buf, "w");
    if (!f) {
        rc = ts_err_set(err, TS_EIO, "cannot write %s: %s", path.buf, strerror(errno));
        goto out;
    }
    fwrite(conf.buf, 1, conf.len, f);
    if (fclose(f)) {
        rc = ts_err_set(err, TS_EIO, "cannot write %s: %s", path.buf, strerror(errno));
        goto out;
    }
    if (ra->active && chown(path.buf, ra->uid, ra->gid)) {
        rc = ts_err_set(err, TS_EIO, "cannot chown %s: %s", path.buf, strerror(errno));
    }
out:
    ts_buf_release(&path);
    ts_buf_release(&conf);
    return rc;
}

static int init_locked(const char *home, const struct runas *ra, const char *bindir, bool *created,
                       struct ts_err *err)
{
    struct ts_buf datadir = TS_BUF_INIT, prog = TS_BUF_INIT, out = TS_BUF_INIT;
    struct ts_cluster_status st;
    int rc, status;

    *created = false;
    status_locked(home, &st);
    if (st.initialised) {
        return 0;
    }
    ts_cluster_datadir(home, &datadir);
    ts_buf_addf(&prog, "%s/initdb", bindir);
    char *argv[] = {
        prog.buf,          "-D",          datadir.buf,         "-U", "postgres", "--auth=trust",
        "--encoding=UTF8", "--no-locale", "--no-instructions", NULL};
    rc = run(ra, home, argv, &status, &out, err);
    if (!rc && status != 0) {
        squash(&out);
        rc = ts_err_set(err, TS_ECHILD, "initdb failed (exit %d): %s", status,
                        tail_lines(out.buf, 3));
    }
    if (!rc) {
        /* Include our settings from postgresql.conf, once. */
        struct ts_buf conf = TS_BUF_INIT;
        ts_buf_addf(&conf, "%s/postgresql.conf", datadir.buf);
        FILE *f = fopen(conf.buf, "a");
        if (!f || fputs("\n# TradingSystem settings\ninclude_if_exists = 'tradingsystem.conf'\n",
                        f) < 0) {
            rc = ts_err_set(err, TS_EIO, "cannot append to %s: %s", conf.buf, strerror(errno));
        }
        if (f && fclose(f)) {
            rc = ts_err_set(err, TS_EIO, "cannot write %s: %s", conf.buf, strerror(errno));
        }
        ts_buf_release(&conf);
    }
    if (!rc) {
        *created = true;
        ts_info("db", "initialised a new cluster in %s", datadir.buf);
    }
    ts_buf_release(&datadir);
    ts_buf_release(&prog);
    ts_buf_release(&out);
    return rc;
}

int ts_cluster_init(const char *home, bool *created, struct ts_err *err)
{
    struct runas ra;
    struct ts_buf bindir = TS_BUF_INIT;
    int fd, rc;

    *created = false;
    if ((rc = get_runas(&ra, err)) || (rc = find_bindir(&bindir, err))) {
        goto out;
    }
    if ((rc = lock_home(home, &ra, &fd, err))) {
        goto out;
    }
    rc = init_locked(home, &ra, bindir.buf, created, err);
    unlock_home(fd);
out:
    ts_buf_release(&bindir);
    return rc;
}

/* Number of live (non-zombie) processes whose working directory is datadir. */
static int processes_in(const char *datadir)
{
    char want[4096];
    int n = 0;
    if (!realpath(datadir, want)) {
        return 0;
    }
    DIR *d = opendir("/proc");
    if (!d) {
        return 0;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[300], cwd[4096], stat[512];
        if (e->d_name[0] < '1' || e->d_name[0] > '9') {
            continue;
        }
        snprintf(path, sizeof(path), "/proc/%s/cwd", e->d_name);
        ssize_t len = readlink(path, cwd, sizeof(cwd) - 1);
        if (len < 0) {
            continue;
        }
        cwd[len] = '\0';
        if (strcmp(cwd, want) != 0) {
            continue;
        }
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        size_t k = f ? fread(stat, 1, sizeof(stat) - 1, f) : 0;
        if (f) {
            fclose(f);
        }
        stat[k] = '\0';
        const char *rp = strrchr(stat, ')');
        if (rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X') {
            n++;
        }
    }
    closedir(d);
    return n;
}

/*
 * Removes a pid or lock file whose process is not a live postgres of datadir, but
 * only once no process of a previous server still works in datadir (server
 * children outlive a killed postmaster for a moment): two servers on one data
 * directory would corrupt it.
 */
static int remove_if_stale(const char *path, const char *datadir, struct ts_err *err)
{
    long pid = read_pid(path);
    if (access(path, F_OK) != 0 || is_postgres_of(pid, datadir)) {
        return 0;
    }
    for (int i = 0; processes_in(datadir) > 0; i++) {
        if (i == 100) {
            return ts_err_set(err, TS_EBUSY,
                              "processes of a previous PostgreSQL server still run in %s: stop "
                              "them before starting (see `ps -ef | grep postgres`)",
                              datadir);
        }
        usleep(100 * 1000);
    }
    if (unlink(path) == 0) {
        ts_warn("db", "removed stale %s (pid %ld is not this cluster's server)", path, pid);
    }
    return 0;
}

int ts_cluster_start(const char *home, bool *started, struct ts_err *err)
{
    struct runas ra;
    struct ts_buf bindir = TS_BUF_INIT, p = TS_BUF_INIT, datadir = TS_BUF_INIT, out = TS_BUF_INIT;
    struct ts_cluster_status st;
    bool created;
    int fd = -1, rc, status;

    *started = false;
    if ((rc = get_runas(&ra, err)) || (rc = find_bindir(&bindir, err))) {
        goto out;
    }
    if ((rc = lock_home(home, &ra, &fd, err))) {
        goto out;
    }
    if ((rc = init_locked(home, &ra, bindir.buf, &created, err))) {
        goto out;
    }
    status_locked(home, &st);
    if (st.running) {
        goto out;
    }
    ts_buf_addf(&p, "%s/run", home);
    if ((rc = make_dir(p.buf, 0700, &ra, err))) {
        goto out;
    }
    ts_buf_reset(&p);
    ts_buf_addf(&p, "%s/log", home);
    if ((rc = make_dir(p.buf, 0755, &ra, err))) {
        goto out;
    }
    ts_buf_reset(&p);
    ts_cluster_datadir(home, &datadir);
    ts_buf_addf(&p, "%s/postmaster.pid", datadir.buf);
    if ((rc = remove_if_stale(p.buf, datadir.buf, err))) {
        goto out;
    }
    ts_buf_reset(&p);
    ts_buf_addf(&p, "%s/run/.s.PGSQL.%d.lock", home, atoi(pg_port()));
    if ((rc = remove_if_stale(p.buf, datadir.buf, err))) {
        goto out;
    }
    if ((rc = write_conf(home, &ra, err))) {
        goto out;
    }
    ts_buf_reset(&p);
    ts_buf_addf(&p, "%s/log/postgres.log", home);
    struct ts_buf prog = TS_BUF_INIT;
    ts_buf_addf(&prog, "%s/pg_ctl", bindir.buf);
    char *argv[] = {prog.buf, "start", "-D", datadir.buf, "-l", p.buf,
                    "-w",     "-t",    "60", "-s",        NULL};
    rc = run(&ra, home, argv, &status, &out, err);
    ts_buf_release(&prog);
    if (!rc && status != 0) {
        struct ts_buf logtail = TS_BUF_INIT;
        read_tail(p.buf, &logtail);
        squash(&logtail);
        squash(&out);
        rc = ts_err_set(err, TS_ECHILD, "cannot start PostgreSQL (pg_ctl exit %d): %s %s", status,
                        tail_lines(out.buf, 2), logtail.buf);
        ts_buf_release(&logtail);
        goto out;
    }
    if (!rc) {
        *started = true;
        ts_info("db", "started PostgreSQL in %s (socket %s/run)", datadir.buf, home);
    }
out:
    if (fd >= 0) {
        unlock_home(fd);
    }
    ts_buf_release(&bindir);
    ts_buf_release(&p);
    ts_buf_release(&datadir);
    ts_buf_release(&out);
    return rc;
}

int ts_cluster_stop(const char *home, bool *stopped, struct ts_err *err)
{
    struct runas ra;
    struct ts_buf bindir = TS_BUF_INIT, datadir = TS_BUF_INIT, prog = TS_BUF_INIT,
                  out = TS_BUF_INIT;
    struct ts_cluster_status st;
    int fd = -1, rc, status;

    *stopped = false;
    if ((rc = get_runas(&ra, err)) || (rc = find_bindir(&bindir, err))) {
        goto out;
    }
    status_locked(home, &st);
    if (!st.initialised) {
        goto out;
    }
    if ((rc = lock_home(home, &ra, &fd, err))) {
        goto out;
    }
    status_locked(home, &st);
    if (!st.running) {
        goto out;
    }
    ts_cluster_datadir(home, &datadir);
    ts_buf_addf(&prog, "%s/pg_ctl", bindir.buf);
    char *argv[] = {prog.buf, "stop", "-D", datadir.buf, "-m", "fast",
                    "-w",     "-t",   "60", "-s",        NULL};
    rc = run(&ra, home, argv, &status, &out, err);
    if (!rc && status != 0) {
        squash(&out);
        rc = ts_err_set(err, TS_ECHILD, "cannot stop PostgreSQL (pg_ctl exit %d): %s", status,
                        out.buf);
    }
    if (!rc) {
        *stopped = true;
        ts_info("db", "stopped PostgreSQL in %s", datadir.buf);
    }
out:
    if (fd >= 0) {
        unlock_home(fd);
    }
    ts_buf_release(&bindir);
    ts_buf_release(&datadir);
    ts_buf_release(&prog);
    ts_buf_release(&out);
    return rc;
}
