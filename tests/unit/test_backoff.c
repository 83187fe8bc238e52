/*
 * test_backoff.c - the bridge feed's reconnect policy (capture/backoff.h), table-driven
 * with made-up times: each case is a script of steps (an attempt about to be made, a
 * wait cut short, a connection up or down at a time) and the wait each attempt must
 * get. No clock and no sleeping: the backoff's timing is checked here, not by
 * test_bridge.sh's wall clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "capture/backoff.h"

#include "unit.h"

enum op {
    END,
    NEXT,    /* an attempt, not asked for: want_ms is the wait before it */
    ASKED,   /* an attempt asked for (POST /feed/reconnect): want_ms is the wait */
    RESTART, /* a reconnect asked for during the wait that came before */
    UP,      /* a connection came up at t_ms */
    DOWN,    /* it ended at t_ms */
};

struct step {
    enum op op;
    int64_t t_ms;    /* UP, DOWN */
    int64_t want_ms; /* NEXT, ASKED */
};

#define MAX_STEPS 16
#define T0 INT64_C(1795478400000) /* any clock will do: ms since the epoch here */

struct bcase {
    const char *name;
    struct step steps[MAX_STEPS];
};

/* A connection that came up at t and ended d ms later: the two steps. */
#define CONN(t, d)                                                                                 \
    {UP, T0 + (t), 0},                                                                             \
    {                                                                                              \
        DOWN, T0 + (t) + (d), 0                                                                    \
    }

static const struct bcase cases[] = {
    {"the first attempt is at once, each failure then doubles the wait up to 60 s",
     {{NEXT, 0, 0},
      {NEXT, 0, 1000},
      {NEXT, 0, 2000},
      {NEXT, 0, 4000},
      {NEXT, 0, 8000},
      {NEXT, 0, 16000},
      {NEXT, 0, 32000},
      {NEXT, 0, 60000},
      {NEXT, 0, 60000}}},
    {"a hang-up is followed by 1 s, a second one by 2 s",
     {{NEXT, 0, 0}, CONN(0, 300), {NEXT, 0, 1000}, CONN(1300, 300), {NEXT, 0, 2000}}},
    {"a connection that stayed up 10 s starts the wait over",
     {{NEXT, 0, 0},
      {NEXT, 0, 1000},
      {NEXT, 0, 2000},
      {NEXT, 0, 4000},
      CONN(0, 10000),
      {NEXT, 0, 1000},
      {NEXT, 0, 2000}}},
    {"a connection 1 ms short of 10 s does not (1 ns: the next test)",
     {{NEXT, 0, 0}, {NEXT, 0, 1000}, {NEXT, 0, 2000}, CONN(0, 9999), {NEXT, 0, 4000}}},
    {"a long connection after the cap resets from 60 s",
     {{NEXT, 0, 0},
      {NEXT, 0, 1000},
      {NEXT, 0, 2000},
      {NEXT, 0, 4000},
      {NEXT, 0, 8000},
      {NEXT, 0, 16000},
      {NEXT, 0, 32000},
      {NEXT, 0, 60000},
      CONN(0, 3600000),
      {NEXT, 0, 1000}}},
    {"short connections keep doubling",
     {{NEXT, 0, 0},
      CONN(0, 5000),
      {NEXT, 0, 1000},
      CONN(6000, 5000),
      {NEXT, 0, 2000},
      CONN(13000, 9000),
      {NEXT, 0, 4000}}},
    {"a reconnect asked for is at once and starts the wait over",
     {{NEXT, 0, 0},
      {NEXT, 0, 1000},
      {NEXT, 0, 2000},
      {NEXT, 0, 4000},
      {ASKED, 0, 0},
      {NEXT, 0, 1000},
      {NEXT, 0, 2000}}},
    {"a reconnect asked for before the first attempt is at once too",
     {{ASKED, 0, 0}, {NEXT, 0, 1000}}},
    {"a reconnect asked for while connected: at once, then 1 s",
     {{NEXT, 0, 0},
      {NEXT, 0, 1000},
      {NEXT, 0, 2000},
      CONN(0, 500),
      {ASKED, 0, 0},
      CONN(600, 500),
      {NEXT, 0, 1000}}},
    {"a wait cut short by a reconnect starts over from 1 s",
     {{NEXT, 0, 0}, {NEXT, 0, 1000}, {NEXT, 0, 2000}, {RESTART, 0, 0}, {NEXT, 0, 1000}}},
};

static void test_each_attempt_waits_what_the_policy_says(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct bcase *c = &cases[i];
        struct ts_backoff b;
        ts_backoff_init(&b);
        for (int k = 0; k < MAX_STEPS && c->steps[k].op != END; k++) {
            const struct step *s = &c->steps[k];
            switch (s->op) {
            case NEXT:
            case ASKED: {
                int64_t got = ts_backoff_next(&b, s->op == ASKED);
                EXPECT(got == s->want_ms * TS_NS_PER_MS, c->name,
                       "step %d: wait %lld ms, want %lld", k, (long long)(got / TS_NS_PER_MS),
                       (long long)s->want_ms);
                break;
            }
            case RESTART:
                ts_backoff_restart(&b);
                break;
            case UP:
                ts_backoff_up(&b, s->t_ms * TS_NS_PER_MS);
                break;
            case DOWN:
                ts_backoff_down(&b, s->t_ms * TS_NS_PER_MS);
                break;
            case END:
                break;
            }
        }
    }
    assert_int_equal(failures, 0);
}

/* The boundary in ns: STABLE - 1 ns keeps the wait, STABLE exactly resets it. */
static void test_stable_is_ten_seconds_to_the_nanosecond(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int64_t up_ns;
        int64_t want_ms;
    } edges[] = {
        {"up 10 s - 1 ns: not stable", TS_BACKOFF_STABLE_NS - 1, 4000},
        {"up 10 s: stable", TS_BACKOFF_STABLE_NS, 1000},
        {"up 0 ns: not stable", 0, 4000},
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
        struct ts_backoff b;
        ts_backoff_init(&b);
        (void)ts_backoff_next(&b, false); /* at once */
        (void)ts_backoff_next(&b, false); /* 1 s */
        (void)ts_backoff_next(&b, false); /* 2 s */
        int64_t t = T0 * TS_NS_PER_MS + 123;
        ts_backoff_up(&b, t);
        ts_backoff_down(&b, t + edges[i].up_ns);
        int64_t got = ts_backoff_next(&b, false);
        EXPECT(got == edges[i].want_ms * TS_NS_PER_MS, edges[i].name, "wait %lld ns, want %lld ms",
               (long long)got, (long long)edges[i].want_ms);
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_attempt_waits_what_the_policy_says),
        cmocka_unit_test(test_stable_is_ten_seconds_to_the_nanosecond),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
