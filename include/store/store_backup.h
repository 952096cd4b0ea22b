/*
 * Online backup: a consistent copy of the database while a server writes to
 * it (CONTRACT.md section 19, `dropline backup`).
 */
#ifndef DROPLINE_STORE_BACKUP_H
#define DROPLINE_STORE_BACKUP_H

#include <stdbool.h>

#include "store/store.h"

/* Pages copied per step when the options leave it at 0 (1 MiB of 4 KiB pages). */
#define STORE_BACKUP_STEP_PAGES 256

struct store_backup_options {
	bool replace;	    /* replace a file already at dest; otherwise STORE_CONFLICT */
	int pages_per_step; /* 0: STORE_BACKUP_STEP_PAGES */
	/*
	 * Called before each step with the pages still to copy and the total
	 * (both 0 before the first step); returning false stops the backup
	 * (STORE_REJECTED, dest untouched). NULL: never stop.
	 */
	bool (*keep_going)(void *ctx, int remaining, int total);
	void *ctx;
};

/*
 * store_backup() copies the database of `s` to the file `dest` with SQLite's
 * online backup API. Open `s` with STORE_OPEN_READ_ONLY to back up beside a
 * running server.
 *
 * The copy is one snapshot: it holds a read transaction on the source for
 * its whole run, so it is what a reader saw at one instant, never restarts
 * when the server commits, and in WAL mode never blocks the server's
 * writer (the server's checkpoints cannot pass the snapshot meanwhile, so
 * its -wal file grows until the backup ends). It is copied in steps of
 * pages_per_step pages so that keep_going can stop it.
 *
 * The copy is written to a new file beside dest ("DEST.tmp-XXXXXX", mode
 * 0600), fsynced, and only then renamed to dest, and the directory fsynced:
 * a crash or a stop leaves either no dest or a complete one, never half a
 * backup (a crash may leave the temporary file; stops remove it). Without
 * opts->replace an existing dest is refused, also one that appears during
 * the copy. The result opens in WAL mode, as the source.
 *
 * Returns STORE_OK; STORE_CONFLICT when dest exists and may not be
 * replaced; STORE_REJECTED when keep_going stopped it; STORE_ERROR otherwise
 * (also when dest is the database itself). Every failure writes one line
 * into err.
 */
store_status store_backup(store *s, const char *dest, const struct store_backup_options *opts,
			  char err[STORE_ERR_MAX]);

#endif
