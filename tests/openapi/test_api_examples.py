#!/usr/bin/env python3
"""Self-test of api_examples.py: what it compares, what it lets vary, and a
whole run of a small page against the real server that fails where the page
drifted from the server.

Usage: test_api_examples.py [--bin build/dropline]  (or DROPLINE_BIN)
"""
import io
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_examples as ax  # noqa: E402

if "--bin" in sys.argv:
    _i = sys.argv.index("--bin")
    os.environ["DROPLINE_BIN"] = sys.argv[_i + 1]
    del sys.argv[_i:_i + 2]
NOW = int(time.time())


def block(lang, text):
    return ax.Block(1, lang, text)


def at(hours_from_now):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW + int(hours_from_now * 3600)))


class CompareTest(unittest.TestCase):
    def differences(self, lang, shown, printed):
        return ax.compare_output(block(lang, shown), printed, NOW - 10)

    def assertSame(self, lang, shown, printed):
        self.assertEqual(self.differences(lang, shown, printed), [])

    def assertDiffers(self, lang, shown, printed, text):
        found = self.differences(lang, shown, printed)
        self.assertTrue(any(text in d for d in found), "expected %r in %r" % (text, found))

    def test_json_is_compared_as_json(self):
        self.assertSame("json", '{\n  "id": 1,\n  "tags": ["a", "b"]\n}', '{"tags":["a","b"],"id":1}')
        self.assertDiffers("json", '{"id": 1}', '{"id":4}', "$.id: the page shows 1, the server printed 4")
        self.assertDiffers("json", '{"ok": true}', '{"ok":1}', "$.ok")
        self.assertDiffers("json", '{"a": null}', '{"a":"x"}', "$.a")

    def test_an_object_without_ellipsis_must_show_every_member(self):
        self.assertDiffers("json", '{"id": 1}', '{"id":1,"status":"open"}',
                           "the server printed status, which the page does not show")
        self.assertDiffers("json", '{"id": 1, "gone": 2}', '{"id":1}',
                           "$.gone: the page shows it, the server did not print it")

    def test_ellipsis_leaves_out_members_and_elements(self):
        printed = '{"id":1,"status":"open","lines":[{"id":5,"q":1},{"id":6,"q":2},{"id":7,"q":3}]}'
        self.assertSame("json", '{"id": 1,\n  ...\n  "lines": [{"id": 5, ...}, ...]}', printed)
        self.assertSame("json", '{"lines": [..., {"id": 7, "q": 3}], ...}', printed)
        self.assertDiffers("json", '{"lines": [{"id": 6, ...}, ...], ...}', printed,
                           "$.lines[0].id: the page shows 6, the server printed 5")
        self.assertDiffers("json", '{"lines": [{"id": 5, ...}, {"id": 6, ...}], ...}', printed,
                           "$.lines: the page shows 2 elements, the server printed 3")

    def test_several_values_one_after_the_other(self):
        self.assertSame("json", '{"count": 2}\n{"count": 1}', '{"count":2}\n{"count":1}')
        self.assertDiffers("json", '{"count": 2}', '{"count":2}{"count":1}',
                           "the page shows 1 JSON values, the command printed 2")

    def test_server_times_are_compared_by_their_distance(self):
        shown = '{"received_at": "2026-11-23T01:57:55Z", "fulfill_by": "2026-11-26T01:57:55Z"}'
        self.assertSame("json", shown, '{"received_at":"%s","fulfill_by":"%s"}' % (at(0), at(72)))
        self.assertDiffers("json", shown, '{"received_at":"%s","fulfill_by":"%s"}' % (at(0), at(24)),
                           "$.fulfill_by: the page shows 2026-11-26T01:57:55Z, +72 h")
        # A time the client sent (long before this run) is compared exactly.
        self.assertDiffers("json", '{"ordered_at": "2016-07-06T10:25:00Z"}',
                           '{"ordered_at":"2016-07-06T17:25:30Z"}', "$.ordered_at")

    def test_etag_generation_and_key_secret_vary(self):
        self.assertSame("text", '"r1.v2.g812734"\n304\n', '"r1.v2.g244939988"\n304\n')
        self.assertDiffers("text", '"r1.v2.g812734"\n', '"r1.v3.g812734"\n', "line 1")
        self.assertSame("text", "dl_1_QCN6OT8XKPSDT3RDAUWHZmHdLsVrmRmTDhz_k0Nk9OU\n",
                        "dl_1_ZZZZOT8XKPSDT3RDAUWHZmHdLsVrmRmTDhz_k0Nk9OU\n")
        self.assertDiffers("text", "order 9, oak line 13\n", "order 9, oak line 12\n", "line 1")

    def test_http_status_headers_and_body(self):
        printed = ("HTTP/1.1 201 Created\r\nDate: Fri, 04 Dec 2026 16:40:30 GMT\r\nContent-Type: application/json\r\n"
                   "X-Request-Id: 0123456789abcdef\r\nIdempotent-Replayed: true\r\n\r\n{\"id\":8,\"po\":\"3138740\"}")
        shown = ("HTTP/1.1 201 Created\nX-Request-Id: cb3c27e60625dcda\nIdempotent-Replayed: true\n\n"
                 '{"id": 8, ...}')
        self.assertSame("http", shown, printed)
        self.assertDiffers("http", shown.replace("201 Created", "200 OK"), printed, "status")
        self.assertDiffers("http", shown + "\n", printed.replace("Idempotent-Replayed: true\r\n", ""),
                           "header Idempotent-Replayed: the page shows it, the server did not send it")
        self.assertDiffers("http", shown.replace('"id": 8', '"id": 4'), printed, "body.id")


class MarkdownTest(unittest.TestCase):
    def test_an_output_block_belongs_to_the_example_right_before_it(self):
        page = ("```sh\necho a\n```\n\n```json\n{}\n```\n\n```sh\necho b\n```\n\nprose\n\n```json\n{}\n```\n"
                "<!-- not run: needs a terminal -->\n```sh\ntop\n```\n")
        examples = ax.parse_markdown(page)
        self.assertEqual([e.text for e in examples], ["echo a\n", "echo b\n", "top\n"])
        self.assertEqual(examples[0].output.lang, "json")
        self.assertIsNone(examples[1].output)  # prose between: an illustration, not an output
        self.assertEqual(examples[2].skip_reason, "needs a terminal")


class WholeRunTest(unittest.TestCase):
    def run_page(self, page):
        self.assertTrue(os.environ.get("DROPLINE_BIN"), "needs --bin or DROPLINE_BIN: the dropline binary")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "page.md")
            with open(path, "w") as f:
                f.write(page)
            out = io.StringIO()
            rc = ax.run(path, os.environ["DROPLINE_BIN"], out=out)
            return rc, out.getvalue()

    def test_a_page_that_matches_the_server_passes(self):
        rc, out = self.run_page("""
```sh
export KEY=$(dropline keys create --retailer 500)
curl -si http://localhost:8080/v1/retailers/500/orders/ -H "Authorization: Bearer $KEY"
```

```http
HTTP/1.1 200 OK
Content-Type: application/json

{"count": 0, "next": null, "previous": null, "results": []}
```
""")
        self.assertEqual(rc, 0, out)
        self.assertIn("1 run, 1 compared with their output, 0 not run, 0 failed", out)

    def test_a_page_that_drifted_fails_naming_the_line_and_the_difference(self):
        rc, out = self.run_page("""Health:

```sh
curl -s http://localhost:8080/healthz
```

```json
{"status": "ok", "version": "0.1.0", "schema_version": 1}
```

```sh
curl -s http://localhost:8080/nope | jq -r .error.code
false
```
""")
        self.assertEqual(rc, 1, out)
        self.assertIn("page.md:3: curl -s http://localhost:8080/healthz", out)
        self.assertIn("$.schema_version: the page shows 1, the server printed", out)
        self.assertIn("exit status 1", out)
        self.assertIn("2 run, 1 compared with their output, 0 not run, 2 failed", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
