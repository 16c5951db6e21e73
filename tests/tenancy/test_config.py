"""The deployment file: validated at boot, errors name the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from frontdesk.ehr import ConfigurationError
from frontdesk.tenancy import demo_deployment, load_deployment

GOOD = {
    "tenants": [
        {
            "id": "boca-derm",
            "name": "Boca Dermatology Group",
            "dialed_numbers": ["(561) 555-0100"],
            "ehr": {
                "kind": "modmed",
                "base_url": "https://stage.ema-api.com/ema-dev/firm/bocaderm/ema",
                "api_key": "k",
                "username": "u",
                "password": "p",
            },
            "visit_type": "1957",
            "escalation": {"front_desk": "+1 561 555 0199"},
        }
    ]
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "deployment.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_demo_deployment_is_valid() -> None:
    """The packaged demo: two ModMed firms and two Epic orgs on the sandbox, own numbers each."""
    deployment = demo_deployment()
    assert [t.ehr.kind for t in deployment.tenants] == ["modmed", "modmed", "epic", "epic"]
    numbers = [n for t in deployment.tenants for n in t.dialed_numbers]
    assert len(set(numbers)) == len(numbers) >= 2


def test_numbers_are_normalized_and_secrets_hidden(tmp_path: Path) -> None:
    """Dialed numbers become E.164 and credentials never show in repr."""
    deployment = load_deployment(write(tmp_path, GOOD))
    tenant = deployment.tenants[0]
    assert tenant.dialed_numbers == ["+15615550100"]
    assert "'p'" not in repr(tenant.ehr)
    assert "**********" in repr(tenant.ehr)


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ({"ehr": {"kind": "cerner"}}, "tenants[0] (boca-derm).ehr"),
        (
            {
                "ehr": {
                    "kind": "modmed",
                    "base_url": "not a url",
                    "api_key": "k",
                    "username": "u",
                    "password": "p",
                }
            },
            "ehr.base_url",
        ),
        ({"ehr": {"kind": "modmed"}}, "set `sandbox`, or all of base_url"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"dialed_numbers": ["call me maybe"]}, "dialed_numbers"),
        ({"dialed_numbers": []}, "dialed_numbers"),
        ({"id": "Bad Id!"}, "tenants[0] (Bad Id!).id"),
        ({"surprise": 1}, "surprise"),
        ({"escalation": {}}, "escalation.front_desk"),
    ],
)
def test_bad_config_names_file_and_field(
    tmp_path: Path, patch: dict[str, object], expected: str
) -> None:
    """Each mistake fails the boot with the file and the field in the message."""
    tenant = {**GOOD["tenants"][0], **patch}
    path = write(tmp_path, {"tenants": [tenant]})
    with pytest.raises(ConfigurationError) as info:
        load_deployment(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_duplicate_dialed_number_is_refused(tmp_path: Path) -> None:
    """One number cannot ring two practices."""
    second = {**GOOD["tenants"][0], "id": "other", "dialed_numbers": ["+15615550100"]}
    with pytest.raises(ConfigurationError, match="belongs to both"):
        load_deployment(write(tmp_path, {"tenants": [GOOD["tenants"][0], second]}))


def test_unreadable_files(tmp_path: Path) -> None:
    """A missing file or broken YAML is a configuration error too."""
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_deployment(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("tenants: [\n")
    with pytest.raises(ConfigurationError, match="not valid YAML"):
        load_deployment(broken)


EPIC = {
    "kind": "epic",
    "base_url": "https://fhir.example.org/interconnect-fhir-oauth",
    "client_id": "abc",
    "private_key_file": "/secrets/epic.pem",
}


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ({"ehr": EPIC}, "an Epic tenant lists its visit_types"),
        (
            {
                "ehr": {**EPIC, "private_key_env": "EPIC_KEY"},
                "visit_types": [{"code": "1957", "display": "F"}],
            },
            "exactly one of private_key_file and private_key_env",
        ),
        ({"ehr": {"kind": "epic"}}, "set `sandbox`, or base_url and client_id"),
        (
            {"ehr": {"kind": "fhir", "base_url": "https://fhir.example.org/R4", "client_id": "x"}},
            "go together",
        ),
        (
            {
                "ehr": {"kind": "fhir", "base_url": "https://fhir.example.org/R4"},
                "visit_types": [{"code": "X", "display": "Y"}],
            },
            "visit_type '1957' is not among visit_types",
        ),
    ],
)
def test_epic_and_fhir_configs_are_checked(
    tmp_path: Path, patch: dict[str, object], expected: str
) -> None:
    """Epic needs its visit types and one key source; a FHIR server's SMART client needs a key."""
    tenant = {**GOOD["tenants"][0], **patch}
    with pytest.raises(ConfigurationError, match=expected):
        load_deployment(write(tmp_path, {"tenants": [tenant]}))


def test_an_open_fhir_server_needs_no_credentials(tmp_path: Path) -> None:
    """`kind: fhir` with only a base URL is valid (no SMART auth)."""
    tenant = {
        **GOOD["tenants"][0],
        "ehr": {"kind": "fhir", "base_url": "http://127.0.0.1:9999/fhir"},
    }
    deployment = load_deployment(write(tmp_path, {"tenants": [tenant]}))
    assert deployment.tenants[0].ehr.kind == "fhir"
