"""Blocks declare what they read, write and call; the declarations are checked, not trusted."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import pathlib
from typing import get_args

import httpx
import pytest

from frontdesk.conversation import (
    FIELDS,
    CallState,
    Source,
    field_description,
    field_sources,
    load_blocks,
    prompts,
    state,
)
from frontdesk.conversation._block import BLOCKS, BlockContext, Progress
from frontdesk.conversation.flows import CALL, FLOWS
from frontdesk.conversation.outcomes import Line
from frontdesk.costs import catalog
from frontdesk.tenancy import demo_deployment
from frontdesk.testing import ScriptedCaller
from tests.conftest import BOCA

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


def test_every_fact_declares_its_sources_and_meaning() -> None:
    """Each fact says where it may come from and what it is, for the flow map."""
    assert set(field_sources()) == FIELDS
    for name, sources in field_sources().items():
        assert sources, name
        assert set(sources) <= set(get_args(Source)), name
        assert len(set(sources)) == len(sources), name
        assert field_description(name).strip(), name
    with pytest.raises(KeyError):
        field_description("call_id")


def test_recording_from_an_undeclared_source_is_refused() -> None:
    """A block that records a fact from a source the field does not declare fails loudly."""
    ctx = BlockContext(
        state=CallState(call_id="c", tenant="t"),
        progress=Progress(),
        tenant=demo_deployment().tenants[0],
        ehr=None,  # type: ignore[arg-type]  # never touched by record()
        now=dt.datetime.now(dt.UTC),
        block=BLOCKS["start_call"],
    )
    with pytest.raises(AssertionError, match="does not declare that source"):
        ctx.record("intents", (), source="ehr")
    assert ctx.state.intents is None


@dataclasses.dataclass(frozen=True, slots=True)
class Write:
    """One place in the code that writes a fact with a source known without running it."""

    where: str
    field: str
    source: str


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _local_literals(scope: ast.AST, name: str) -> set[str] | None:
    """Every value a local variable is given in `scope`, if each one is a string literal."""
    values: set[str] = set()
    for node in ast.walk(scope):
        match node:
            case ast.Assign(targets=targets, value=value) if any(
                isinstance(t, ast.Name) and t.id == name for t in targets
            ):
                pass
            case ast.AnnAssign(target=ast.Name(id=target), value=value) if target == name:
                pass
            case ast.AugAssign(target=ast.Name(id=target)) if target == name:
                return None
            case _:
                continue
        literal = _literal(value)
        if literal is None:
            return None
        values.add(literal)
    return values or None


def _sources(call: ast.Call, scope: ast.AST) -> set[str] | None:
    """The `source=` of a call: a literal, or a local variable only ever given literals."""
    keyword = next((k.value for k in call.keywords if k.arg == "source"), None)
    if isinstance(keyword, ast.Name):
        return _local_literals(scope, keyword.id)
    literal = _literal(keyword)
    return {literal} if literal is not None else None


def _is_sourced(func: ast.expr) -> bool:
    if isinstance(func, ast.Subscript):
        func = func.value
    return isinstance(func, ast.Name) and func.id == "Sourced"


def static_writes() -> list[Write]:
    """Every `ctx.record("<field>", …, source=…)` and `x.<field> = Sourced[…](…, source=…)`
    in the conversation package whose field and source can be read off the code."""
    root = pathlib.Path(state.__file__).parent
    found: list[Write] = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            field: str | None = None
            if isinstance(node.func, ast.Attribute) and node.func.attr == "record" and node.args:
                field = _literal(node.args[0])
            elif _is_sourced(node.func):
                match parents.get(node):
                    case ast.Assign(targets=[ast.Attribute(attr=attr)]):
                        field = attr
                    case ast.AnnAssign(target=ast.Attribute(attr=attr)):
                        field = attr
            if field is None:
                continue
            scope: ast.AST = node
            while scope in parents and not isinstance(
                scope, ast.FunctionDef | ast.AsyncFunctionDef
            ):
                scope = parents[scope]
            where = f"{path.relative_to(root.parents[1])}:{node.lineno}"
            assert field in FIELDS, f"{where} writes {field!r}, which is not a CallState fact"
            sources = _sources(node, scope)
            found.extend(Write(where, field, source) for source in sorted(sources or ()))
    return found


def test_every_write_in_the_code_uses_a_declared_source() -> None:
    """Read, not run: each write's source is one its field declares, on every code path."""
    writes = static_writes()
    assert {w.where.split(":")[0] for w in writes} >= {
        "frontdesk/conversation/engine.py",
        "frontdesk/conversation/blocks/identify_patient.py",
    }, "found the engine's and the blocks' writes"
    wrong = [w for w in writes if w.source not in field_sources()[w.field]]
    assert not wrong, "\n".join(
        f"{w.where}: {w.field} from {w.source!r}, declared {field_sources()[w.field]}"
        for w in wrong
    )


def test_every_declared_source_is_written_somewhere() -> None:
    """A declared source no code writes would put a false arrow on the flow map."""
    written: dict[str, set[str]] = {}
    for w in static_writes():
        written.setdefault(w.field, set()).add(w.source)
    stale = {
        name: sorted(set(sources) - written.get(name, set()))
        for name, sources in field_sources().items()
        if set(sources) - written.get(name, set())
    }
    assert not stale, f"declared but never written with a literal source: {stale}"


async def test_a_real_call_records_only_declared_sources(client: httpx.AsyncClient) -> None:
    """A booking over HTTP: every fact in the call's state came from a declared source."""
    caller = ScriptedCaller(client, to=BOCA, ani="+1 202 555 0147")
    await caller.dial()
    for line in (
        "Hi, I'd like to book an appointment",
        "Maria Garcia Lopez",
        "March third nineteen eighty five",
        "whoever is first available",
        "next Tuesday afternoon",
        "the first one",
        "yes please",
        "no, that's all, thanks",
    ):
        assert not caller.last["ended"], caller.heard
        await caller.say(line)
    record = await caller.record()
    assert record["outcome"] == "booked"
    recorded = {
        name: fact["source"]
        for name, fact in record["state"].items()
        if name in FIELDS and fact is not None
    }
    assert {"dialed", "ani", "patient", "visit_type", "chosen_slot", "appointment"} <= set(recorded)
    wrong = {n: s for n, s in recorded.items() if s not in field_sources()[n]}
    assert not wrong, wrong
