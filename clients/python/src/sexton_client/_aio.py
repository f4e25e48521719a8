"""Asyncio HTTP/1.1 transport: kept-alive stream connections, Content-Length bodies only.

Just what the sidecar speaks (it always answers with Content-Length), so no dependency is
needed. Connections belong to the event loop that opened them and are never shared with another.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ._protocol import JSON, Endpoint

_MAX_IDLE = 8


@dataclass(slots=True)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    loop: asyncio.AbstractEventLoop

    def usable(self) -> bool:
        # at_eof: the server closed it while idle (its idle timeout); see _http._dropped.
        return (self.loop is asyncio.get_running_loop() and not self.reader.at_eof()
                and not self.writer.is_closing())

    def close(self) -> None:
        try:
            self.writer.close()
        except RuntimeError:  # its event loop is already closed; the socket goes with it
            pass


class Transport:
    def __init__(self, endpoint: Endpoint, timeout: float, user_agent: str) -> None:
        self._endpoint = endpoint
        self._timeout = timeout
        self._idle: list[_Connection] = []
        self._head = f"Host: {endpoint.netloc}\r\nUser-Agent: {user_agent}\r\nAccept: {JSON}\r\n"

    async def request(self, method: str, path: str, body: bytes | None) -> tuple[int, dict[str, str], bytes]:
        try:
            return await asyncio.wait_for(self._exchange(method, path, body), self._timeout)
        except asyncio.TimeoutError:
            # The builtin, as from the sync client (asyncio's is another class before 3.11).
            raise TimeoutError(f"no answer from the sidecar within {self._timeout}s") from None

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    async def _exchange(self, method: str, path: str, body: bytes | None) -> tuple[int, dict[str, str], bytes]:
        message = self._message(method, path, body)
        conn, reused = await self._checkout()
        try:
            try:
                conn.writer.write(message)
                await conn.writer.drain()
            except ConnectionError:
                # As in _http: a request that failed while being sent was not taken.
                conn.close()
                if not reused:
                    raise
                conn = await self._connect()
                conn.writer.write(message)
                await conn.writer.drain()
            status, headers, data, keep_alive = await _read_response(conn.reader)
        except BaseException:
            # Also on cancellation (a timeout): half an answer left unread would be taken for
            # the next request's.
            conn.close()
            raise
        if keep_alive and len(self._idle) < _MAX_IDLE:
            self._idle.append(conn)
        else:
            conn.close()
        return status, headers, data

    def _message(self, method: str, path: str, body: bytes | None) -> bytes:
        head = f"{method} {self._endpoint.prefix}{path} HTTP/1.1\r\n{self._head}"
        if body is None:
            # POSTs say their (empty) length so that the server does not wait for a body.
            return (head + ("Content-Length: 0\r\n" if method == "POST" else "") + "\r\n").encode()
        return (head + f"Content-Type: {JSON}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body

    async def _checkout(self) -> tuple[_Connection, bool]:
        while self._idle:
            conn = self._idle.pop()
            if conn.usable():
                return conn, True
            conn.close()
        return await self._connect(), False

    async def _connect(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self._endpoint.host, self._endpoint.port)
        return _Connection(reader, writer, asyncio.get_running_loop())


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes, bool]:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        raise ConnectionResetError("the sidecar closed the connection without answering") from exc
    status_line, *lines = head.decode("latin-1").split("\r\n")
    version, status, *_ = status_line.split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise ConnectionError("chunked answers are not supported; the sidecar sends Content-Length")
    keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    length = headers.get("content-length")
    if length is None:
        # Without a length the body runs to the end of the connection.
        return int(status), headers, await reader.read(), False
    return int(status), headers, await reader.readexactly(int(length)), keep_alive
