"""Reading trees: the packaged demo trees by name, a practice's own from a YAML file."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BeforeValidator, ValidationError

from frontdesk.ehr import ConfigurationError
from frontdesk.reasons._model import ReasonTree

_PACKAGE = "frontdesk.reasons"
_PACKAGED = "trees"


def packaged_trees() -> tuple[str, ...]:
    """The names of the trees shipped with frontdesk (`dermatology`, `riverside`, ...)."""
    folder = resources.files(_PACKAGE).joinpath(_PACKAGED)
    names = (p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))
    return tuple(sorted(names))


def load_tree(source: str | Path) -> ReasonTree:
    """Load a tree: a packaged one by name (`"dermatology"`), or a YAML file by path.

    A string is a path when it contains a slash or ends in `.yaml`/`.yml`.

    Raises:
        ConfigurationError: No such tree or file, or the tree is invalid; the message names
            the source and the offending entry.
    """
    if isinstance(source, str) and not _looks_like_path(source):
        return _packaged(source)
    path = Path(source)
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML ({exc})") from None
    return parse_tree(raw, source=str(path))


@functools.cache
def _packaged(name: str) -> ReasonTree:
    """A packaged tree, parsed once: trees are immutable, so every tenant may share it."""
    if name not in packaged_trees():
        raise ConfigurationError(
            f"no packaged reason tree {name!r} (there are {', '.join(packaged_trees())})"
        )
    text = resources.files(_PACKAGE).joinpath(_PACKAGED).joinpath(f"{name}.yaml")
    return parse_tree(yaml.safe_load(text.read_text("utf-8")), source=f"frontdesk/reasons/{name}")


def parse_tree(raw: object, *, source: str = "<reason tree>") -> ReasonTree:
    """Validate an already-loaded tree.

    Raises:
        ConfigurationError: Naming `source` and, for each problem, where it is.
    """
    try:
        return ReasonTree.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{_where(e['loc'], raw)}: {e['msg']}" for e in exc.errors())
        raise ConfigurationError(f"{source}: {problems}") from None


def _looks_like_path(source: str) -> bool:
    return "/" in source or "\\" in source or source.endswith((".yaml", ".yml"))


def _named(value: object) -> object:
    """A tree given by name or path in a deployment file is loaded; a mapping is left as is."""
    if isinstance(value, str | Path):
        try:
            return load_tree(value)
        except ConfigurationError as exc:
            raise ValueError(str(exc)) from None
    return value


#: A field type for the deployment file: a packaged tree's name, a YAML path, or the tree inline.
ReasonTreeField = Annotated[ReasonTree, BeforeValidator(_named)]


def _where(loc: tuple[int | str, ...], raw: object) -> str:
    """A pydantic location with each list item's id: `entries[2] (rash).question.choices[0]`."""
    parts: list[str] = []
    node = raw
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            node = node[item] if isinstance(node, list) and item < len(node) else None
            if isinstance(node, dict) and "id" in node:
                label += f" ({node['id']})"
            parts.append(label)
        elif isinstance(node, dict) and item in node:
            parts.append(("." if parts else "") + item)
            node = node[item]
        else:  # pydantic's own steps ("function-after[...]"), or a field that is missing
            if not item.startswith(("function-", "union")):
                parts.append(("." if parts else "") + item)
            node = None
    return "".join(parts) or "(top level)"
