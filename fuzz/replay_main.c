/*
 * replay_main.c - runs a libFuzzer target over every file of a seed directory,
 * so that ctest exercises each parser's fuzz entry point without libFuzzer.
 * With clang: build the fuzz_*.c file with -fsanitize=fuzzer and without this file.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open seed %s\n", path);
        return 1;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *data = ts_xmalloc(cap);
    size_t n;
    while ((n = fread(data + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            data = ts_xrealloc(data, cap);
        }
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, len);
    ts_free(data);
    return 0;
}

int main(int argc, char **argv)
{
    int files = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            if (run_file(argv[i])) {
                return 1;
            }
            files++;
            continue;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.') {
                continue;
            }
            char path[4096];
            int k = snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            if (k < 0 || (size_t)k >= sizeof(path)) {
                closedir(d);
                return 1;
            }
            if (run_file(path)) {
                closedir(d);
                return 1;
            }
            files++;
        }
        closedir(d);
    }
    if (files == 0) {
        fprintf(stderr, "no seeds found\n");
        return 1;
    }
    printf("replayed %d seeds\n", files);
    return 0;
}
