/*
 * test_lock.c - the writer lock: exclusive, names its holder, taken over
 * from the dead.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "newsidx/lock.h"

typedef struct fixture {
	char dir[64];
	char db[128];
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nx-lock-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/sub/index.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void test_exclusive_and_holder(void **state)
{
	fixture *f = *state;
	nx_lock *a = NULL, *b = NULL;
	nx_lock_holder h;
	nx_error err = NX_ERROR_INIT;

	assert_int_equal(nx_lock_acquire(&a, f->db, 0, NULL, &err), NX_OK);
	assert_non_null(a);
	/* a second writer (another open file) is refused, after waiting */
	assert_int_equal(nx_lock_acquire(&b, f->db, 0.2, &h, &err), NX_ELOCKED);
	assert_null(b);
	assert_int_equal(h.pid, (long)getpid());
	assert_true(h.since > 1600000000);
	assert_non_null(strstr(err.msg, "is locked by pid"));
	assert_non_null(strstr(err.msg, f->db));
	assert_int_equal(nx_lock_query(&h, f->db, &err), NX_OK);
	assert_int_equal(h.pid, (long)getpid());
	nx_lock_release(a);
	assert_int_equal(nx_lock_query(&h, f->db, &err), NX_ENOTFOUND);
	assert_int_equal(nx_lock_acquire(&b, f->db, 0, NULL, &err), NX_OK);
	nx_lock_release(b);
}

static void test_dead_holder_taken_over(void **state)
{
	fixture *f = *state;
	nx_lock *a = NULL;
	nx_error err = NX_ERROR_INIT;
	char *path = nx_lock_path(f->db), buf[64];
	FILE *fp = NULL;

	assert_non_null(path);
	assert_int_equal(nx_lock_acquire(&a, f->db, 0, NULL, &err), NX_OK);
	nx_lock_release(a);
	/* what a kill -9'd writer leaves: its text, no flock */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("999999 1600000000\n", fp);
	fclose(fp);
	assert_int_equal(nx_lock_acquire(&a, f->db, 0, NULL, &err), NX_OK);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_int_equal(atol(buf), (long)getpid());
	nx_lock_release(a);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exclusive_and_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_holder_taken_over, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
