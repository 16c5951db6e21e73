"""Per-tenant services, built once at boot; the dialed number picks the tenant.

Each tenant gets its own `httpx.AsyncClient` (its own base URL, auth and token, pooled
connections) wrapped in the metering transport, and its own connector. Nothing is shared
between tenants but the token cache, whose keys are tenant ids.

Each tenant also gets its own circuit breakers (`TenantBreakers`): its clients' transports are
``BreakerTransport(MeteredTransport(inner))``, so while a breaker is open nothing is sent (nor
metered). The EHR client and the eligibility client share the tenant's breakers, which keep
one breaker per endpoint (``ehr``, ``token``, ``payer``; see `frontdesk.ehr._breaker`): a
failing token server or payer never opens the EHR's breaker, and one tenant's never another's.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Sequence
from importlib import resources
from pathlib import Path

import httpx
import phonenumbers
import yaml
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from frontdesk.audit import AuditSink
from frontdesk.auth import (
    ModMedPasswordAuth,
    SmartBackendAuth,
    TokenCache,
    generate_key,
    jwks,
    load_private_key,
)
from frontdesk.ehr import (
    BreakerPolicy,
    BreakerTransport,
    ConfigurationError,
    EhrClient,
    TenantBreakers,
    VisitType,
)
from frontdesk.ehr.epic import EpicConnector
from frontdesk.ehr.generic import GenericFhirConnector
from frontdesk.ehr.modmed import ModMedConnector
from frontdesk.eligibility import PVerifyAuth, PVerifyClient
from frontdesk.metering import MeteredTransport
from frontdesk.safety import red_flag_set
from frontdesk.sandbox import Sandbox
from frontdesk.tenancy._config import (
    Deployment,
    EpicEhr,
    FhirEhr,
    ModMedEhr,
    TenantConfig,
    load_deployment,
    parse_deployment,
)

#: The client id frontdesk registers with the embedded sandbox's Epic orgs.
SANDBOX_CLIENT_ID = "frontdesk-sandbox"

#: The host name the embedded sandbox answers to when reached in-process.
EMBEDDED_SANDBOX = "http://sandbox.frontdesk.internal"


def demo_deployment() -> Deployment:
    """The packaged demo deployment (two ModMed firms on the embedded sandbox)."""
    path = resources.files(__package__).joinpath("demo.yaml")
    return parse_deployment(
        yaml.safe_load(path.read_text("utf-8")), source="frontdesk/tenancy/demo.yaml"
    )


def read_deployment(path: Path | None) -> Deployment:
    """The deployment in `path`, or the demo deployment when no path is given."""
    return demo_deployment() if path is None else load_deployment(path)


@dataclasses.dataclass(frozen=True, slots=True)
class TenantServices:
    """What serving one tenant takes: configuration, EHR connector, eligibility, clients."""

    config: TenantConfig
    ehr: EhrClient
    http: httpx.AsyncClient
    sandbox_space: str | None = None
    eligibility: PVerifyClient | None = None
    eligibility_http: httpx.AsyncClient | None = None
    breakers: TenantBreakers | None = None

    @property
    def id(self) -> str:
        """The tenant id."""
        return self.config.id


class TenantRegistry:
    """The tenants of a deployment, by id and by dialed number."""

    def __init__(self, tenants: Sequence[TenantServices]) -> None:
        self._by_id = {t.id: t for t in tenants}
        self._by_number = {n: t for t in tenants for n in t.config.dialed_numbers}

    def __iter__(self) -> Iterator[TenantServices]:
        return iter(self._by_id.values())

    def get(self, tenant_id: str) -> TenantServices | None:
        """The tenant with this id."""
        return self._by_id.get(tenant_id)

    def by_dialed_number(self, number: str) -> TenantServices | None:
        """The tenant a dialed number belongs to (any common formatting accepted)."""
        try:
            parsed = phonenumbers.parse(number, "US")
        except phonenumbers.NumberParseException:
            return None
        return self._by_number.get(
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        )

    async def aclose(self) -> None:
        """Close every tenant's HTTP clients."""
        for tenant in self:
            await tenant.http.aclose()
            if tenant.eligibility_http is not None:
                await tenant.eligibility_http.aclose()


TransportFactory = Callable[[TenantConfig], httpx.AsyncBaseTransport]


def _guarded(
    inner: httpx.AsyncBaseTransport, *, tenant: str, audit: AuditSink, breakers: TenantBreakers
) -> httpx.AsyncBaseTransport:
    """A tenant's transport as its clients use it: breakers outside, metering inside."""
    return BreakerTransport(MeteredTransport(inner, tenant=tenant, audit=audit), breakers=breakers)


def _modmed(
    config: TenantConfig,
    ehr: ModMedEhr,
    *,
    audit: AuditSink,
    tokens: TokenCache,
    sandbox: Sandbox | None,
    transport: httpx.AsyncBaseTransport | None,
    breakers: TenantBreakers,
) -> TenantServices:
    if ehr.sandbox is not None:
        if sandbox is None or ehr.sandbox not in sandbox.firms:
            raise ConfigurationError(
                f"tenant {config.id!r}: sandbox firm {ehr.sandbox!r} is not on the embedded sandbox"
            )
        creds = sandbox.credentials(ehr.sandbox)
        firm_base = EMBEDDED_SANDBOX + sandbox.modmed_base_path(ehr.sandbox)
        api_key, username, password = creds.api_key, creds.username, creds.password
        inner = transport or httpx.ASGITransport(app=sandbox.app)
    else:
        assert ehr.base_url
        assert ehr.api_key
        assert ehr.username
        assert ehr.password
        firm_base = str(ehr.base_url).rstrip("/")
        api_key = ehr.api_key.get_secret_value()
        username, password = ehr.username, ehr.password.get_secret_value()
        inner = transport or httpx.AsyncHTTPTransport(retries=0, http2=False)
    auth = ModMedPasswordAuth(
        token_url=f"{firm_base}/ws/oauth2/grant",
        api_key=SecretStr(api_key),
        username=username,
        password=SecretStr(password),
        cache=tokens,
        cache_key=f"modmed:{config.id}",
    )
    http = httpx.AsyncClient(
        base_url=f"{firm_base}/fhir/v2/",
        auth=auth,
        transport=_guarded(inner, tenant=config.id, audit=audit, breakers=breakers),
        timeout=_timeout(ehr.timeout_s),
        headers={"Accept": "application/fhir+json"},
    )
    connector = ModMedConnector(http, specialties=config.specialties)
    return TenantServices(
        config=config, ehr=connector, http=http, sandbox_space=ehr.sandbox, breakers=breakers
    )


def _timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(1.5, seconds))


def _epic(
    config: TenantConfig,
    ehr: EpicEhr,
    *,
    audit: AuditSink,
    tokens: TokenCache,
    sandbox: Sandbox | None,
    transport: httpx.AsyncBaseTransport | None,
    demo_key: rsa.RSAPrivateKey,
    breakers: TenantBreakers,
) -> TenantServices:
    token_url = str(ehr.token_url) if ehr.token_url else None
    if ehr.sandbox is not None:
        if sandbox is None or ehr.sandbox not in sandbox.orgs:
            raise ConfigurationError(
                f"tenant {config.id!r}: sandbox org {ehr.sandbox!r} is not on the embedded sandbox"
            )
        # The embedded sandbox trusts the key this process made for itself.
        sandbox.register_client(ehr.sandbox, SANDBOX_CLIENT_ID, jwks([demo_key.public_key()]))
        root = EMBEDDED_SANDBOX + sandbox.epic_base_path(ehr.sandbox)
        client_id, key = SANDBOX_CLIENT_ID, demo_key
        inner = transport or httpx.ASGITransport(app=sandbox.app)
    else:
        assert ehr.base_url is not None
        assert ehr.client_id is not None
        root = str(ehr.base_url).rstrip("/")
        client_id = ehr.client_id
        key = load_private_key(file=ehr.private_key_file, env=ehr.private_key_env)
        inner = transport or httpx.AsyncHTTPTransport(retries=0)
    fhir_base = f"{root}/api/FHIR/R4"
    auth = SmartBackendAuth(
        client_id=client_id,
        key=key,
        kid=ehr.key_id,
        fhir_base=fhir_base,
        token_url=token_url,
        cache=tokens,
        cache_key=f"epic:{config.id}",
        platform="epic",
    )
    http = httpx.AsyncClient(
        base_url=f"{fhir_base}/",
        auth=auth,
        transport=_guarded(inner, tenant=config.id, audit=audit, breakers=breakers),
        timeout=_timeout(ehr.timeout_s),
        headers={"Accept": "application/fhir+json"},
    )
    visit_types = [VisitType(v.code, v.display, v.minutes) for v in config.visit_types]
    connector = EpicConnector(
        http,
        root=root,
        visit_types=visit_types,
        specialties=config.specialties,
        refill_pool=ehr.refill_pool,
    )
    return TenantServices(
        config=config, ehr=connector, http=http, sandbox_space=ehr.sandbox, breakers=breakers
    )


def _fhir(
    config: TenantConfig,
    ehr: FhirEhr,
    *,
    audit: AuditSink,
    tokens: TokenCache,
    transport: httpx.AsyncBaseTransport | None,
    breakers: TenantBreakers,
) -> TenantServices:
    base = str(ehr.base_url).rstrip("/")
    auth: httpx.Auth | None = None
    if ehr.client_id is not None:
        auth = SmartBackendAuth(
            client_id=ehr.client_id,
            key=load_private_key(file=ehr.private_key_file, env=ehr.private_key_env),
            kid=ehr.key_id,
            fhir_base=base,
            token_url=str(ehr.token_url) if ehr.token_url else None,
            cache=tokens,
            cache_key=f"fhir:{config.id}",
            platform="fhir",
        )
    http = httpx.AsyncClient(
        base_url=f"{base}/",
        auth=auth,
        transport=_guarded(
            transport or httpx.AsyncHTTPTransport(retries=0),
            tenant=config.id,
            audit=audit,
            breakers=breakers,
        ),
        timeout=_timeout(ehr.timeout_s),
        headers={"Accept": "application/fhir+json"},
    )
    visit_types = [VisitType(v.code, v.display, v.minutes) for v in config.visit_types]
    connector = GenericFhirConnector(
        http, visit_types=visit_types or None, specialties=config.specialties
    )
    return TenantServices(config=config, ehr=connector, http=http, breakers=breakers)


def _eligibility(
    config: TenantConfig,
    *,
    audit: AuditSink,
    tokens: TokenCache,
    sandbox: Sandbox | None,
    transport: httpx.AsyncBaseTransport | None,
    breakers: TenantBreakers,
) -> tuple[PVerifyClient, httpx.AsyncClient] | None:
    settings = config.eligibility
    if settings is None:
        return None
    if settings.sandbox:
        if sandbox is None:
            raise ConfigurationError(f"tenant {config.id!r}: the pVerify sandbox is not running")
        creds = sandbox.pverify_credentials()
        base = f"{EMBEDDED_SANDBOX}/pverify"
        client_id, secret = creds.client_id, SecretStr(creds.client_secret)
        inner = transport or httpx.ASGITransport(app=sandbox.app)
    else:
        assert settings.base_url
        assert settings.client_id
        assert settings.client_secret
        base = str(settings.base_url).rstrip("/")
        client_id, secret = settings.client_id, settings.client_secret
        inner = transport or httpx.AsyncHTTPTransport(retries=0)
    auth = PVerifyAuth(
        token_url=f"{base}/Token",
        client_id=client_id,
        client_secret=secret,
        cache=tokens,
        cache_key=f"pverify:{config.id}",
    )
    http = httpx.AsyncClient(
        base_url=f"{base}/",
        auth=auth,
        transport=_guarded(inner, tenant=config.id, audit=audit, breakers=breakers),
        timeout=_timeout(settings.timeout_s),
    )
    return PVerifyClient(http, client_id=client_id, timeout=settings.timeout_s), http


def build_registry(
    deployment: Deployment,
    *,
    audit: AuditSink,
    tokens: TokenCache,
    sandbox: Sandbox | None = None,
    transport: TransportFactory | None = None,
    breaker: BreakerPolicy | None = None,
    breaker_clock: Callable[[], float] = time.monotonic,
) -> TenantRegistry:
    """Build every tenant's services; raise `ConfigurationError` for what cannot be served.

    `breaker` is every tenant's circuit-breaker policy (5 failures in a row, or half of 20 in
    30 s, open it for 30 s, by default); `breaker_clock` (monotonic seconds) is for tests.
    """
    tenants = []
    demo_key: rsa.RSAPrivateKey | None = None
    for config in deployment.tenants:
        red_flag_set(config.red_flags)  # compiled now, so no caller waits for it
        inner = transport(config) if transport else None
        breakers = TenantBreakers(config.id, policy=breaker, clock=breaker_clock)
        match config.ehr:
            case ModMedEhr() as modmed:
                tenants.append(
                    _modmed(
                        config,
                        modmed,
                        audit=audit,
                        tokens=tokens,
                        sandbox=sandbox,
                        transport=inner,
                        breakers=breakers,
                    )
                )
            case FhirEhr() as fhir:
                tenants.append(
                    _fhir(
                        config,
                        fhir,
                        audit=audit,
                        tokens=tokens,
                        transport=inner,
                        breakers=breakers,
                    )
                )
            case EpicEhr() as epic:
                if demo_key is None:
                    demo_key = generate_key()
                tenants.append(
                    _epic(
                        config,
                        epic,
                        audit=audit,
                        tokens=tokens,
                        sandbox=sandbox,
                        transport=inner,
                        demo_key=demo_key,
                        breakers=breakers,
                    )
                )
    with_eligibility = []
    for services in tenants:
        assert services.breakers is not None
        built = _eligibility(
            services.config,
            audit=audit,
            tokens=tokens,
            sandbox=sandbox,
            transport=transport(services.config) if transport else None,
            breakers=services.breakers,
        )
        if built is not None:
            services = dataclasses.replace(
                services, eligibility=built[0], eligibility_http=built[1]
            )
        with_eligibility.append(services)
    return TenantRegistry(with_eligibility)
