#!/usr/bin/env python3
"""Helpers of the zombie scenarios of run.sh.

  zombies.py make API RATE     creates about RATE zombies a second on API until killed: each
                               second one batch admits RATE low-priority operations on fresh
                               targets and a second preempts them all (grace_period 0s)
  zombies.py webhook PORT DELAY   a webhook receiver on 127.0.0.1:PORT answering 204 after DELAY s
"""
import http.client
import http.server
import json
import sys
import time


def make(api, rate):
    host, port = api.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    round_ = 0
    while True:
        started = time.monotonic()
        for priority in ("low", "high"):
            batch = [{"target": f"zombie/{round_}/{i}", "priority": priority} for i in range(rate)]
            connection.request("POST", "/v1/batches", json.dumps({"operations": batch}),
                               {"Content-Type": "application/json"})
            connection.getresponse().read()
        round_ += 1
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))


class SlowReceiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    delay = 2.0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(self.delay)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def webhook(port, delay):
    SlowReceiver.delay = delay
    http.server.ThreadingHTTPServer(("127.0.0.1", port), SlowReceiver).serve_forever()


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]))
    else:
        webhook(int(sys.argv[2]), float(sys.argv[3]))
