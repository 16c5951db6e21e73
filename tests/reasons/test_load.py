"""Loading trees by name, by path, or inline in a deployment file; and the public surface."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, ValidationError

import frontdesk.reasons
from frontdesk.ehr import ConfigurationError
from frontdesk.reasons import ReasonTree, ReasonTreeField, load_tree, packaged_trees

from .trees import raw


def test_all_is_sorted_and_complete() -> None:
    """The package exports exactly its public names, listed in sorted order."""
    public = {name for name in vars(frontdesk.reasons) if not name.startswith("_")}
    names = frontdesk.reasons.__all__
    # isort's order, as ruff's RUF022 keeps it: CONSTANTS, then Classes, then functions.
    assert names == sorted(names, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
    assert set(names) == public


def test_the_demo_trees_are_packaged() -> None:
    """One tree per demo practice ships inside the package."""
    assert packaged_trees() == ("dermatology", "lakeshore", "orthopedics", "riverside")


@pytest.mark.parametrize("name", packaged_trees())
def test_packaged_trees_load_in_both_languages(name: str) -> None:
    """Every packaged tree is valid and carries English and Spanish."""
    tree = load_tree(name)
    assert tree.name == name
    assert tree.languages == ("en", "es")
    assert load_tree(name) is tree  # parsed once, shared


def test_an_unknown_name_lists_the_packaged_trees() -> None:
    """A typo in a deployment file names the choices."""
    with pytest.raises(ConfigurationError, match=r"no packaged reason tree 'derm'.*dermatology"):
        load_tree("derm")


def test_a_file_loads_by_path(tmp_path: Path) -> None:
    """A practice's own tree is a YAML file, given as a Path or a string."""
    path = tmp_path / "tree.yaml"
    path.write_text(yaml.safe_dump(raw(), allow_unicode=True), "utf-8")
    assert load_tree(path) == load_tree(str(path))
    assert load_tree(path).name == "mini"


def test_a_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    """The message names the file."""
    with pytest.raises(ConfigurationError, match=r"missing\.yaml: cannot read"):
        load_tree(tmp_path / "missing.yaml")


def test_broken_yaml_is_a_configuration_error(tmp_path: Path) -> None:
    """Not YAML at all fails with the file named."""
    path = tmp_path / "broken.yml"
    path.write_text("entries: [unclosed", "utf-8")
    with pytest.raises(ConfigurationError, match=r"broken\.yml: not valid YAML"):
        load_tree(str(path))


def test_an_invalid_file_names_the_file_and_the_entry(tmp_path: Path) -> None:
    """Validation problems carry the file and the entry id."""
    data = raw()
    data["entries"][0]["question"]["text"] = "Is it getting worse?"
    path = tmp_path / "triage.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_tree(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert "entry 'skin_check', question 'seen_before'" in str(caught.value)


class Tenant(BaseModel):
    """How a deployment's tenant config can hold a tree."""

    reasons: ReasonTreeField | None = None


def test_a_deployment_field_takes_a_name_a_path_or_the_tree(tmp_path: Path) -> None:
    """`reasons: dermatology`, `reasons: trees/derm.yaml`, or the tree inline."""
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(raw()), "utf-8")
    by_name = Tenant.model_validate({"reasons": "dermatology"}).reasons
    by_path = Tenant.model_validate({"reasons": str(path)}).reasons
    inline = Tenant.model_validate({"reasons": raw()}).reasons
    assert isinstance(by_name, ReasonTree)
    assert by_name.name == "dermatology"
    assert by_path == inline
    assert Tenant().reasons is None


def test_a_bad_tree_in_a_deployment_is_a_validation_error() -> None:
    """The tenant config's own error reporting names the field and the problem."""
    with pytest.raises(ValidationError, match="no packaged reason tree 'derm'"):
        Tenant.model_validate({"reasons": "derm"})
    data = raw()
    data["entries"][0]["question"]["choices"] = data["entries"][0]["question"]["choices"][:1]
    with pytest.raises(ValidationError, match="offers 1 choice"):
        Tenant.model_validate({"reasons": data})


def test_match_records_are_frozen() -> None:
    """Matches are values."""
    (match,) = frontdesk.reasons.match_reason(load_tree("dermatology"), "botox")
    assert not hasattr(match, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.score = 0.0  # type: ignore[misc]  # the point of the test


def test_the_documented_example_is_a_valid_tree() -> None:
    """The schema sketch in the package docstring parses and walks."""
    assert frontdesk.reasons.__doc__ is not None
    example = textwrap.dedent(frontdesk.reasons.__doc__.split("::", 1)[1])
    tree = frontdesk.reasons.parse_tree(yaml.safe_load(example))
    step = frontdesk.reasons.start(tree, "a mole", facts={"patient_status": "new"})
    assert isinstance(step, frontdesk.reasons.Resolved)
    assert step.leaf.code("epic") == "1010"
