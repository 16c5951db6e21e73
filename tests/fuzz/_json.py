"""Hypothesis strategies for JSON from outside: arbitrary, and well-formed-but-wrong.

`mutated(template)` keeps a realistic document's shape while breaking it: at any depth a
value may be kept, dropped, nulled, replaced by JSON of another type, a huge string or a
huge number, and objects may grow unknown keys. That finds the `.get()` on a string and the
`float()` of an object that uniformly random JSON almost never reaches.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

#: Examples per property; `FRONTDESK_FUZZ_EXAMPLES=5000 pytest tests/fuzz` digs deeper.
EXAMPLES = int(os.environ.get("FRONTDESK_FUZZ_EXAMPLES", "150"))

#: Deterministic and bounded, so `make test` stays quick and a failure reproduces; a parser
#: that takes more than a second over one document has hung as far as a caller is concerned.
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=dt.timedelta(seconds=1),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # Shrink a failure to its core, but skip explaining it: over documents this size the
    # explanation takes longer than the search.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)

#: Long enough to hurt a quadratic parser, short enough to keep a failure report readable.
HUGE = 20_000


def _long(kind: str) -> str:
    return {"letters": "x" * HUGE, "digits": "9" * 2_000, "nested": "[" * 2_000}[kind]


scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([0, -1, 2**63, -(2**63), 10**400, -(10**400)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "Z",
            "T",
            "null",
            "Patient/",
            "/",
            "_history",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "2026-02-30",
            "2026-11-23T14:00:00",
            "٢٠٢٦-١١-٢٣",
        ]
    ),
    st.sampled_from(["letters", "digits", "nested"]).map(_long),
)

json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=12), inner, max_size=4),
    ),
    max_leaves=12,
)


def mutated(template: Any, *, keys: tuple[str, ...] = ()) -> st.SearchStrategy[Any]:
    """Variants of `template`: the same shape, with any part of it broken.

    Args:
        template: A realistic JSON document (what the vendor really sends).
        keys: Extra member names worth adding to objects (the ones parsers look for).
    """
    extra_keys = st.sampled_from(keys) if keys else st.text(max_size=12)

    def node(value: Any) -> st.SearchStrategy[Any]:
        broken = st.one_of(st.none(), json_values)
        if isinstance(value, dict):
            members = {
                key: st.one_of(node(item), node(item), broken, st.just(_DROP))
                for key, item in value.items()
            }
            kept = st.fixed_dictionaries(members).map(
                lambda d: {k: v for k, v in d.items() if v is not _DROP}
            )
            grown = st.tuples(kept, st.dictionaries(extra_keys, json_values, max_size=2)).map(
                lambda pair: {**pair[0], **pair[1]}
            )
            return st.one_of(kept, kept, grown, broken)
        if isinstance(value, list):
            items = [node(item) for item in value] or [json_values]
            return st.one_of(
                st.tuples(*items).map(list),
                st.lists(st.one_of(*items), max_size=5),
                broken,
            )
        return st.one_of(st.just(value), st.just(value), broken)

    return node(template)


_DROP = object()


def objects(template: dict[str, Any], *, keys: tuple[str, ...] = ()) -> st.SearchStrategy[Any]:
    """Mutations of `template` that are still JSON objects (what a parser is handed)."""
    return st.one_of(
        mutated(template, keys=keys).filter(lambda v: isinstance(v, dict)),
        st.dictionaries(st.sampled_from(keys or ("id",)), json_values, max_size=6),
    )
