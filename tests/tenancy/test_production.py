"""FRONTDESK_ENVIRONMENT=production refuses a deployment fit only for a demo, naming each field."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import BaseModel, HttpUrl, SecretStr

from frontdesk.ehr import ConfigurationError
from frontdesk.settings import Settings
from frontdesk.tenancy import (
    LimitsConfig,
    check_production,
    demo_deployment,
    insecure_settings,
    parse_deployment,
    require_production,
)

TOKEN = "t" * 32

READY: dict[str, Any] = {
    "tenants": [
        {
            "id": "boca-derm",
            "name": "Boca Dermatology Group",
            "dialed_numbers": ["+1 561 555 0100"],
            "ehr": {
                "kind": "modmed",
                "base_url": "https://mmapi.ema-api.com/ema-prod/firm/bocaderm/ema",
                "api_key": "k",
                "username": "u",
                "password": "p",
            },
            "visit_type": "1957",
            "escalation": {"front_desk": "+1 561 555 0199"},
            "eligibility": {
                "base_url": "https://api.pverify.com/",
                "client_id": "c",
                "client_secret": "s",
            },
        },
        {
            "id": "riverside",
            "name": "Riverside Health",
            "dialed_numbers": ["+1 312 555 0100"],
            "ehr": {
                "kind": "epic",
                "base_url": "https://fhir.riverside.example/interconnect-fhir-oauth",
                "client_id": "abc",
                "private_key_env": "RIVERSIDE_KEY",
                "token_url": "https://fhir.riverside.example/oauth2/token",
            },
            "visit_type": "1006",
            "visit_types": [{"code": "1006", "display": "Follow Up"}],
            "escalation": {"front_desk": "+1 312 555 0199"},
        },
    ],
    "phone": {
        "twilio": {"account_sid": "AC" + "a" * 32, "auth_token": "x"},
        "public_url": "https://frontdesk.example.org",
        "speech": {"stt": {"kind": "deepgram", "api_key": "k"}},
    },
    "console": {"token": TOKEN},
}

PRODUCTION = Settings(environment="production", sandbox=False)


def deployment(**changes: Any) -> Any:
    raw = copy.deepcopy(READY)
    for path, value in changes.items():
        *parents, last = path.split("__")
        node: Any = raw
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is _DROP:
            del node[last]
        else:
            node[int(last) if last.isdigit() else last] = value
    return parse_deployment(raw)


_DROP = object()


def test_the_environment_defaults_to_development(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset, FRONTDESK_ENVIRONMENT is development; it reads `production` from the environment."""
    monkeypatch.delenv("FRONTDESK_ENVIRONMENT", raising=False)
    assert Settings().environment == "development"
    monkeypatch.setenv("FRONTDESK_ENVIRONMENT", "production")
    assert Settings().environment == "production"


def test_a_real_deployment_passes() -> None:
    """https everywhere, real EHRs and payer, a console token, no sandbox: nothing to refuse."""
    assert check_production(deployment(), PRODUCTION) == []
    require_production(deployment(), PRODUCTION)


def test_the_demo_deployment_is_refused_with_every_reason() -> None:
    """The demo runs every tenant on the sandbox and makes a console token at start."""
    problems = check_production(demo_deployment(), Settings(sandbox=True))
    text = "\n".join(problems)
    for tenant in ("boca-derm", "palm-ortho", "riverside", "lakeshore"):
        assert f"({tenant}).ehr.sandbox" in text
    assert "tenants[2] (riverside).eligibility.sandbox" in text
    assert any(p.startswith("console:") for p in problems)
    assert any(p.startswith("FRONTDESK_SANDBOX") for p in problems)
    with pytest.raises(ConfigurationError, match="not fit for production") as raised:
        require_production(demo_deployment(), Settings(sandbox=True))
    assert "tenants[0] (boca-derm).ehr.sandbox" in str(raised.value)


@pytest.mark.parametrize(
    ("path", "url", "named"),
    [
        ("tenants__0__ehr__base_url", "http://ema.example/firm/x/ema", "tenants[0] (boca-derm)"),
        ("tenants__1__ehr__base_url", "http://fhir.example/api", "tenants[1] (riverside)"),
        ("tenants__1__ehr__token_url", "http://fhir.example/token", "tenants[1] (riverside)"),
        ("tenants__0__eligibility__base_url", "http://api.pverify.com/", "tenants[0] (boca-derm)"),
        ("phone__public_url", "http://frontdesk.example.org", "phone.public_url"),
        ("phone__twilio__api_url", "http://api.twilio.com", "phone.twilio.api_url"),
        ("phone__speech__stt__base_url", "http://api.deepgram.com", "phone.speech.stt.base_url"),
    ],
)
def test_plain_http_endpoints_are_refused(path: str, url: str, named: str) -> None:
    """Every URL in the deployment is walked; a plain-http one is named by its field path."""
    [problem] = check_production(deployment(**{path: url}), PRODUCTION)
    assert problem.startswith(named)
    assert path.split("__")[-1] in problem
    assert "plain http" in problem
    assert url.rstrip("/") in problem


def test_a_generic_fhir_server_on_http_is_refused() -> None:
    """A generic FHIR tenant's base URL is checked like the vendors'."""
    fhir = {"kind": "fhir", "base_url": "http://10.0.0.5:8080/fhir"}
    [problem] = check_production(deployment(tenants__0__ehr=fhir), PRODUCTION)
    assert problem.startswith("tenants[0] (boca-derm).ehr.base_url: http://10.0.0.5:8080/fhir")


def test_sandbox_tenants_and_eligibility_are_refused() -> None:
    """A tenant on a sandbox firm, or checking eligibility on the sandbox's pVerify, is named."""
    problems = check_production(
        deployment(
            tenants__0__ehr={"kind": "modmed", "sandbox": "bocaderm"},
            tenants__0__eligibility={"sandbox": True},
        ),
        PRODUCTION,
    )
    assert len(problems) == 2
    assert problems[0].startswith("tenants[0] (boca-derm).ehr.sandbox: modmed space 'bocaderm'")
    assert problems[1].startswith("tenants[0] (boca-derm).eligibility.sandbox")


def test_an_epic_sandbox_org_is_refused() -> None:
    """Epic tenants on a sandbox org too."""
    epic = {"kind": "epic", "sandbox": "riverside"}
    [problem] = check_production(deployment(tenants__1__ehr=epic), PRODUCTION)
    assert problem.startswith("tenants[1] (riverside).ehr.sandbox: epic space 'riverside'")


def test_a_console_nobody_can_open_is_refused() -> None:
    """No admins and no token: production will not make a one-time token."""
    unguarded = deployment(console={})
    [problem] = check_production(unguarded, PRODUCTION)
    assert problem.startswith("console: neither `admins` nor `token`")
    # The token may come from the environment instead.
    from_env = Settings(environment="production", sandbox=False, console_token=SecretStr(TOKEN))
    assert check_production(unguarded, from_env) == []
    admins = {"admins": [{"username": "ana", "password_hash": "scrypt$1$2$3$salt$hash"}]}
    assert check_production(deployment(console=admins), PRODUCTION) == []


def test_the_embedded_sandbox_must_not_run() -> None:
    """FRONTDESK_SANDBOX=true serves unauthenticated inspection routes: refused."""
    problems = check_production(deployment(), Settings(environment="production", sandbox=True))
    assert problems == [
        "FRONTDESK_SANDBOX: the embedded sandbox EHR must not run in production "
        "(its /sandbox/ inspection routes have no auth); set FRONTDESK_SANDBOX=false"
    ]


def test_without_settings_only_the_deployment_is_judged() -> None:
    """`check_production(deployment)` alone: the process switches are not looked at."""
    assert check_production(deployment()) == []


class _Endpoint(BaseModel):
    url: HttpUrl
    verify_tls: bool = True
    insecure: bool = False


class _Config(BaseModel):
    endpoints: list[_Endpoint]
    extra: dict[str, _Endpoint] = {}


def test_disabled_tls_verification_would_be_refused() -> None:
    """No field turns TLS verification off today; should one appear, it is refused by name."""
    config = _Config(
        endpoints=[
            _Endpoint(url=HttpUrl("https://a.example")),
            _Endpoint(url=HttpUrl("https://b.example"), verify_tls=False),
        ],
        extra={"c": _Endpoint(url=HttpUrl("http://c.example"), insecure=True)},
    )
    assert insecure_settings(config) == [
        "endpoints[1].verify_tls: turns TLS certificate verification off",
        "extra.c.url: http://c.example/ is plain http; production endpoints use https",
        "extra.c.insecure: turns TLS certificate verification off",
    ]


def test_no_tls_verification_switch_exists_in_the_deployment() -> None:
    """Grep-by-model: nothing in the deployment schema is named like a TLS switch."""
    names: set[str] = set()

    def walk(model: type[BaseModel]) -> None:
        for name, field in model.model_fields.items():
            names.add(name)
            for inner in getattr(field.annotation, "__args__", (field.annotation,)):
                if isinstance(inner, type) and issubclass(inner, BaseModel) and inner is not model:
                    walk(inner)

    from frontdesk.tenancy import Deployment

    walk(Deployment)
    assert not names & {"verify", "verify_tls", "verify_ssl", "insecure", "tls_verify"}


def test_limits_have_sane_defaults() -> None:
    """Per practice 600 new calls a minute; per caller 10 new calls and 120 turns."""
    limits = demo_deployment().limits
    assert limits == LimitsConfig()
    assert limits.enabled
    assert (limits.calls_per_tenant.requests, limits.calls_per_tenant.per_s) == (600, 60)
    assert (limits.calls_per_caller.requests, limits.calls_per_caller.per_s) == (10, 60)
    assert (limits.turns_per_caller.requests, limits.turns_per_caller.per_s) == (120, 60)


def test_limits_are_validated() -> None:
    """A limit of zero requests, or a zero window, fails the boot naming the field."""
    raw = copy.deepcopy(READY) | {"limits": {"calls_per_caller": {"requests": 0}}}
    with pytest.raises(ConfigurationError, match=r"limits\.calls_per_caller\.requests"):
        parse_deployment(raw)
    raw = copy.deepcopy(READY) | {"limits": {"turns_per_caller": {"requests": 5, "per_s": 0}}}
    with pytest.raises(ConfigurationError, match=r"limits\.turns_per_caller\.per_s"):
        parse_deployment(raw)
