#!/usr/bin/env python3
"""Checks every response the integration tests received against docs/openapi.yaml.

The test harness (tests/support/openapi_log.c) appends each response to
DIR/<test binary>.<pid>.ndjson when DROPLINE_OPENAPI_LOG=DIR. For each
logged response this finds the operation (the path template that matches the
request path, with or without its trailing slash, and the method; HEAD is
answered as GET), then the documented response (its status, else
`default`), and checks:

- the status is documented for the operation; a request that matches no
  operation must get one of the answers of the document's
  `x-dropline-unrouted` (404 for an unknown path, 405 for a known path with
  another method, 413 before routing);
- every header the response documents as required is there and matches its
  schema, and no header beyond those documented and the transport's own
  (Date, Content-Type, Content-Length, Connection, ...) is sent;
- the body: JSON with a documented media type, valid against the response's
  schema (JSON Schema 2020-12, $refs resolved within the document), or
  empty when the response documents no content (304, HEAD);
- for a request the server accepted (2xx, 304): every query parameter is
  documented for the operation and its value valid, the documented request
  headers (Idempotency-Key, If-None-Match) valid, and the body valid against
  the operation's requestBody: what the server accepts, the document must
  allow.

Any mismatch fails the run, naming the test binary, its Check test case,
the request, the status and the schema error. Identical failures (same
operation, status and error) are reported once with their count.

Usage: validate_responses.py --spec docs/openapi.yaml LOG_DIR [--require-responses N]

Works with Debian 12's python3-jsonschema (4.10) and python3-yaml, and with
newer jsonschema releases.
"""
import argparse
import glob
import json
import os
import re
import sys
import urllib.parse
from collections import OrderedDict
from urllib.parse import parse_qsl, urlsplit

import yaml

try:
    from jsonschema import Draft202012Validator
except ImportError:  # pragma: no cover - reported to the user
    sys.exit("validate_responses.py needs python3-jsonschema (apt-get install python3-jsonschema)")

METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
# Headers of the transport, not of the API: never documented, always allowed.
TRANSPORT_HEADERS = {"date", "content-type", "content-length", "connection", "keep-alive",
                     "transfer-encoding"}
PATH_INTEGER = re.compile(r"^[0-9]{1,18}$")


class Spec:
    """The OpenAPI document, its operations and compiled schemas."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        self.templates = []  # (template, regex, [param names], path item)
        for template, item in self.doc.get("paths", {}).items():
            names = re.findall(r"\{([^}]+)\}", template)
            pattern = re.escape(template.rstrip("/") or "/")
            for name in names:
                pattern = pattern.replace(re.escape("{%s}" % name), "([^/]+)")
            self.templates.append((template, re.compile("^%s/?$" % pattern), names, item))
        self._validators = {}

    def resolve(self, node):
        """Follows a local $ref (#/...) of an OpenAPI object (not of a schema)."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node and len(node) == 1:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise ValueError("only local references are supported: %s" % ref)
            node = self.doc
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            seen += 1
            if seen > 32:
                raise ValueError("reference loop at %s" % ref)
        return node

    def parameter_schema(self, item, operation, name):
        for p in list(item.get("parameters", [])) + list(operation.get("parameters", []) if operation else []):
            p = self.resolve(p)
            if p.get("in") == "path" and p.get("name") == name:
                return self.resolve(p.get("schema", {}))
        return {}

    def path_value_matches(self, value, schema):
        """A path segment against its parameter's schema: integers as the router reads them."""
        if schema.get("type") == "integer":
            if not PATH_INTEGER.match(value):
                return False
            number = int(value)
            return number >= schema.get("minimum", number) and number <= schema.get("maximum", number)
        return value != ""

    def match(self, method, path):
        """(template, path item, operation or None) for a request; None when no template matches."""
        path = path.split("?", 1)[0]
        for template, regex, names, item in self.templates:
            m = regex.match(path)
            if not m:
                continue
            op_method = "get" if method.lower() == "head" else method.lower()
            operation = item.get(op_method)
            values = m.groups()
            ok = True
            for name, value in zip(names, values):
                # A parameter declared on any operation of the path gives its schema.
                candidates = [operation] if operation else [item.get(x) for x in METHODS if item.get(x)]
                schema = {}
                for candidate in candidates or [None]:
                    schema = self.parameter_schema(item, candidate, name)
                    if schema:
                        break
                if not self.path_value_matches(value, schema):
                    ok = False
            if ok:
                return template, item, operation
        return None

    def validator(self, schema):
        key = id(schema)
        if key not in self._validators:
            # The schema inside a root that holds the document's components, so
            # that "#/components/schemas/X" resolves with any jsonschema version.
            root = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                    "components": self.doc.get("components", {}),
                    "allOf": [schema]}
            self._validators[key] = (schema, Draft202012Validator(root))
        return self._validators[key][1]


def parse_headers(raw):
    """The last header block of a raw response (after any 1xx), as {lower name: [values]}."""
    blocks = [b for b in re.split(r"\r?\n\r?\n", raw) if b.strip()]
    headers = {}
    if not blocks:
        return headers
    for line in blocks[-1].splitlines()[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers.setdefault(name.strip().lower(), []).append(value.strip())
    return headers


def error_weight(error):
    """How far an instance is from a schema: an unexpected property counts one each."""
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        declared = set(error.schema.get("properties", {}))
        return max(1, len(set(error.instance) - declared))
    if error.context:
        return min(sum(error_weight(e) for e in branch) for branch in branches(error).values())
    return 1


def branches(error):
    """The errors under a oneOf/anyOf failure, by the branch they belong to."""
    by_branch = {}
    for e in error.context:
        by_branch.setdefault(e.relative_schema_path[0], []).append(e)
    return by_branch


def leaf_errors(error):
    """The errors under a oneOf/anyOf failure: all those of the branch the instance is closest to."""
    if not error.context:
        return [error]
    closest = min(branches(error).values(), key=lambda branch: sum(error_weight(e) for e in branch))
    leaves = []
    for e in closest:
        leaves += leaf_errors(e)
    return leaves


def describe_error(error):
    """One line for a schema error: where, and what."""
    where = "$" + "".join("[%d]" % p if isinstance(p, int) else ".%s" % p for p in error.absolute_path)
    message = error.message
    if len(message) > 300:
        message = message[:300] + "..."
    return "%s: %s" % (where, message)


def check_header_value(spec, name, header, value):
    schema = spec.resolve(header.get("schema", {}))
    instance = value
    if schema.get("type") == "integer":
        try:
            instance = int(value)
        except ValueError:
            return "header %s: %r is not an integer" % (name, value)
    errors = list(spec.validator(schema).iter_errors(instance))
    if errors:
        return "header %s: %r: %s" % (name, value, errors[0].message)
    return None


def check_response(spec, entry, response, method):
    """Problems of one logged response against its documented response object."""
    problems = []
    response = spec.resolve(response)
    headers = parse_headers(entry.get("headers", ""))
    documented = {}
    for name, header in response.get("headers", {}).items():
        documented[name.lower()] = spec.resolve(header)
    for name, header in documented.items():
        if name not in headers:
            if header.get("required"):
                problems.append("header %s is documented as required but was not sent" % name)
            continue
        for value in headers[name]:
            problem = check_header_value(spec, name, header, value)
            if problem:
                problems.append(problem)
    for name in headers:
        if name not in documented and name not in TRANSPORT_HEADERS:
            problems.append("header %s is sent but not documented for this response" % name)

    body = entry.get("body", "")
    if isinstance(body, dict):
        return problems + ["the body is not UTF-8"]
    content = response.get("content")
    if method.upper() == "HEAD":
        if body:
            problems.append("a HEAD response has a body")
        return problems
    if not content:
        if body:
            problems.append("the response documents no body, but one was sent: %s" % body[:200])
        return problems
    content_type = (headers.get("content-type") or [""])[-1].split(";", 1)[0].strip().lower()
    media = None
    for name, candidate in content.items():
        if name.lower() == content_type:
            media = candidate
    if media is None:
        return problems + ["content type %r is not documented (documented: %s)"
                           % (content_type, ", ".join(content))]
    if not content_type.endswith("json"):
        # A text body (/metrics): its documented type is what there is to check.
        return problems
    try:
        instance = json.loads(body)
    except ValueError as e:
        return problems + ["the body is not JSON (%s): %s" % (e, body[:200])]
    schema = media.get("schema")
    if schema is not None:
        errors = sorted(spec.validator(schema).iter_errors(instance), key=lambda e: list(e.absolute_path))
        problems += [describe_error(leaf) for e in errors for leaf in leaf_errors(e)]
    return problems


def operation_parameters(spec, item, operation):
    """The parameters of an operation (its own over its path item's), resolved, by (in, name)."""
    params = {}
    for p in list(item.get("parameters", [])) + list(operation.get("parameters", [])):
        p = spec.resolve(p)
        params[(p.get("in"), p.get("name").lower() if p.get("in") == "header" else p.get("name"))] = p
    return params


def parameter_value(spec, schema, value):
    """A query or header value as its schema's type reads it; None when it does not parse."""
    kind = schema.get("type")
    if kind == "integer":
        return int(value) if re.match(r"^-?[0-9]+$", value) else None
    if kind == "boolean":
        return {"true": True, "false": False}.get(value)
    return value


def check_request(spec, entry, item, operation):
    """Problems of a request the server accepted (2xx, 304) that the document would refuse."""
    problems = []
    params = operation_parameters(spec, item, operation)
    query = parse_qsl(urlsplit(entry["path"]).query, keep_blank_values=True)
    for name, value in query:
        param = params.get(("query", name))
        if param is None:
            problems.append("the server accepted query parameter %s, which the operation does not document"
                            % name)
            continue
        schema = spec.resolve(param.get("schema", {}))
        if schema.get("type") == "array":
            schema = spec.resolve(schema.get("items", {}))
        instance = parameter_value(spec, schema, value)
        errors = [] if instance is None else list(spec.validator(schema).iter_errors(instance))
        if instance is None or errors:
            problems.append("the server accepted %s=%s, which the document refuses%s"
                            % (name, value, ": " + errors[0].message if errors else ""))
    for header in entry.get("request_headers") or []:
        name, _, value = header.partition(":")
        param = params.get(("header", name.strip().lower()))
        if param is not None:
            schema = spec.resolve(param.get("schema", {}))
            errors = list(spec.validator(schema).iter_errors(value.strip()))
            if errors:
                problems.append("the server accepted header %s, which the document refuses: %s"
                                % (header, errors[0].message))
    body = entry.get("request_body")
    if body is None or isinstance(body, dict):
        return problems
    request_body = spec.resolve(operation.get("requestBody", {}))
    request_type = (entry.get("request_content_type") or "").split(";", 1)[0].strip().lower()
    form = request_body.get("content", {}).get("application/x-www-form-urlencoded")
    if request_type == "application/x-www-form-urlencoded" and form is not None:
        # A form body (the token endpoint's): its parameters as an object of strings.
        instance = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        errors = sorted(spec.validator(form.get("schema", {})).iter_errors(instance),
                        key=lambda e: list(e.absolute_path))
        return problems + ["the server accepted a form the document refuses: " + describe_error(leaf)
                           for e in errors for leaf in leaf_errors(e)]
    media = request_body.get("content", {}).get("application/json")
    try:
        instance = json.loads(body) if body.strip() else None
    except ValueError:
        return problems + ["the server accepted a body that is not JSON"]
    if media is None:
        if instance not in (None, {}):
            problems.append("the server accepted a body, and the operation documents none")
        return problems
    errors = sorted(spec.validator(media.get("schema", {})).iter_errors(instance),
                    key=lambda e: list(e.absolute_path))
    problems += ["the server accepted a body the document refuses: " + describe_error(leaf)
                 for e in errors for leaf in leaf_errors(e)]
    return problems


def unrouted_response(spec, status):
    unrouted = spec.doc.get("x-dropline-unrouted", {}).get("responses", {})
    return unrouted.get(str(status))


def check_entry(spec, entry):
    """(operation label, problems) for one logged response."""
    method = entry["method"].upper()
    status = entry["status"]
    found = spec.match(method, entry["path"])
    if found is None:
        label = "(no operation: unknown path)"
        response = unrouted_response(spec, status)
        if response is None or status == 405:
            return label, ["the request matches no path of the document, and %d is not what "
                           "x-dropline-unrouted documents for an unknown path (404, 413)" % status]
        return label, check_response(spec, entry, response, method)
    template, item, operation = found
    if operation is None:
        label = "(no operation: another method on a path)"
        response = unrouted_response(spec, status)
        if response is None or status == 404:
            return label, ["%s %s is not an operation of the document, and %d is not what "
                           "x-dropline-unrouted documents for a known path with another method "
                           "(405, 413)" % (method, template, status)]
        return label, check_response(spec, entry, response, method)
    label = "%s %s" % ("GET" if method == "HEAD" else method, template)
    responses = operation.get("responses", {})
    response = responses.get(str(status), responses.get("default"))
    if response is None:
        return label, ["status %d is not documented for %s (documented: %s)"
                       % (status, operation.get("operationId", label), ", ".join(responses))]
    problems = check_response(spec, entry, response, method)
    if status < 400:
        problems += check_request(spec, entry, item, operation)
    return label, problems


def read_log(directory):
    entries = []
    for name in sorted(glob.glob(os.path.join(directory, "*.ndjson"))):
        with open(name, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    entries.append(json.loads(line))
                except ValueError as e:
                    entries.append({"_broken": "%s:%d: %s" % (name, number, e)})
    return entries


def validate(spec, entries):
    """Returns (failures as OrderedDict key -> [count, example entry, problem], coverage)."""
    failures = OrderedDict()
    coverage = {}
    for entry in entries:
        if "_broken" in entry:
            failures[("log", entry["_broken"])] = [1, None, "a log line is not JSON: " + entry["_broken"]]
            continue
        label, problems = check_entry(spec, entry)
        coverage.setdefault(label, set()).add(entry["status"])
        for problem in problems:
            # The same problem at another index of a list is the same problem.
            key = (label, entry["status"], re.sub(r"\[\d+\]", "[]", problem))
            if key in failures:
                failures[key][0] += 1
            else:
                failures[key] = [1, entry, problem]
    return failures, coverage


def operations(spec):
    ops = []
    for template, item in spec.doc.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                ops.append("%s %s" % (method.upper(), template))
    return ops


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", required=True, help="the OpenAPI document")
    parser.add_argument("--require-responses", type=int, default=1,
                        help="fail when fewer responses were logged (default 1: an empty log is a failure)")
    parser.add_argument("log_dir", help="DROPLINE_OPENAPI_LOG of the test run")
    args = parser.parse_args(argv)

    spec = Spec(args.spec)
    entries = read_log(args.log_dir)
    failures, coverage = validate(spec, entries)

    for (count, entry, problem) in failures.values():
        if entry is None:
            print("FAIL %s" % problem)
            continue
        times = " (and %d more like it)" % (count - 1) if count > 1 else ""
        print("FAIL %s [%s]: %s %s -> %d: %s%s" % (entry.get("test", "?"), entry.get("tcase", "?"),
                                                    entry["method"], entry["path"], entry["status"],
                                                    problem, times))
    documented = operations(spec)
    seen = [op for op in documented if op in coverage]
    print("openapi: %d responses validated against %s: %d of %d operations exercised, %d failure%s"
          % (len(entries), args.spec, len(seen), len(documented), len(failures),
             "" if len(failures) == 1 else "s"))
    for op in documented:
        statuses = coverage.get(op)
        print("  %-60s %s" % (op, " ".join(str(s) for s in sorted(statuses)) if statuses else "(not exercised)"))
    for label in sorted(k for k in coverage if k.startswith("(")):
        print("  %-60s %s" % (label, " ".join(str(s) for s in sorted(coverage[label]))))
    if len(entries) < args.require_responses:
        print("FAIL only %d responses were logged in %s (at least %d expected): is "
              "DROPLINE_OPENAPI_LOG set for the integration tests?"
              % (len(entries), args.log_dir, args.require_responses))
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
