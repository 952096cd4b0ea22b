/*
 * One store per fuzzing process for the harnesses that need one
 * (fuzz_catalog, fuzz_request): a temporary SQLite database, created once
 * under $TMPDIR (or /tmp), migrated, loaded with the demo catalog and four
 * API keys with fixed secrets, and removed at exit. Inputs run inside
 * fuzz_store_rollback(), so none of them changes what the next one sees and
 * no input writes anything that lasts.
 */
#ifndef DROPLINE_FUZZ_STORE_H
#define DROPLINE_FUZZ_STORE_H

#include "domain/apikey.h"
#include "store/store.h"

/* The store (opened on the first call). */
store *fuzz_store(void);

/*
 * The key text ("dl_<id>_<secret>") of one of the fixed keys:
 * 'r' retailer 500, 's' retailer 600, 'b' brand 501, 'c' brand 502; NULL for
 * any other letter.
 */
const char *fuzz_store_key(char which);

/*
 * Runs fn(ctx) inside one write transaction that is always rolled back:
 * every store_tx() it makes is a savepoint of that transaction and every
 * store_read() reads through it.
 */
typedef void (*fuzz_store_fn)(void *ctx);
void fuzz_store_rollback(fuzz_store_fn fn, void *ctx);

#endif
