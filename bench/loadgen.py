"""A headless HTTP load generator (issue 7): C concurrent clients replay a list of requests
against one server and report requests/s and latency percentiles. Run as its own process so
it does not share the server's interpreter:

    python bench/loadgen.py --url http://127.0.0.1:8765 --clients 32 --plan plan.json

``plan.json`` is a list of ``[method, path, body-or-null]``, or ``{"repeat": [method, path,
body], "seconds": S}`` to send the same request for S seconds. Each request authenticates
with ``--token`` (``Authorization: Bearer``) and carries any ``--header "Name: value"``
given (e.g. ``Prefer: return=minimal``). Every client opens a connection per request
(gunicorn's sync workers close the connection after each response). The result is printed as
one JSON object: count, errors, status counts, seconds, rps, p50/p90/p99/max in ms."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from urllib.parse import urlsplit


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


async def one(
    host: str, port: int, method: str, path: str, body, token: str, headers: tuple[str, ...] = ()
) -> int:
    data = b"" if body is None else json.dumps(body).encode()
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
        f"Accept: application/json\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\n"
    )
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    for header in headers:
        head += f"{header}\r\n"
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(head.encode() + b"\r\n" + data)
        await writer.drain()
        status_line = await reader.readline()
        status = int(status_line.split()[1])
        await reader.read()  # until the server closes
    finally:
        writer.close()
    return status


async def run(url: str, clients: int, plan, token: str, headers: tuple[str, ...] = ()) -> dict:
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port or 80
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: list[str] = []
    if isinstance(plan, dict):
        method, path, body = plan["repeat"]
        deadline = time.monotonic() + float(plan["seconds"])

        def next_request():
            return (method, path, body) if time.monotonic() < deadline else None

    else:
        queue = list(reversed(plan))

        def next_request():
            return queue.pop() if queue else None

    async def client() -> None:
        while (req := next_request()) is not None:
            t0 = time.perf_counter()
            try:
                status = await one(host, port, req[0], req[1], req[2], token, headers)
            except Exception as exc:  # a refused or reset connection counts as an error
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append((time.perf_counter() - t0) * 1000)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status >= 400 and len(errors) < 20:
                errors.append(f"{req[0]} {req[1]} -> {status}")

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    seconds = time.perf_counter() - started
    ok = sum(n for s, n in statuses.items() if int(s) < 400)
    return {
        "count": len(latencies),
        "ok": ok,
        "statuses": statuses,
        "errors": errors[:20],
        "seconds": round(seconds, 3),
        "rps": round(ok / seconds, 1) if seconds else 0.0,
        "p50_ms": round(pct(latencies, 50), 1),
        "p90_ms": round(pct(latencies, 90), 1),
        "p99_ms": round(pct(latencies, 99), 1),
        "max_ms": round(max(latencies), 1) if latencies else float("nan"),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--plan", required=True, help="JSON file (see the module doc)")
    p.add_argument("--token", default="")
    p.add_argument("--header", action="append", default=[], help='"Name: value", repeatable')
    args = p.parse_args()
    with open(args.plan, encoding="utf-8") as fh:
        plan = json.load(fh)
    result = asyncio.run(run(args.url, args.clients, plan, args.token, tuple(args.header)))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
