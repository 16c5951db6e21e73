"""Operational logging: structlog and stdlib records through one redacting chain."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, Final

import structlog
from structlog.typing import Processor

from frontdesk.audit._redact import redact_phi

HANDLER_NAME: Final = "frontdesk"

# httpx logs every request URL at INFO, and EHR query strings carry names and birth dates.
_QUIET: Final = ("httpx", "httpcore")
# uvicorn gives these their own handlers; routing them to ours puts them through redaction.
_ADOPTED: Final = ("uvicorn", "uvicorn.error", "uvicorn.access")


def configure_logging(*, level: str = "INFO", json: bool = False) -> None:
    """Route structlog and stdlib logging to stderr through `redact_phi`.

    Each event gets the context bound with ``structlog.contextvars.bind_contextvars`` (a
    call binds ``call_id`` and ``tenant``), an ISO timestamp and its level, then is redacted
    and rendered as JSON lines or for the console. Records from other libraries take the same
    path: the root logger's handlers are replaced by ours, uvicorn's loggers propagate to it
    (run uvicorn with ``log_config=None`` so it does not install its own again), and
    ``httpx``/``httpcore`` only log warnings. Calling it again reconfigures; nothing doubles.

    Args:
        level: The root level name, e.g. ``"DEBUG"`` or ``"INFO"``.
        json: Render JSON lines instead of console lines.

    Raises:
        ValueError: ``level`` is not a logging level name.
    """
    numeric = logging.getLevelNamesMapping().get(level.upper())
    if numeric is None:
        raise ValueError(f"unknown log level {level!r}")

    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )

    stream = sys.stderr
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    handler = logging.StreamHandler(stream)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder(), _drop_color_message],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                # Tracebacks become a string here, so redaction sees them before rendering.
                structlog.processors.format_exc_info,
                redact_phi,
                renderer,
            ],
        )
    )

    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
        if old.name == HANDLER_NAME:
            old.close()
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in _ADOPTED:
        adopted = logging.getLogger(name)
        adopted.handlers.clear()
        adopted.propagate = True


def _drop_color_message(
    logger: object, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Uvicorn repeats each message with terminal colour codes as an extra; keep one."""
    event_dict.pop("color_message", None)
    return event_dict
