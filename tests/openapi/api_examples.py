#!/usr/bin/env python3
"""Runs the curl examples of docs/api.md against a demo server and compares
each answer with what the page prints.

The page's convention, readable as it is:

- Every ```sh block is an example. The examples run in document order in one
  bash session (shell variables and functions carry over, as they would for
  a reader pasting them one after the other), against a fresh `dropline
  demo` database served on a free port of 127.0.0.1: `localhost:8080` in a
  command is rewritten to that port, `dropline` is the binary under test,
  and DROPLINE_DB names the database, so `dropline keys create` works as
  written.
- A ```json, ```http or ```text block right after an example (nothing but
  blank lines between) is that example's output, compared with what it
  printed:
  - json: the JSON values printed, compared as JSON (key order and spacing do
    not matter). `...` stands for what the page leaves out: in an object,
    other members; in an array, other elements. An object without `...`
    must have exactly the members shown.
  - http: the output of `curl -i`: the status line must be the same, every
    header shown must be sent with that value (headers not shown are not
    compared), and the body is compared as for json.
  - text: the lines printed, exactly.
  An example without an output block must only succeed (exit status 0).
- `<!-- not run: why -->` on the line before a ```sh block skips it.

What differs from run to run is normalised before comparing: times the
server made (received_at, shipped_at, ...: those not before this run) are
compared by their distance in hours from the first such time of the same
example, so deadlines (+24 h, +72 h) are checked, not the clock; the catalog
generation inside ETags, X-Request-Id and Date headers, and the secret of
API keys and access tokens (dl_<id>_<secret>, dlt_<id>_<secret>). Ids are not normalised: on a fresh database
they are the same on every run, and the prose refers to them.

Usage: api_examples.py --bin build/dropline [--doc docs/api.md] [--verbose]
"""
import argparse
import calendar
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DOC = os.path.join(HERE, "..", "..", "docs", "api.md")

TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
TIME_IN_TEXT_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
ETAG_GENERATION_RE = re.compile(r'(\.g)\d+(")')
KEY_RE = re.compile(r"\b(dlt?_\d+_)[A-Za-z0-9_-]{16,}")
EXAMPLE_TIMEOUT = 120  # seconds one example may take before the run gives up on it
OUTPUT_LANGS = ("json", "http", "text")


# ---------------------------------------------------------------- markdown

class Block:
    def __init__(self, line, lang, text, skip_reason=None):
        self.line = line  # 1-based line of the opening fence
        self.lang = lang
        self.text = text
        self.skip_reason = skip_reason
        self.output = None  # the Block printed as its output, for an example


def parse_markdown(text):
    """The examples of a page: ```sh blocks with their output block, if any."""
    lines = text.split("\n")
    blocks = []  # (block, blank lines only since the previous block)
    i = 0
    last_end = -1
    pending_skip = None
    pending_skip_line = None
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^(\s*)```(\S*)\s*$", line)
        comment = re.match(r"^\s*<!--\s*not run:\s*(.*?)\s*-->\s*$", line)
        if comment:
            pending_skip, pending_skip_line = comment.group(1) or "no reason given", i
            i += 1
            continue
        if not m:
            i += 1
            continue
        indent, lang = m.group(1), m.group(2)
        body = []
        j = i + 1
        while j < len(lines) and not re.match(r"^\s*```\s*$", lines[j]):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        adjacent = last_end >= 0 and all(not l.strip() for l in lines[last_end + 1:i])
        skip = None
        if pending_skip is not None and all(not l.strip() for l in lines[pending_skip_line + 1:i]):
            skip = pending_skip
        pending_skip = None
        blocks.append((Block(i + 1, lang, "\n".join(body) + "\n", skip), adjacent))
        last_end = j
        i = j + 1
    examples = []
    for k, (block, adjacent) in enumerate(blocks):
        if block.lang == "sh":
            examples.append(block)
        elif block.lang in OUTPUT_LANGS and adjacent and k > 0 and blocks[k - 1][0].lang == "sh":
            blocks[k - 1][0].output = block
    return examples


# ------------------------------------------------- JSON with `...` elisions

class More:
    """`...` in an abridged JSON value."""

    def __repr__(self):
        return "..."


MORE = More()
MORE_KEY = "\0..."  # an object's `...` member


class AbridgedParser:
    """JSON, plus `...` as an object member or an array element."""

    def __init__(self, text):
        self.text = text
        self.pos = 0

    def error(self, what):
        line = self.text.count("\n", 0, self.pos) + 1
        raise ValueError("%s at line %d of the block: %r" % (what, line, self.text[self.pos:self.pos + 30]))

    def skip(self):
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def peek(self, s):
        self.skip()
        return self.text.startswith(s, self.pos)

    def expect(self, s):
        if not self.peek(s):
            self.error("expected %r" % s)
        self.pos += len(s)

    def values(self):
        out = []
        self.skip()
        while self.pos < len(self.text):
            out.append(self.value())
            self.skip()
        return out

    def value(self):
        self.skip()
        if self.peek("..."):
            self.pos += 3
            return MORE
        if self.peek("{"):
            return self.obj()
        if self.peek("["):
            return self.arr()
        decoder = json.JSONDecoder()
        try:
            value, end = decoder.raw_decode(self.text, self.pos)
        except ValueError:
            self.error("not JSON")
        self.pos = end
        return value

    def obj(self):
        self.expect("{")
        out = {}
        if self.peek("}"):
            self.pos += 1
            return out
        while True:
            if self.peek("..."):
                # `...` stands on its own line: the comma after it is optional.
                self.pos += 3
                out[MORE_KEY] = True
                if self.peek(","):
                    self.pos += 1
                if self.peek("}"):
                    self.pos += 1
                    return out
                continue
            else:
                self.skip()
                key = self.value()
                if not isinstance(key, str):
                    self.error("expected a member name")
                self.expect(":")
                out[key] = self.value()
            if self.peek(","):
                self.pos += 1
                continue
            self.expect("}")
            return out

    def arr(self):
        self.expect("[")
        out = []
        if self.peek("]"):
            self.pos += 1
            return out
        while True:
            out.append(self.value())
            if out[-1] is MORE and not self.peek("]"):
                if self.peek(","):
                    self.pos += 1
                continue
            if self.peek(","):
                self.pos += 1
                continue
            self.expect("]")
            return out


def parse_abridged(text):
    return AbridgedParser(text).values()


def parse_printed_json(text):
    """The JSON values a command printed, one after the other."""
    decoder = json.JSONDecoder()
    out = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos >= len(text):
            return out
        value, pos = decoder.raw_decode(text, pos)
        out.append(value)


# -------------------------------------------------------------- comparison

def iso_epoch(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


class Comparison:
    """Differences between what the page prints and what the server printed."""

    def __init__(self, run_started):
        self.run_started = run_started
        self.differences = []
        self.times = []  # (where, shown, printed) of times the server made

    def differ(self, where, shown, printed):
        self.differences.append("%s: the page shows %s, the server printed %s"
                                % (where or "$", short(shown), short(printed)))

    def server_time(self, value):
        return (isinstance(value, str) and TIME_RE.match(value)
                and iso_epoch(value) >= self.run_started - 86400)

    def scalar(self, where, shown, printed):
        if self.server_time(printed) and isinstance(shown, str) and TIME_RE.match(shown):
            self.times.append((where, shown, printed))
            return
        if isinstance(shown, str) and isinstance(printed, str):
            if normalise_text(shown) == normalise_text(printed):
                return
        if type(shown) is not type(printed) and not (
                isinstance(shown, (int, float)) and isinstance(printed, (int, float))
                and not isinstance(shown, bool) and not isinstance(printed, bool)):
            self.differ(where, shown, printed)
        elif shown != printed:
            self.differ(where, shown, printed)

    def json(self, where, shown, printed):
        if shown is MORE:
            return
        if isinstance(shown, dict):
            if not isinstance(printed, dict):
                return self.differ(where, shown, printed)
            for key, value in shown.items():
                if key == MORE_KEY:
                    continue
                if key not in printed:
                    self.differences.append("%s.%s: the page shows it, the server did not print it"
                                            % (where or "$", key))
                else:
                    self.json("%s.%s" % (where or "$", key), value, printed[key])
            if MORE_KEY not in shown:
                extra = [k for k in printed if k not in shown]
                if extra:
                    self.differences.append("%s: the server printed %s, which the page does not show "
                                            "(add them, or `...`)" % (where or "$", ", ".join(extra)))
            return
        if isinstance(shown, list):
            if not isinstance(printed, list):
                return self.differ(where, shown, printed)
            if MORE in shown:
                first = shown.index(MORE)
                last = len(shown) - 1 - shown[::-1].index(MORE)
                head, tail = shown[:first], shown[last + 1:]
                if len(printed) < len(head) + len(tail):
                    return self.differences.append("%s: the page shows at least %d elements, the server "
                                                   "printed %d" % (where or "$", len(head) + len(tail),
                                                                   len(printed)))
                pairs = list(zip(range(len(head)), head)) + [
                    (len(printed) - len(tail) + k, v) for k, v in enumerate(tail)]
            else:
                if len(printed) != len(shown):
                    return self.differences.append("%s: the page shows %d elements, the server printed %d"
                                                   % (where or "$", len(shown), len(printed)))
                pairs = list(enumerate(shown))
            for index, value in pairs:
                self.json("%s[%d]" % (where or "$", index), value, printed[index])
            return
        self.scalar(where, shown, printed)

    def check_times(self):
        """Server-made times: the same distances, in whole hours, from the first one."""
        if not self.times:
            return
        where0, shown0, printed0 = self.times[0]
        for where, shown, printed in self.times[1:]:
            shown_hours = round((iso_epoch(shown) - iso_epoch(shown0)) / 3600)
            printed_hours = round((iso_epoch(printed) - iso_epoch(printed0)) / 3600)
            if shown_hours != printed_hours:
                self.differences.append(
                    "%s: the page shows %s, %+d h from %s (%s); the server printed %s, %+d h from %s"
                    % (where, shown, shown_hours, where0, shown0, printed, printed_hours, printed0))


def short(value):
    text = json.dumps(value) if not isinstance(value, More) else "..."
    return text if len(text) <= 120 else text[:117] + "..."


def normalise_text(text):
    text = ETAG_GENERATION_RE.sub(r"\1<generation>\2", text)
    return KEY_RE.sub(r"\1<secret>", text)


def compare_text(cmp, shown, printed):
    """Text outputs: line by line, server-made times by their distance."""
    shown_lines = shown.rstrip("\n").split("\n")
    printed_lines = printed.rstrip("\n").split("\n")
    if len(shown_lines) != len(printed_lines):
        cmp.differences.append("the page shows %d lines, the command printed %d"
                               % (len(shown_lines), len(printed_lines)))
    for n, (s, p) in enumerate(zip(shown_lines, printed_lines), 1):
        s_times, p_times = TIME_IN_TEXT_RE.findall(s), TIME_IN_TEXT_RE.findall(p)
        if len(s_times) == len(p_times):
            for st, pt in zip(s_times, p_times):
                cmp.scalar("line %d" % n, st, pt)
            s = TIME_IN_TEXT_RE.sub("<time>", s) if s_times else s
            p = TIME_IN_TEXT_RE.sub("<time>", p) if p_times else p
        if normalise_text(s) != normalise_text(p.rstrip("\r")):
            cmp.differences.append("line %d: the page shows %r, the command printed %r" % (n, s, p))


def split_http(text):
    """(status line, [(name, value)], body) of a `curl -i` output or of the page's block."""
    text = text.replace("\r\n", "\n")
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return lines[0].strip(), headers, body


def compare_header(cmp, name, shown, printed):
    lname = name.lower()
    if lname == "date":
        return
    if lname == "x-request-id" and re.match(r"^[0-9a-f]{16}$", shown) and re.match(r"^[0-9a-f]{16}$", printed):
        return
    if normalise_text(shown) != normalise_text(printed):
        cmp.differences.append("header %s: the page shows %r, the server sent %r" % (name, shown, printed))


def compare_output(block, printed, run_started):
    """The differences between an output block and what its example printed."""
    cmp = Comparison(run_started)
    try:
        if block.lang == "json":
            try:
                values = parse_printed_json(printed)
            except ValueError as e:
                return ["the command did not print JSON (%s)" % e]
            shown = parse_abridged(block.text)
            if len(shown) != len(values):
                cmp.differences.append("the page shows %d JSON values, the command printed %d"
                                       % (len(shown), len(values)))
            for n, (s, p) in enumerate(zip(shown, values)):
                cmp.json("$" if len(shown) == 1 else "[value %d]" % (n + 1), s, p)
        elif block.lang == "http":
            s_status, s_headers, s_body = split_http(block.text)
            p_status, p_headers, p_body = split_http(printed)
            if s_status != p_status:
                cmp.differences.append("status: the page shows %r, the server answered %r" % (s_status, p_status))
            sent = {}
            for name, value in p_headers:
                sent.setdefault(name.lower(), value)
            for name, value in s_headers:
                if name.lower() not in sent:
                    cmp.differences.append("header %s: the page shows it, the server did not send it" % name)
                else:
                    compare_header(cmp, name, value, sent[name.lower()])
            if s_body.strip() or p_body.strip():
                shown = parse_abridged(s_body)
                try:
                    values = parse_printed_json(p_body)
                except ValueError as e:
                    return cmp.differences + ["the body is not JSON (%s)" % e]
                if len(shown) != len(values):
                    cmp.differences.append("the page shows %d bodies, the server sent %d" % (len(shown), len(values)))
                for s, p in zip(shown, values):
                    cmp.json("body", s, p)
        else:
            compare_text(cmp, block.text, printed)
    except ValueError as e:
        return ["the page's block does not parse: %s" % e]
    cmp.check_times()
    return cmp.differences


# ------------------------------------------------------------------ runner

def read_text(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


class Server:
    """`dropline demo` and `dropline serve` on a free port of 127.0.0.1, over a fresh database."""

    def __init__(self, binary, workdir, env):
        self.binary = binary
        self.db = os.path.join(workdir, "demo.db")
        self.log_path = os.path.join(workdir, "serve.log")
        subprocess.run([binary, "demo", "--db", self.db], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([binary, "serve", "--db", self.db, "--listen", "127.0.0.1:0"],
                                     env=env, stdout=self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL)
        self.port = None
        deadline = time.monotonic() + 60
        while self.port is None:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dropline serve did not start:\n" + read_text(self.log_path))
            m = re.search(r"\(port (\d+)\)", read_text(self.log_path))
            if m:
                self.port = int(m.group(1))
            else:
                time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


class Shell:
    """One bash session; each example runs in it, its output kept in files."""

    def __init__(self, workdir, env):
        self.workdir = workdir
        # A session of its own, so that close() can end whatever an example left running.
        self.proc = subprocess.Popen(["bash", "--noprofile", "--norc"], cwd=workdir, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1,
                                     start_new_session=True)

    def run(self, n, script):
        path = os.path.join(self.workdir, "example-%d" % n)
        with open(path + ".sh", "w") as f:
            f.write(script)
        marker = "__example_%d_done__" % n
        self.proc.stdin.write("source %s.sh </dev/null >%s.out 2>%s.err; echo %s $?\n"
                              % (path, path, path, marker))
        self.proc.stdin.flush()
        deadline = time.monotonic() + EXAMPLE_TIMEOUT
        status = None
        while status is None:
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                raise RuntimeError("the example did not finish within %d s" % EXAMPLE_TIMEOUT)
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("the shell exited (an example called exit?)")
            if line.startswith(marker):
                status = int(line.split()[1])
        return status, read_text(path + ".out"), read_text(path + ".err")

    def close(self):
        """Ends the session and every process it started (its process group)."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.proc.stdout.close()


def pretty(printed):
    """What an example printed, indented for a failure message."""
    try:
        values = parse_printed_json(printed)
        text = "\n".join(json.dumps(v, indent=2) for v in values) if values else printed
    except ValueError:
        text = printed
    lines = text.rstrip("\n").split("\n")
    if len(lines) > 80:
        lines = lines[:80] + ["    ... (%d more lines)" % (len(lines) - 80)]
    return "\n".join("    | " + l for l in lines)


def run(doc, binary, verbose=False, out=sys.stdout):
    with open(doc, encoding="utf-8") as f:
        examples = parse_markdown(f.read())
    shown_path = os.path.relpath(doc)
    if shown_path.startswith(".."):
        shown_path = doc
    binary = os.path.abspath(binary)
    workdir = tempfile.mkdtemp(prefix="dropline-api-examples-")
    server = None
    shell = None
    failures = 0
    ran = compared = skipped = 0
    try:
        bindir = os.path.join(workdir, "bin")
        os.mkdir(bindir)
        os.symlink(binary, os.path.join(bindir, "dropline"))
        run_started = int(time.time())
        # The server and the page's commands see the defaults a reader has:
        # no DROPLINE_* settings (rate limit, threads, ...) and no keys of
        # the caller's own.
        env = {name: value for name, value in os.environ.items()
               if not name.startswith("DROPLINE_") and name not in ("KEY", "BRAND_KEY")}
        server = Server(binary, workdir, env)
        env.update({"PATH": bindir + os.pathsep + env.get("PATH", ""), "DROPLINE_DB": server.db,
                    "LC_ALL": "C.UTF-8"})
        shell = Shell(workdir, env)
        for n, example in enumerate(examples, 1):
            where = "%s:%d" % (shown_path, example.line)
            first = example.text.strip().split("\n")[0]
            if example.skip_reason is not None:
                skipped += 1
                if verbose:
                    print("skip %s: %s (%s)" % (where, first, example.skip_reason), file=out)
                continue
            script = example.text.replace("http://localhost:8080", "http://127.0.0.1:%d" % server.port)
            script = script.replace("localhost:8080", "127.0.0.1:%d" % server.port)
            try:
                status, printed, err = shell.run(n, script)
            except RuntimeError as e:
                failures += 1
                print("FAIL %s: %s\n  - %s; the examples after it were not run" % (where, first, e), file=out)
                break
            ran += 1
            problems = []
            if status != 0:
                problems.append("exit status %d%s" % (status, (": " + err.strip()[:500]) if err.strip() else ""))
            if example.output is not None:
                compared += 1
                problems += compare_output(example.output, printed, run_started)
            if problems:
                failures += 1
                print("FAIL %s: %s" % (where, first), file=out)
                for p in problems:
                    print("  - " + p, file=out)
                if example.output is not None:
                    print("  the page's block is at line %d; the command printed:\n%s"
                          % (example.output.line, pretty(printed)), file=out)
            elif verbose:
                print("ok   %s: %s" % (where, first), file=out)
    finally:
        if shell is not None:
            shell.close()  # first: an example's requests may still be in flight
        if server is not None:
            code = server.stop()
            if code != 0:
                failures += 1
                print("FAIL dropline serve exited %s:\n%s" % (code, read_text(server.log_path)[-2000:]),
                      file=out)
        shutil.rmtree(workdir, ignore_errors=True)
    print("api examples: %d run, %d compared with their output, %d not run, %d failed"
          % (ran, compared, skipped, failures), file=out)
    return 1 if failures else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.environ.get("DROPLINE_BIN"), help="the dropline binary")
    parser.add_argument("--doc", default=DEFAULT_DOC, help="the page (default docs/api.md)")
    parser.add_argument("--verbose", action="store_true", help="list every example")
    args = parser.parse_args(argv)
    if not args.bin:
        parser.error("--bin (or DROPLINE_BIN) is required")
    for tool in ("curl", "jq", "bash"):
        if shutil.which(tool) is None:
            print("api_examples.py needs %s (scripts/install-deps.sh installs it)" % tool)
            return 1
    return run(args.doc, args.bin, args.verbose)


if __name__ == "__main__":
    sys.exit(main())
