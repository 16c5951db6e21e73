"""Tenant red-flag configuration: extra phrases, own categories, lines, opt-outs, caching."""

import pytest
import yaml
from pydantic import ValidationError

from frontdesk.safety import RedFlagCategory, RedFlagConfig, detect, red_flag_set

TENANT_YAML = """
red_flags:
  extend_defaults: true
  disabled: [pregnancy_emergency]
  categories:
    - name: chest_pain
      phrases: ["my pacemaker * (beeping|shocking|shocked)"]
    - name: suicidal_ideation
      line: 911
    - name: post_op_fever
      phrases: ["fever * (after|since) {my}? (surgery|operation|procedure)"]
"""


def tenant() -> RedFlagConfig:
    return RedFlagConfig.model_validate(yaml.safe_load(TENANT_YAML)["red_flags"])


def test_a_tenant_config_reads_from_yaml() -> None:
    """The shape a deployment file holds validates into the model."""
    config = tenant()
    assert config.disabled == ("pregnancy_emergency",)
    assert [c.name for c in config.categories] == [
        "chest_pain",
        "suicidal_ideation",
        "post_op_fever",
    ]
    assert config.categories[1].line == "911"


def test_extra_phrases_extend_a_builtin_category() -> None:
    """A tenant phrase joins the built-in category; the built-in phrases still work."""
    said = "my pacemaker keeps shocking me"
    assert detect(said) is None
    flag = detect(said, tenant())
    assert flag is not None
    assert (flag.category, flag.line) == ("chest_pain", "911")
    assert flag.phrase == "my pacemaker * (beeping|shocking|shocked)"
    assert detect("crushing chest pain", tenant()) is not None


def test_a_tenant_category_of_its_own() -> None:
    """A new category name is a category of the tenant's own, sending callers to 911."""
    flag = detect("I've had a fever since my surgery on Monday", tenant())
    assert flag is not None
    assert (flag.category, flag.line) == ("post_op_fever", "911")
    assert red_flag_set(tenant()).lines["post_op_fever"] == "911"


def test_a_tenant_chooses_the_line() -> None:
    """The tenant moved suicidal ideation to 911; self-harm stays on 988."""
    flag = detect("I want to kill myself", tenant())
    assert flag is not None
    assert (flag.category, flag.line) == ("suicidal_ideation", "911")
    harm = detect("I keep cutting myself on purpose", tenant())
    assert harm is not None
    assert harm.line == "988"
    own = RedFlagConfig(
        categories=(RedFlagCategory(name="crisis", phrases=("hopeless",), line="988"),)
    )
    flag = detect("I feel hopeless", own)
    assert flag is not None
    assert flag.line == "988"


def test_disabled_categories_are_not_checked() -> None:
    """A disabled category raises nothing; the others still do."""
    assert detect("my water broke") is not None
    assert detect("my water broke", tenant()) is None
    assert "pregnancy_emergency" not in red_flag_set(tenant()).lines
    assert detect("he's having a seizure", tenant()) is not None


def test_without_defaults_only_the_tenants_phrases_count() -> None:
    """extend_defaults: false drops the built-in list, but keeps a built-in category's line."""
    config = RedFlagConfig(
        extend_defaults=False,
        categories=(RedFlagCategory(name="suicidal_ideation", phrases=("end it all",)),),
    )
    assert detect("I have chest pain", config) is None
    flag = detect("I want to end it all", config)
    assert flag is not None
    assert (flag.category, flag.line) == ("suicidal_ideation", "988")
    assert dict(red_flag_set(config).lines) == {"suicidal_ideation": "988"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"disabled": ["chest_pains"]}, "disabled names no category: chest_pains"),
        ({"categories": [{"name": "x", "phrases": ["(a|b"]}]}, r"missing \)"),
        ({"categories": [{"name": "x", "phrases": ["* pain"]}]}, "cannot start with a gap"),
        ({"categories": [{"name": "x", "phrases": ["{nope} pain"]}]}, "no word list named {nope}"),
        ({"categories": [{"name": "x", "line": "999"}]}, "line"),
        ({"categories": [{"name": "Chest Pain"}]}, "name"),
        ({"categories": [{"name": "x"}, {"name": "x"}]}, "listed more than once: x"),
        ({"categories": [{"name": "x", "synonyms": ["y"]}]}, "synonyms"),
    ],
)
def test_a_bad_config_fails_validation(raw: dict[str, object], message: str) -> None:
    """Mistakes fail when the deployment file is read, naming the fault."""
    with pytest.raises(ValidationError, match=message):
        RedFlagConfig.model_validate(raw)


def test_compiled_sets_are_cached() -> None:
    """One compile per config: the same object, or an equal one, gets the same set."""
    config = tenant()
    assert red_flag_set(config) is red_flag_set(config)
    assert red_flag_set(tenant()) is red_flag_set(config)
    assert red_flag_set() is red_flag_set(None) is red_flag_set(RedFlagConfig())


def test_configs_are_frozen() -> None:
    """A config cannot change under its compiled set."""
    config = tenant()
    with pytest.raises(ValidationError):
        config.extend_defaults = False
