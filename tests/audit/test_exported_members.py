import frontdesk.audit


def test_all_is_sorted_and_exported() -> None:
    """`frontdesk.audit.__all__` is sorted and every name in it exists."""
    names = frontdesk.audit.__all__
    assert names == sorted(names)
    for name in names:
        assert getattr(frontdesk.audit, name).__module__.startswith("frontdesk.audit")
