import asyncio
import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
import structlog

from frontdesk.audit import configure_logging

NAMED = ("httpx", "httpcore", "uvicorn", "uvicorn.error", "uvicorn.access")
CANARIES = ("Zelda", "Canary", "1985-03-03", "555-0134", "5550134")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Undo configure_logging: its handler, levels, uvicorn's loggers, structlog's config."""
    root = logging.getLogger()
    root_level = root.level
    named = {
        name: (logger.level, logger.propagate, logger.handlers[:])
        for name in NAMED
        for logger in [logging.getLogger(name)]
    }
    structlog_config = structlog.get_config()
    yield
    structlog.contextvars.clear_contextvars()
    structlog.reset_defaults()
    structlog.configure(**structlog_config)
    for handler in root.handlers[:]:
        if handler.name == "frontdesk":
            root.removeHandler(handler)
            handler.close()
    root.setLevel(root_level)
    for name, (level, propagate, handlers) in named.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.propagate = propagate
        logger.handlers[:] = handlers


def assert_scrubbed(output: str) -> None:
    for canary in CANARIES:
        assert canary not in output


def test_stdlib_record_reaches_the_output_scrubbed(capsys: pytest.CaptureFixture[str]) -> None:
    """A uvicorn record with a name, birth date and phone is written, minus all three."""
    configure_logging()
    logging.getLogger("uvicorn.error").warning(
        "lookup %s from %s",
        "https://ehr.test/Patient?family=Canary&given=Zelda&birthdate=1985-03-03",
        "(561) 555-0134",
        extra={"patient_name": "Zelda Canary"},
    )
    err = capsys.readouterr().err
    assert "lookup https://ehr.test/Patient?family=[redacted]" in err
    assert "patient_name=[redacted]" in err
    assert "uvicorn.error" in err
    assert_scrubbed(err)


def test_structlog_event_is_json_with_call_context(capsys: pytest.CaptureFixture[str]) -> None:
    """A structlog event carries the bound call context, level and UTC time, and no PHI."""
    configure_logging(json=True)
    structlog.contextvars.bind_contextvars(call_id="CA0001", tenant="boca")
    structlog.get_logger("frontdesk.engine").info(
        "patient found", patient="Patient/p1", given="Zelda", dob="1985-03-03", note="ani 5550134"
    )
    line = json.loads(capsys.readouterr().err)
    assert line == {
        "event": "patient found",
        "call_id": "CA0001",
        "tenant": "boca",
        "level": "info",
        "logger": "frontdesk.engine",
        "timestamp": line["timestamp"],
        "patient": "Patient/p1",
        "given": "[redacted]",
        "dob": "[redacted]",
        "note": "ani [redacted]",
    }
    assert line["timestamp"].endswith("Z")


def test_stdlib_record_gets_the_call_context(capsys: pytest.CaptureFixture[str]) -> None:
    """Records from other libraries carry the bound call_id and tenant too."""
    configure_logging(json=True)
    structlog.contextvars.bind_contextvars(call_id="CA0002", tenant="palm")
    logging.getLogger("some.library").info("connected")
    line = json.loads(capsys.readouterr().err)
    assert (line["event"], line["call_id"], line["tenant"]) == ("connected", "CA0002", "palm")


def test_httpx_request_lines_are_not_emitted(capsys: pytest.CaptureFixture[str]) -> None:
    """httpx's INFO request line (the full URL) never reaches the output, even at DEBUG."""
    configure_logging(level="DEBUG")

    async def search() -> None:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get("https://ehr.test/Patient", params={"family": "Canary"})

    asyncio.run(search())
    logging.getLogger("httpx").warning("still warns")
    err = capsys.readouterr().err
    assert "HTTP Request" not in err
    assert "still warns" in err
    assert_scrubbed(err)
    assert not logging.getLogger("httpcore").isEnabledFor(logging.INFO)


def test_tracebacks_are_scrubbed(capsys: pytest.CaptureFixture[str]) -> None:
    """An exception message is redacted along with the event."""
    configure_logging()
    try:
        raise ValueError("no chart for dob 1985-03-03")
    except ValueError:
        logging.getLogger("frontdesk").exception("lookup failed")
    err = capsys.readouterr().err
    assert "ValueError: no chart for dob [redacted]" in err
    assert_scrubbed(err)


def test_configure_logging_is_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    """Configuring again replaces the handler: one handler, one line per event."""
    configure_logging()
    configure_logging(json=True)
    configure_logging(json=True)
    assert [h.name for h in logging.getLogger().handlers] == ["frontdesk"]
    structlog.get_logger("frontdesk").info("once")
    logging.getLogger("frontdesk").info("twice")
    lines = capsys.readouterr().err.splitlines()
    assert [json.loads(line)["event"] for line in lines] == ["once", "twice"]


def test_other_handlers_are_replaced() -> None:
    """Handlers installed before configure_logging (root's, uvicorn's) no longer see records."""
    stream = io.StringIO()
    bystander = logging.StreamHandler(stream)
    logging.getLogger().addHandler(bystander)
    logging.getLogger("uvicorn.access").addHandler(bystander)
    logging.getLogger("uvicorn.access").propagate = False
    try:
        configure_logging()
        logging.getLogger("uvicorn.access").warning("GET /?family=Canary")
        assert stream.getvalue() == ""
        assert logging.getLogger("uvicorn.access").propagate
    finally:
        logging.getLogger().removeHandler(bystander)
        bystander.close()


def test_level_applies_to_both_worlds(capsys: pytest.CaptureFixture[str]) -> None:
    """Below the configured level, neither structlog nor stdlib events are written."""
    configure_logging(level="warning")
    structlog.get_logger("frontdesk").info("quiet")
    logging.getLogger("frontdesk").info("quiet")
    structlog.get_logger("frontdesk").warning("loud")
    err = capsys.readouterr().err
    assert "quiet" not in err
    assert "loud" in err


def test_unknown_level_is_rejected() -> None:
    """A level name logging does not know is an error, not a silent default."""
    with pytest.raises(ValueError, match="LOUD"):
        configure_logging(level="LOUD")
