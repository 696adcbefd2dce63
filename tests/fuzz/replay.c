/* replay — runs a fuzz target's entry point (fuzz/fuzz_*.c, linked in) on every file of the
 * directories given: the committed seed corpus and the crash inputs kept in
 * fuzz/regressions/<target>/. On the normal build, without libFuzzer: a crash, a sanitizer
 * report or a broken invariant (fuzz_fail aborts) fails the test. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return -1;
	}
	size_t cap = 4096, len = 0;
	uint8_t *data = malloc(cap);
	for (size_t n; data && (n = fread(data + len, 1, cap - len, f)) > 0;) {
		len += n;
		if (len == cap) {
			uint8_t *p = realloc(data, cap *= 2);
			if (!p) {
				free(data);
				data = NULL;
			} else {
				data = p;
			}
		}
	}
	fclose(f);
	if (!data)
		return -1;
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	int files = 0, failed = 0;
	for (int i = 1; i < argc; i++) {
		struct dirent **names;
		int n = scandir(argv[i], &names, NULL, by_name);
		if (n < 0)
			continue;   /* a target without regressions yet */
		for (int k = 0; k < n; k++) {
			if (names[k]->d_name[0] != '.') {
				char path[4096];
				snprintf(path, sizeof(path), "%s/%s", argv[i], names[k]->d_name);
				if (replay_file(path) != 0)
					failed++;
				files++;
			}
			free(names[k]);
		}
		free(names);
	}
	printf("%d files replayed, %d unreadable\n", files, failed);
	return failed || files == 0 ? 1 : 0;
}
