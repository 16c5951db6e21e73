"""A worker writing audit events to PostgreSQL, run in-process or as its own OS process.

``python -m tests.audit.pg_writer URL WRITER COUNT`` opens a `PostgresAuditSink`, prints
``ready``, waits for a line on stdin, then writes COUNT events tagged with WRITER.
"""

from __future__ import annotations

import asyncio
import sys

from frontdesk.audit import PostgresAuditSink

from .helpers import make_event


async def write_events(sink: PostgresAuditSink, writer: str, count: int) -> None:
    """Write ``count`` events: half one commit each, half in bursts left to group commit."""
    for n in range(count):
        event = make_event(n, detail={"writer": writer, "n": str(n)})
        if n % 10 < 5:
            await sink.write(event)
        else:
            sink.record(event)
            if n % 10 == 9:
                await asyncio.sleep(0)  # let the burst's commit start
    await sink.flush()


async def main(url: str, writer: str, count: int) -> None:
    async with PostgresAuditSink(url) as sink:
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        await write_events(sink, writer, count)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
