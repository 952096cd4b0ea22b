/*
 * Files compiled into the binary by cmake/embed.cmake: the migrations of
 * migrations/ in version order, and data/demo_catalog.json.
 */
#ifndef DROPLINE_STORE_EMBEDDED_H
#define DROPLINE_STORE_EMBEDDED_H

#include <stddef.h>

struct embedded_migration {
	int version;	  /* NNNN of NNNN_name.sql */
	const char *name; /* file name */
	const char *sql;  /* NUL-terminated text */
	size_t len;	  /* bytes, without the NUL */
};

extern const struct embedded_migration embedded_migrations[];
extern const size_t embedded_migrations_count;

extern const char embedded_demo_catalog[]; /* NUL-terminated JSON */
extern const size_t embedded_demo_catalog_len;

#endif
