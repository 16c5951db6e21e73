import pytest

from frontdesk.capture import parse_spelled


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("n g u y e n", "NGUYEN"),
        ("N-G-U-Y-E-N", "NGUYEN"),
        ("N. G. U. Y. E. N.", "NGUYEN"),
        ("N, G, U, Y, E, N", "NGUYEN"),
        ("n as in nancy g as in george u y e n", "NGUYEN"),
        ("november golf uniform yankee echo november", "NGUYEN"),
        ("capital o apostrophe b r i e n", "O'BRIEN"),
        ("g a r c i a dash l o p e z", "GARCIA-LOPEZ"),
        ("g a r c i a hyphen l o p e z", "GARCIA-LOPEZ"),
        ("z h a n g", "ZHANG"),
        ("b e double t y", "BETTY"),
        ("en gee you why ee en", "NGUYEN"),
        ("s um m i t h", "SMITH"),
        ("it's spelled p a t e l", "PATEL"),
        ("double you a t t", "WATT"),
    ],
)
def test_spelled_letters_are_read(said: str, expected: str) -> None:
    """Letters spelled in any common way come back as one uppercase string."""
    assert parse_spelled(said) == expected


@pytest.mark.parametrize(
    "said",
    ["", "n", "nguyen", "how are you", "mike", "what?", "i am fine", "my name is oscar"],
)
def test_fewer_than_two_letters_is_none(said: str) -> None:
    """Words that merely look like letters, or a single letter, are not a spelling."""
    assert parse_spelled(said) is None
