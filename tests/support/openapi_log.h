/*
 * A record of every response the test harness receives, for the OpenAPI
 * response validator (tests/openapi/validate_responses.py).
 *
 * When DROPLINE_OPENAPI_LOG names a directory, each response is appended as
 * one JSON line to DIR/<test binary>.<pid>.ndjson: the test binary and its
 * Check test case; the request's method, path (with its query), extra
 * headers and body; the response's status, raw headers and body. One file
 * per process, so test binaries that ctest runs in parallel, and Check's
 * forked test cases, never write to the same file. Unset, nothing is
 * written.
 */
#ifndef DROPLINE_TEST_OPENAPI_LOG_H
#define DROPLINE_TEST_OPENAPI_LOG_H

#include "harness.h"

/* Appends one response to the log; fails the test when the log cannot be written. */
void openapi_log_response(const struct http_call *call, const struct http_response *r);

#endif
