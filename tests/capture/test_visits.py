import pytest

from frontdesk.capture import mentioned_visit_type

OPTIONS = [
    ("1004", ["Annual Physical", "annual check-up", "annual checkup", "physical", "check-up"]),
    ("1006", ["Follow Up", "follow-up visit"]),
    ("1020", ["Sick Visit", "sick"]),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("move my tuesday appointment and also book my annual check-up", "1004"),
        ("I need my yearly physical", "1004"),
        ("a follow up please", "1006"),
        ("book an appointment", None),
        ("I'm feeling sick", "1020"),
        ("the annual checkup", "1004"),
    ],
)
def test_mentioned_visit_type(text: str, expected: str | None) -> None:
    """The practice's own visit-type names and aliases are recognised in what was said."""
    assert mentioned_visit_type(text, OPTIONS) == expected
