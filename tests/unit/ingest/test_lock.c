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
#include <sys/stat.h>
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

/* Size of path, -1 when it cannot be read. */
static long file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/*
 * A lock file that is a symbolic link (to a file of the user's, say) is
 * refused with a clear error, and what it points to is left as it was:
 * not emptied, not written.
 */
static void test_symlink_lock_refused(void **state)
{
	fixture *f = *state;
	nx_lock *a = NULL;
	nx_lock_holder h;
	nx_error err = NX_ERROR_INIT;
	char *path = nx_lock_path(f->db), victim[160], sub[128];
	FILE *fp = NULL;

	assert_non_null(path);
	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(victim, sizeof(victim), "%s/victim.txt", f->dir);
	fp = fopen(victim, "w");
	assert_non_null(fp);
	fputs("precious\n", fp);
	fclose(fp);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(nx_lock_acquire(&a, f->db, 0, NULL, &err), NX_EIO);
	assert_null(a);
	assert_non_null(strstr(err.msg, "symbolic link"));
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(file_size(victim), 9);
	/* the query does not follow it either */
	assert_int_equal(nx_lock_query(&h, f->db, &err), NX_EIO);
	assert_int_equal(file_size(victim), 9);
	free(path);
}

/* A lock file that is a FIFO is refused at once (no hang), and so is a folder. */
static void test_special_lock_refused(void **state)
{
	fixture *f = *state;
	nx_lock *a = NULL;
	nx_error err = NX_ERROR_INIT;
	char *path = nx_lock_path(f->db), sub[128];

	assert_non_null(path);
	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(mkfifo(path, 0644), 0);
	alarm(20); /* a hang fails the test */
	assert_int_equal(nx_lock_acquire(&a, f->db, 0, NULL, &err), NX_EIO);
	alarm(0);
	assert_null(a);
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(nx_lock_acquire(&a, f->db, 0, NULL, &err), NX_EIO);
	assert_null(a);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exclusive_and_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_holder_taken_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_lock_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_special_lock_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
