#!/usr/bin/env python3
"""Self-test of validate_responses.py: it passes what the server answers and
fails on a wrong body, an undocumented status, a missing or undocumented
header, and a request that matches no operation.

Usage: test_validate_responses.py docs/openapi.yaml
"""
import copy
import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import validate_responses as vr  # noqa: E402

SPEC_PATH = None


def raw_headers(status_line, **headers):
    lines = [status_line, "Date: Fri, 04 Dec 2026 16:40:30 GMT", "Content-Type: application/json",
             "X-Request-Id: 0123456789abcdef"]
    lines += ["%s: %s" % (name.replace("_", "-"), value) for name, value in headers.items()]
    return "\r\n".join(lines) + "\r\n\r\n"


def entry(method, path, status, body, headers=None):
    if headers is None:
        headers = raw_headers("HTTP/1.1 %d X" % status)
    return {"test": "selftest", "tcase": "case", "method": method, "path": path,
            "status": status, "headers": headers,
            "body": body if isinstance(body, str) else json.dumps(body)}


class ValidatorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spec = vr.Spec(SPEC_PATH)
        cls.order = cls.spec.doc["components"]["examples"]["Order"]["value"]

    def problems(self, e):
        return vr.check_entry(self.spec, e)[1]

    def assertFailsWith(self, e, text):
        problems = self.problems(e)
        self.assertTrue(any(text in p for p in problems),
                        "expected a problem containing %r, got %r" % (text, problems))

    # What the server answers passes.
    def test_a_correct_health_answer_passes(self):
        body = {"status": "ok", "version": "0.1.0", "schema_version": 3}
        self.assertEqual(self.problems(entry("GET", "/healthz", 200, body)), [])
        self.assertEqual(self.problems(entry("GET", "/healthz/", 200, body)), [])

    def test_a_correct_order_passes_with_and_without_trailing_slash(self):
        headers = raw_headers("HTTP/1.1 200 OK", ETag='"r1.v2.g3"')
        for path in ("/v1/retailers/500/orders/1/", "/v1/retailers/500/orders/1"):
            self.assertEqual(self.problems(entry("GET", path, 200, self.order, headers)), [])

    # A wrong body fails.
    def test_a_missing_property_fails(self):
        self.assertFailsWith(entry("GET", "/healthz", 200, {"status": "ok", "version": "0.1.0"}),
                             "'schema_version' is a required property")

    def test_a_property_the_document_does_not_have_fails(self):
        order = copy.deepcopy(self.order)
        order["order_lines"][0]["colour"] = "red"
        self.assertFailsWith(entry("POST", "/v1/retailers/500/orders/", 201, order),
                             "$.order_lines[0]")

    def test_a_null_field_left_out_fails(self):
        order = copy.deepcopy(self.order)
        del order["acknowledged_at"]
        self.assertFailsWith(entry("POST", "/v1/retailers/500/orders/", 201, order), "$:")

    def test_money_with_one_decimal_fails(self):
        order = copy.deepcopy(self.order)
        order["order_lines"][0]["price"] = "450.0"
        self.assertFailsWith(entry("POST", "/v1/retailers/500/orders/", 201, order), "$")

    def test_a_time_with_fractions_fails(self):
        headers = raw_headers("HTTP/1.1 200 OK", ETag='"r1.v2.g3"')
        order = copy.deepcopy(self.order)
        order["received_at"] = "2026-12-04T16:40:34.120Z"
        self.assertFailsWith(entry("GET", "/v1/brands/501/orders/1/", 200, order, headers),
                             "$.received_at: '2026-12-04T16:40:34.120Z' does not match")

    def test_an_error_with_the_wrong_code_for_its_status_fails(self):
        body = {"error": {"code": "forbidden", "message": "no order 9 here", "fields": []}}
        self.assertFailsWith(entry("GET", "/v1/retailers/500/orders/9/", 404, body),
                             "$.error.code: 'not_found' was expected")

    def test_a_body_that_is_not_json_fails(self):
        self.assertFailsWith(entry("GET", "/healthz", 200, "ok"), "the body is not JSON")

    # Undocumented statuses fail.
    def test_an_undocumented_status_fails(self):
        self.assertFailsWith(entry("GET", "/healthz", 201, {"status": "ok"}),
                             "status 201 is not documented for getHealth")
        body = {"error": {"code": "conflict", "message": "x", "fields": []}}
        self.assertFailsWith(entry("GET", "/v1/retailers/500/orders/", 409, body),
                             "status 409 is not documented for listRetailerOrders")

    # Requests that match no operation.
    def test_an_unknown_path_must_be_404(self):
        body = {"error": {"code": "not_found", "message": "no such route", "fields": []}}
        self.assertEqual(self.problems(entry("GET", "/nope", 404, body)), [])
        self.assertEqual(self.problems(entry("GET", "/v1/retailers/abc/orders/", 404, body)), [])
        self.assertFailsWith(entry("GET", "/v1/retailers/500/things/", 200, {"party": "retailer"}),
                             "matches no path of the document")

    def test_a_known_path_with_another_method_must_be_405_with_allow(self):
        body = {"error": {"code": "method_not_allowed", "message": "x", "fields": []}}
        allowed = raw_headers("HTTP/1.1 405 Method Not Allowed", Allow="GET, HEAD")
        self.assertEqual(self.problems(entry("POST", "/healthz", 405, body, allowed)), [])
        self.assertFailsWith(entry("POST", "/healthz", 405, body),
                             "header allow is documented as required but was not sent")
        self.assertFailsWith(entry("DELETE", "/healthz", 200, {"status": "ok"}),
                             "DELETE /healthz is not an operation of the document")

    # Headers.
    def test_a_missing_required_header_fails(self):
        body = {"status": "ok", "version": "0.1.0", "schema_version": 3}
        self.assertFailsWith(entry("GET", "/healthz", 200, body, "HTTP/1.1 200 OK\r\n\r\n"),
                             "header x-request-id is documented as required but was not sent")
        self.assertFailsWith(entry("GET", "/v1/retailers/500/orders/1/", 200, self.order),
                             "header etag is documented as required but was not sent")

    def test_an_undocumented_header_fails(self):
        body = {"status": "ok", "version": "0.1.0", "schema_version": 3}
        headers = raw_headers("HTTP/1.1 200 OK", ETag='"r1.v1.g1"')
        self.assertFailsWith(entry("GET", "/healthz", 200, body, headers),
                             "header etag is sent but not documented")

    def test_a_header_value_against_its_schema(self):
        body = {"error": {"code": "rate_limited", "message": "x", "fields": []}}
        good = raw_headers("HTTP/1.1 429 Too Many Requests", Retry_After="1")
        bad = raw_headers("HTTP/1.1 429 Too Many Requests", Retry_After="soon")
        self.assertEqual(self.problems(entry("GET", "/v1/brands/501/orders/", 429, body, good)), [])
        self.assertFailsWith(entry("GET", "/v1/brands/501/orders/", 429, body, bad),
                             "header retry-after: 'soon' is not an integer")

    # Bodies where none is documented.
    def test_304_and_head_have_no_body(self):
        headers = raw_headers("HTTP/1.1 304 Not Modified", ETag='"r1.v2.g3"')
        self.assertEqual(self.problems(entry("GET", "/v1/brands/501/orders/1/", 304, "", headers)), [])
        self.assertFailsWith(entry("GET", "/v1/brands/501/orders/1/", 304, "{}", headers),
                             "the response documents no body")
        self.assertEqual(self.problems(entry("HEAD", "/healthz", 200, "")), [])
        self.assertFailsWith(entry("HEAD", "/healthz", 200, "{}"), "a HEAD response has a body")

    # What the server accepted, the document must allow.
    def test_an_accepted_query_parameter_must_be_documented_and_valid(self):
        page = {"count": 0, "next": None, "previous": None, "results": []}
        etag = raw_headers("HTTP/1.1 200 OK", ETag='"l0"')  # a list page's ETag
        ok = "/v1/brands/501/orders/?status=open&status=partial&is_acknowledged=0&ordered_at_gte=1467800700&limit=2"
        self.assertEqual(self.problems(entry("GET", ok, 200, page, etag)), [])
        self.assertFailsWith(entry("GET", ok, 200, page),
                             "header etag is documented as required but was not sent")
        self.assertFailsWith(entry("GET", "/v1/brands/501/orders/?colour=red", 200, page, etag),
                             "the server accepted query parameter colour, which the operation does not document")
        self.assertFailsWith(entry("GET", "/v1/brands/501/orders/?is_acknowledged=yes", 200, page, etag),
                             "the server accepted is_acknowledged=yes, which the document refuses")
        self.assertFailsWith(entry("GET", "/v1/brands/501/orders/?limit=500", 200, page, etag),
                             "the server accepted limit=500, which the document refuses")
        # A refused request is not held against the document.
        error = {"error": {"code": "invalid_parameter", "message": "x", "fields": []}}
        self.assertEqual(self.problems(entry("GET", "/v1/brands/501/orders/?colour=red", 400, error)), [])

    def test_an_accepted_body_must_be_valid_against_the_request_schema(self):
        body = {"purchase_order_number": "3138720", "ordered_at": "2016-07-06T10:25",
                "ship_to": {"name1": "T", "street1": "S", "city": "C", "province": "CA",
                            "postal_code": "90254", "country": "US"},
                "shipping_method": {"code": "GROUND", "carrier": {"code": "UPSN"}},
                "order_lines": [{"variant": {"id": "1000065"}, "quantity": 1, "net_price": 250,
                                 "price": "450.5"}]}
        e = entry("POST", "/v1/retailers/500/orders/", 201, self.order)
        e["request_body"] = json.dumps(body)
        self.assertEqual(self.problems(e), [])
        del body["order_lines"]
        e["request_body"] = json.dumps(body)
        self.assertFailsWith(e, "the server accepted a body the document refuses: $: 'order_lines' is a "
                                "required property")

    # The whole run: exit status and the FAIL line.
    def test_main_fails_naming_test_request_status_and_error(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "test_x.1.ndjson"), "w") as f:
                good = entry("GET", "/healthz", 200, {"status": "ok", "version": "0.1.0",
                                                      "schema_version": 3})
                f.write(json.dumps(good) + "\n")
                bad = entry("GET", "/healthz", 200, {"status": "ok", "version": 1, "schema_version": 3})
                bad["test"], bad["tcase"] = "test_x", "healthz_case"
                f.write(json.dumps(bad) + "\n")
            out = io.StringIO()
            with redirect_stdout(out):
                rc = vr.main(["--spec", SPEC_PATH, d])
            self.assertEqual(rc, 1, out.getvalue())
            self.assertIn("FAIL test_x [healthz_case]: GET /healthz -> 200: $.version: 1 is not of type "
                          "'string'", out.getvalue())
            self.assertIn("2 responses validated", out.getvalue())

    def test_main_passes_a_clean_log_and_fails_an_empty_one(self):
        with tempfile.TemporaryDirectory() as d:
            out = io.StringIO()
            with redirect_stdout(out):
                self.assertEqual(vr.main(["--spec", SPEC_PATH, d]), 1)
            self.assertIn("only 0 responses were logged", out.getvalue())
            with open(os.path.join(d, "test_x.1.ndjson"), "w") as f:
                f.write(json.dumps(entry("GET", "/healthz", 200, {"status": "ok", "version": "0.1.0",
                                                                   "schema_version": 3})) + "\n")
            with redirect_stdout(io.StringIO()):
                self.assertEqual(vr.main(["--spec", SPEC_PATH, d]), 0)


if __name__ == "__main__":
    SPEC_PATH = sys.argv.pop(1) if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "..", "docs", "openapi.yaml")
    unittest.main(verbosity=2)
