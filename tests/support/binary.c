/*
 * Running the dropline binary from tests; see binary.h.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "binary.h"

/* Polls of bin_wait_for(), 50 ms apart: 10 s. */
#define WAIT_POLLS 200

void bin_read_all(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
}

static const char *binary(void)
{
	const char *bin = getenv("DROPLINE_BIN");
	ck_assert_msg(bin != NULL && *bin, "DROPLINE_BIN is not set");
	return bin;
}

void bin_run(struct bin_run *r, const char *dir, const char *const *env, const char *const *args)
{
	const char *bin = binary();
	char out_path[400], err_path[400];
	snprintf(out_path, sizeof(out_path), "%s/stdout", dir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", dir);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *argv[32];
		size_t n = 0;
		argv[n++] = (char *)(uintptr_t)bin;
		for (; args[n - 1] != NULL && n < 31; n++)
			argv[n] = (char *)(uintptr_t)args[n - 1];
		argv[n] = NULL;
		int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (out < 0 || err < 0 || chdir(dir) != 0)
			_exit(127);
		dup2(out, 1);
		dup2(err, 2);
		unsetenv("DROPLINE_DB");
		unsetenv("DROPLINE_LISTEN");
		unsetenv("DROPLINE_THREADS");
		unsetenv("DROPLINE_RATE_LIMIT");
		for (size_t i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)(uintptr_t)env[i]);
		/* The alarm outlives exec: a command that hangs dies instead of the test. */
		alarm(BIN_RUN_SECONDS);
		execv(bin, argv);
		_exit(127);
	}
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	bin_read_all(out_path, r->out, sizeof(r->out));
	bin_read_all(err_path, r->err, sizeof(r->err));
}

bool bin_wait_for(const char *path, const char *needle, char *buf, size_t cap)
{
	for (int i = 0; i < WAIT_POLLS; i++) {
		bin_read_all(path, buf, cap);
		if (strstr(buf, needle) != NULL)
			return true;
		struct timespec ts = {0, 50 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return false;
}

pid_t bin_serve(const char *dir, const char *db, const char *err_path, unsigned *port)
{
	const char *bin = binary();
	/* Emptied before the fork: a start line left by an earlier server must not be read. */
	int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_msg(err >= 0, "cannot open %s", err_path);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (dup2(err, 2) < 0 || close(err) != 0 || chdir(dir) != 0)
			_exit(127);
		alarm(BIN_SERVE_SECONDS);
		execl(bin, bin, "serve", "--db", db, "--listen", "127.0.0.1:0", "--threads", "2",
		      "--rate-limit", "0", (char *)NULL);
		_exit(127);
	}
	close(err);
	char text[8192];
	*port = 0;
	if (bin_wait_for(err_path, "(port ", text, sizeof(text)))
		*port = (unsigned)strtoul(strstr(text, "(port ") + 6, NULL, 10);
	if (*port == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	ck_assert_msg(*port != 0, "server did not start: %s", text);
	return pid;
}

int bin_stop(pid_t pid)
{
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
