#!/usr/bin/env python3
"""Webhook delivery on this machine: deliveries per second to a local
receiver with 1 subscription and with 100, and the delivery lag (commit to
receipt) p50/p99. Driven by bench/webhooks.sh, which starts the server.

100 subscriptions are 50 of retailer 500 and 50 of brand 501 (a party has
at most 50), all taking order.created of the same orders.
Throughput: the receiver answers 503 while BACKLOG orders are created, so
every subscription has that many events waiting; then it answers 200 and
the time from the first to the last receipt gives deliveries per second
(the retry base is 0.05 s: the first retry drains the backlog).
Lag: with 1 subscription, LAG_ORDERS orders one after the other; for each,
the time from its 201 (the commit is durable then) to the receiver getting
its event.
"""
import http.client
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ["DROPLINE_PORT"])
KEY = os.environ["RKEY"]
BKEY = os.environ["BKEY"]
BACKLOG = int(os.environ.get("BACKLOG", "300"))
LAG_ORDERS = int(os.environ.get("LAG_ORDERS", "300"))

state = {"ok": True, "got": [], "lock": threading.Lock()}


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        now = time.monotonic()
        ok = state["ok"]
        if ok:
            event = json.loads(body)
            with state["lock"]:
                state["got"].append((now, self.headers["Dropline-Webhook-Id"], event["data"]["id"]))
        self.send_response(200 if ok else 503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def api(method, path, body=None, key=None):
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    headers = {"Authorization": "Bearer " + (key or KEY)}
    if body is not None:
        headers["Content-Type"] = "application/json"
    c.request(method, path, json.dumps(body) if body is not None else None, headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, json.loads(data) if data else None


def order(n):
    return {"purchase_order_number": "WB-%d-%d" % (os.getpid(), n), "ordered_at": "2016-07-06T10:25",
            "ship_to": {"name1": "T", "street1": "S", "city": "C", "province": "CA",
                        "postal_code": "90254", "country": "US"},
            "shipping_method": {"code": "GROUND", "carrier": {"code": "UPSN"}},
            "order_lines": [{"variant": {"identifier": "GBD34315"}, "quantity": 1,
                             "net_price": "1.00", "price": "2.00"}]}


counter = [0]


def create_order():
    counter[0] += 1
    status, doc = api("POST", "/v1/retailers/500/orders/", order(counter[0]))
    assert status == 201, (status, doc)
    return doc["id"], time.monotonic()


def subscribe(n, rx_port):
    """n subscriptions to order.created: retailer 500's, then (a party has at most 50) brand 501's."""
    ids = []
    for k in range(n):
        side, key = ("/v1/retailers/500", KEY) if k < 50 else ("/v1/brands/501", BKEY)
        status, doc = api("POST", side + "/webhooks/",
                          {"url": "http://127.0.0.1:%d/hook" % rx_port, "event_types": ["order.created"]},
                          key)
        assert status == 201, (status, doc)
        ids.append((side, key, doc["id"]))
    return ids


def unsubscribe(ids):
    for side, key, i in ids:
        assert api("DELETE", "%s/webhooks/%d/" % (side, i), None, key)[0] == 204


def wait_for(count, limit=600):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        with state["lock"]:
            if len(state["got"]) >= count:
                return True
        time.sleep(0.01)
    return False


def throughput(nsubs, rx_port):
    ids = subscribe(nsubs, rx_port)
    state["ok"] = False
    with state["lock"]:
        state["got"].clear()
    for _ in range(BACKLOG):
        create_order()
    state["ok"] = True
    want = BACKLOG * nsubs
    assert wait_for(want), "only %d of %d deliveries" % (len(state["got"]), want)
    with state["lock"]:
        times = sorted(t for t, _, _ in state["got"])
    unsubscribe(ids)
    secs = times[want - 1] - times[0]
    print("deliveries/s, %3d subscription%s: %8.0f  (%d deliveries in %.2f s)" %
          (nsubs, "" if nsubs == 1 else "s", want / secs if secs > 0 else float("inf"), want, secs))


def lag(rx_port):
    ids = subscribe(1, rx_port)
    with state["lock"]:
        state["got"].clear()
    committed = {}
    for _ in range(LAG_ORDERS):
        oid, t = create_order()
        committed[oid] = t
    assert wait_for(LAG_ORDERS)
    with state["lock"]:
        got = {oid: t for t, _, oid in state["got"]}
    lags = sorted((got[o] - committed[o]) * 1000 for o in committed)
    unsubscribe(ids)
    p = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
    print("lag commit -> receipt, 1 subscription, %d orders: p50 %.2f ms, p99 %.2f ms, max %.2f ms" %
          (len(lags), p(0.50), p(0.99), lags[-1]))


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rx_port = server.server_address[1]
    lag(rx_port)
    throughput(1, rx_port)
    throughput(100, rx_port)
    server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
