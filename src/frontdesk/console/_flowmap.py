"""The flow map, generated from the building blocks' own declarations (never drawn by hand).

Each use case is the blocks a call runs through for it: `start_call`, `identify_patient`
(and `register_patient` for a new patient), `next_intent`, the intent's flow from
`conversation/flows.py`, then `wrap_up`. Edges come from the flow order (continue) and from each
block's `goes_to` (loop back, jump ahead); handoffs from its `handoffs`. A node's detail shows
what it asks and says, the facts it reads and writes with where each comes from, and the EHR
operations it declares with their contracts from the one cost catalog.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import itertools
from collections.abc import Mapping
from typing import Literal

from frontdesk.capture import Intent
from frontdesk.conversation import field_description, field_sources, load_blocks
from frontdesk.conversation._block import Block, declarations
from frontdesk.conversation.engine import BILLING, CLINICAL
from frontdesk.conversation.flows import FLOWS
from frontdesk.conversation.outcomes import HandoffReason
from frontdesk.conversation.prompts import catalog as prompts
from frontdesk.conversation.prompts import prompt
from frontdesk.costs import ApiOperation, catalog

EdgeKind = Literal["continue", "loop", "jump"]

#: The use cases the map draws, with their titles.
USE_CASES: Mapping[str, str] = {
    "book": "Book an appointment",
    "new_patient": "New patient",
    "reschedule": "Reschedule",
    "cancel": "Cancel",
    "confirm": "Confirm",
    "refill": "Refill request",
}


@dataclasses.dataclass(frozen=True, slots=True)
class Edge:
    """One way out of a block to another block on the same map."""

    source: str
    target: str
    kind: EdgeKind


@dataclasses.dataclass(frozen=True, slots=True)
class Fact:
    """A fact a block reads or writes, with what it means and where it may come from."""

    name: str
    description: str
    sources: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Handoff:
    """A reason a block may hand the caller to staff, and which staff."""

    reason: str
    desk: str


@dataclasses.dataclass(frozen=True, slots=True)
class Line:
    """A sentence the block may say (its prompt key and the English text)."""

    key: str
    text: str


@dataclasses.dataclass(frozen=True, slots=True)
class Node:
    """One block on the map, with everything its declaration says."""

    name: str
    summary: str
    doc: str
    expecting: tuple[str, ...]
    says: tuple[Line, ...]
    reads: tuple[Fact, ...]
    writes: tuple[Fact, ...]
    operations: tuple[ApiOperation, ...]
    handoffs: tuple[Handoff, ...]

    def operations_for(self, platform: str | None) -> tuple[ApiOperation, ...]:
        """The block's operations on one platform ("Epic", "ModMed", "pVerify"), or all."""
        if not platform:
            return self.operations
        return tuple(op for op in self.operations if op.platform in (platform, "pVerify"))


@dataclasses.dataclass(frozen=True, slots=True)
class FlowMap:
    """One use case as a graph of blocks."""

    use_case: str
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node(self, name: str) -> Node | None:
        """The node named `name`, if it is on this map."""
        return next((n for n in self.nodes if n.name == name), None)


def _desk(reason: HandoffReason) -> str:
    if reason in CLINICAL:
        return "clinical staff"
    if reason in BILLING:
        return "billing"
    return "front desk"


def _sequence(use_case: str) -> tuple[str, ...]:
    if use_case == "new_patient":
        return ("start_call", "identify_patient", "register_patient", "next_intent",
                *FLOWS[Intent.BOOK].blocks, "wrap_up")  # fmt: skip
    flow = FLOWS[Intent(use_case)]
    return ("start_call", "identify_patient", "next_intent", *flow.blocks, "wrap_up")


def _edges(sequence: tuple[str, ...], blocks: Mapping[str, Block]) -> tuple[Edge, ...]:
    edges = [Edge(a, b, "continue") for a, b in itertools.pairwise(sequence)]
    for i, name in enumerate(sequence):
        for target in blocks[name].goes_to:
            if target not in sequence:
                continue  # another use case's block (drawn on that map)
            j = sequence.index(target)
            if j == i + 1:
                continue
            edges.append(Edge(name, target, "loop" if j <= i else "jump"))
    return tuple(edges)


def _facts(names: frozenset[str]) -> tuple[Fact, ...]:
    sources = field_sources()
    return tuple(
        Fact(name, field_description(name), tuple(sources.get(name, ()))) for name in sorted(names)
    )


@functools.cache
def _prompt_keys(module: str) -> tuple[str, ...]:
    """The prompt keys a block's module (and the shared block helpers it imports) say."""
    import importlib

    keys: list[str] = []
    seen: set[str] = set()
    pending = [module]
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        seen.add(name)
        tree = ast.parse(inspect.getsource(importlib.import_module(name)))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "frontdesk.conversation.blocks._"
            ):
                pending.append(node.module or "")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "say"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and node.args[0].value not in keys
            ):
                keys.append(node.args[0].value)
    return tuple(keys)


def _node(block: Block) -> Node:
    known = catalog()
    english = prompts("en")
    says = [
        Line(key, prompt(key).text) for key in _prompt_keys(block.run.__module__) if key in english
    ]
    return Node(
        name=block.name,
        summary=block.summary,
        doc=inspect.cleandoc(block.run.__doc__ or ""),
        expecting=block.expecting,
        says=tuple(says),
        reads=_facts(block.reads),
        writes=_facts(block.writes),
        operations=tuple(known[op] for op in block.operations if op in known),
        handoffs=tuple(Handoff(r.value, _desk(r)) for r in block.handoffs),
    )


@functools.cache
def flow_maps() -> Mapping[str, FlowMap]:
    """Every use case's map, from the blocks registered in this process."""
    load_blocks()
    blocks = declarations()
    nodes = {name: _node(block) for name, block in blocks.items()}
    maps = {}
    for use_case, title in USE_CASES.items():
        sequence = _sequence(use_case)
        maps[use_case] = FlowMap(
            use_case=use_case,
            title=title,
            nodes=tuple(nodes[name] for name in sequence),
            edges=_edges(sequence, blocks),
        )
    return maps


# --- drawing: an SVG column of nodes, loops on the right, jumps on the left -------------------

NODE_W, NODE_H, GAP, LEFT = 230, 40, 26, 70


@dataclasses.dataclass(frozen=True, slots=True)
class Placed:
    """A node with its box on the drawing."""

    node: Node
    x: int
    y: int


@dataclasses.dataclass(frozen=True, slots=True)
class Path:
    """An edge drawn as an SVG path, with where its label goes."""

    edge: Edge
    d: str


@dataclasses.dataclass(frozen=True, slots=True)
class Drawing:
    """Everything the template needs to draw a map."""

    width: int
    height: int
    nodes: tuple[Placed, ...]
    paths: tuple[Path, ...]


def draw(flow: FlowMap) -> Drawing:
    """Lay a map out top to bottom."""
    placed = {n.name: Placed(n, LEFT, 20 + i * (NODE_H + GAP)) for i, n in enumerate(flow.nodes)}
    paths = []
    bends = {"loop": 0, "jump": 0}
    for edge in flow.edges:
        a, b = placed[edge.source], placed[edge.target]
        if edge.kind == "continue":
            x = a.x + NODE_W // 2
            d = f"M{x},{a.y + NODE_H} L{x},{b.y - 2}"
        elif edge.kind == "loop":
            bends["loop"] += 1
            out = a.x + NODE_W + 18 + 14 * bends["loop"]
            y1, y2 = a.y + NODE_H // 2, b.y + NODE_H // 2
            d = f"M{a.x + NODE_W},{y1} C{out},{y1} {out},{y2} {b.x + NODE_W + 2},{y2}"
        else:
            bends["jump"] += 1
            out = max(4, a.x - 18 - 12 * bends["jump"])
            y1, y2 = a.y + NODE_H // 2, b.y + NODE_H // 2
            d = f"M{a.x},{y1} C{out},{y1} {out},{y2} {b.x - 2},{y2}"
        paths.append(Path(edge, d))
    height = 40 + len(flow.nodes) * (NODE_H + GAP)
    width = LEFT + NODE_W + 40 + 14 * (bends["loop"] + 1) + 150
    return Drawing(width, height, tuple(placed.values()), tuple(paths))
