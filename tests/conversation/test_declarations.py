"""Blocks declare what they read, write and call; the declarations are checked, not trusted."""

from __future__ import annotations

import datetime as dt

import pytest

from frontdesk.conversation import load_blocks, prompts
from frontdesk.conversation._block import BLOCKS, BlockContext, Progress
from frontdesk.conversation.flows import CALL, FLOWS
from frontdesk.conversation.outcomes import Line
from frontdesk.conversation.state import FIELDS, CallState
from frontdesk.costs import catalog
from frontdesk.tenancy import demo_deployment

load_blocks()


def test_every_block_of_the_flow_is_registered_and_declared() -> None:
    """Every block of every flow exists, declares known fields and catalogued operations."""
    assert set(CALL) | {b for flow in FLOWS.values() for b in flow.blocks} == set(BLOCKS)
    for block in BLOCKS.values():
        assert block.reads <= FIELDS
        assert block.writes <= FIELDS
        assert set(block.operations) <= set(catalog()), block.name
        assert set(block.goes_to) <= set(BLOCKS), block.name
        assert block.summary, block.name


def test_writing_an_undeclared_field_is_refused() -> None:
    """A block that writes a field it did not declare fails loudly."""
    block = BLOCKS["start_call"]
    ctx = BlockContext(
        state=CallState(call_id="c", tenant="t"),
        progress=Progress(),
        tenant=demo_deployment().tenants[0],
        ehr=None,  # type: ignore[arg-type]  # never touched by record()
        now=dt.datetime.now(dt.UTC),
        block=block,
    )
    ctx.record("intents", (), source="caller")
    with pytest.raises(AssertionError, match="does not declare"):
        ctx.record("patient", None, source="ehr")


def test_disclosing_lines_are_refused_before_verification() -> None:
    """A line that speaks chart data cannot be rendered for an unverified caller."""
    line = Line("verified", {"given": "Maria"})
    with pytest.raises(prompts.DisclosureRefused):
        prompts.render(line, verified=False)
    assert prompts.render(line, verified=True) == "Thank you, Maria. I've found your record."


def test_every_prompt_key_used_by_blocks_exists() -> None:
    """Each `say("key")` in the blocks names a catalog entry."""
    import pathlib
    import re

    root = pathlib.Path(prompts.__file__).parents[1]
    used = set()
    for path in [*root.glob("blocks/*.py"), root / "engine.py"]:
        used |= set(re.findall(r'say\(\s*"([a-z_]+)"', path.read_text()))
    assert used, "found the say() calls"
    assert used <= set(prompts.catalog("en"))
