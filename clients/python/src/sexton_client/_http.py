"""Blocking HTTP/1.1 transport: a small pool of kept-alive connections, safe across threads.

A pool rather than one connection per thread: the heartbeat thread of every operation would
otherwise open a connection of its own, while it only needs one for a moment now and then.
"""
from __future__ import annotations

import http.client
import select
import socket
import threading

from ._protocol import JSON, Endpoint

_MAX_IDLE = 8


def _dropped(sock: socket.socket) -> bool:
    """Whether an idle kept-alive connection was closed by the server (its idle timeout).

    An idle connection has nothing to read, so a readable one holds an EOF (or junk): sending on
    it would pass and the answer never come, and a submission cannot safely be sent twice.
    """
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)


class Transport:
    def __init__(self, endpoint: Endpoint, timeout: float, user_agent: str) -> None:
        self._endpoint = endpoint
        self._timeout = timeout
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._headers = {"User-Agent": user_agent, "Accept": JSON}
        self._body_headers = {**self._headers, "Content-Type": JSON}

    def request(self, method: str, path: str, body: bytes | None) -> tuple[int, dict[str, str], bytes]:
        conn, reused = self._checkout()
        headers = self._headers if body is None else self._body_headers
        target = self._endpoint.prefix + path
        try:
            try:
                conn.request(method, target, body, headers)
            except ConnectionError:
                # Failing while sending means the server did not take the request, so sending
                # it again on a fresh connection cannot run it twice.
                conn.close()
                if not reused:
                    raise
                conn = self._connect()
                conn.request(method, target, body, headers)
            response = conn.getresponse()
            data = response.read()
        except BaseException:
            conn.close()
            raise
        if response.will_close:
            conn.close()
        else:
            self._checkin(conn)
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self._endpoint.host, self._endpoint.port, timeout=self._timeout)

    def _checkout(self) -> tuple[http.client.HTTPConnection, bool]:
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return self._connect(), False
            if conn.sock is not None and not _dropped(conn.sock):
                return conn, True
            conn.close()

    def _checkin(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < _MAX_IDLE:
                self._idle.append(conn)
                return
        conn.close()
