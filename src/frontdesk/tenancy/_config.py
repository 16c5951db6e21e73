"""The deployment file: tenants, their EHR, providers, visit types and escalation targets.

Validated once at boot into typed models; a bad file fails the boot with a message naming the
file and the field, never the first call.
"""

from __future__ import annotations

import urllib.parse
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final, Literal, Self

import phonenumbers
import yaml
from pydantic import (
    AnyUrl,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from frontdesk.ehr import ConfigurationError
from frontdesk.ehr.epic import REFILL_POOL
from frontdesk.reasons import ReasonTreeField
from frontdesk.safety import RedFlagConfig
from frontdesk.voice._speech import VoiceConfig

if TYPE_CHECKING:
    from frontdesk.settings import Settings


def e164(value: str) -> str:
    """A phone number in E.164 form (US default region), or ValueError."""
    try:
        parsed = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {value!r}") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError(f"not a possible phone number: {value!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


Phone = Annotated[str, Field(description="A phone number; stored in E.164 form")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModMedEhr(_Strict):
    """A ModMed practice (firm): its own base URL and password-grant credentials.

    Either `sandbox` names a firm on the embedded sandbox (URL and credentials come from it),
    or `base_url`, `api_key`, `username` and `password` point at a real firm, e.g.
    `https://mmapi.ema-api.com/ema-prod/firm/{firm_url_prefix}/ema`.
    """

    kind: Literal["modmed"]
    sandbox: str | None = None
    base_url: HttpUrl | None = None
    api_key: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    timeout_s: float = Field(default=4.0, gt=0, le=30)

    @model_validator(mode="after")
    def _endpoint_or_sandbox(self) -> Self:
        real = (self.base_url, self.api_key, self.username, self.password)
        if self.sandbox is None and any(v is None for v in real):
            raise ValueError("set `sandbox`, or all of base_url, api_key, username and password")
        if self.sandbox is not None and self.base_url is not None:
            raise ValueError("set either `sandbox` or `base_url`, not both")
        return self


class EpicEhr(_Strict):
    """An Epic organization, reached as a SMART Backend Services app.

    Either `sandbox` names an org on the embedded sandbox (frontdesk registers a key with it at
    start), or `base_url` is the organization's Interconnect base (the part before
    `/api/FHIR/R4`, e.g. `https://fhir.example.org/interconnect-fhir-oauth`) with the
    `client_id` Epic assigned and the private key whose public half is registered with Epic
    (`private_key_file`, or the PEM in the environment variable `private_key_env`). The token
    URL is discovered from `.well-known/smart-configuration` unless `token_url` is set.
    """

    kind: Literal["epic"]
    sandbox: str | None = None
    base_url: HttpUrl | None = None
    client_id: str | None = None
    private_key_file: Path | None = None
    private_key_env: str | None = None
    key_id: str | None = None
    token_url: HttpUrl | None = None
    timeout_s: float = Field(default=4.0, gt=0, le=30)
    refill_pool: str = Field(
        default=REFILL_POOL, description="the in-basket pool refill requests go to (its ID)"
    )

    @model_validator(mode="after")
    def _endpoint_or_sandbox(self) -> Self:
        if self.sandbox is not None:
            if self.base_url is not None:
                raise ValueError("set either `sandbox` or `base_url`, not both")
            return self
        if self.base_url is None or self.client_id is None:
            raise ValueError("set `sandbox`, or base_url and client_id")
        if (self.private_key_file is None) == (self.private_key_env is None):
            raise ValueError("set exactly one of private_key_file and private_key_env")
        return self


class FhirEhr(_Strict):
    """Any standards-based FHIR R4 server: `Slot` search and `Appointment` create.

    `base_url` is the FHIR base. With `client_id` and a private key, frontdesk authenticates
    as a SMART Backend Services app (token URL discovered unless `token_url` is set);
    without them it sends no credentials (a server on a private network, or a test server).
    """

    kind: Literal["fhir"]
    base_url: HttpUrl
    client_id: str | None = None
    private_key_file: Path | None = None
    private_key_env: str | None = None
    key_id: str | None = None
    token_url: HttpUrl | None = None
    timeout_s: float = Field(default=4.0, gt=0, le=30)

    @model_validator(mode="after")
    def _key_with_client(self) -> Self:
        has_key = self.private_key_file is not None or self.private_key_env is not None
        if (self.client_id is None) != (not has_key):
            raise ValueError("client_id and a private key go together (SMART), or neither")
        if self.private_key_file is not None and self.private_key_env is not None:
            raise ValueError("set one of private_key_file and private_key_env")
        return self


EhrConfig = Annotated[ModMedEhr | EpicEhr | FhirEhr, Field(discriminator="kind")]


class ProviderConfig(_Strict):
    """What the deployment knows about a provider that the EHR does not say."""

    id: str
    specialty: str | None = None
    bookable: bool = True


class VisitTypeConfig(_Strict):
    """A visit type the agent may book, and the words callers use for it."""

    code: str
    display: str
    minutes: int | None = Field(default=None, gt=0, le=480)
    aliases: list[str] = Field(default_factory=list, description='"annual check-up", "physical"')


class Variant(_Strict):
    """What changes once the provider's specialty is known: persona, department, defaults."""

    specialty: str
    persona: str | None = Field(default=None, description='"the cardiology scheduling desk"')
    visit_type: str | None = Field(default=None, description="default visit type code")
    location: str | None = Field(default=None, description="department (Location id) to search")


class PVerifyConfig(_Strict):
    """Where the payer's eligibility determination comes from (pVerify).

    `sandbox: true` uses the embedded sandbox's pVerify (test cards by member-ID prefix); else
    `base_url` (https://api.pverify.com/) with the practice's `client_id` and `client_secret`.
    """

    kind: Literal["pverify"] = "pverify"
    sandbox: bool = False
    base_url: HttpUrl | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    timeout_s: float = Field(default=4.0, gt=0, le=30)

    @model_validator(mode="after")
    def _endpoint_or_sandbox(self) -> Self:
        real = (self.base_url, self.client_id, self.client_secret)
        if not self.sandbox and any(v is None for v in real):
            raise ValueError("set `sandbox: true`, or base_url, client_id and client_secret")
        return self


class PayerConfig(_Strict):
    """A payer the practice accepts: its pVerify payer code and the names callers use."""

    code: str
    name: str
    aliases: list[str] = []
    networks: list[str] = Field(
        default=[],
        description="the payer's provider networks, as the EHR's PractitionerRoles name them",
    )


class Escalation(_Strict):
    """Where handoffs go."""

    front_desk: Phone
    clinical: Phone | None = None
    billing: Phone | None = None

    @field_validator("front_desk", "clinical", "billing")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        return None if value is None else e164(value)


class TenantConfig(_Strict):
    """One practice."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
    name: str
    timezone: str = "America/New_York"
    dialed_numbers: Annotated[list[Phone], Field(min_length=1)]
    ehr: EhrConfig
    visit_type: str = Field(description="appointment-type code booked for established patients")
    visit_types: list[VisitTypeConfig] = []
    new_patient_visit_type: str | None = Field(
        default=None, description="visit type booked for new patients (registration needs one)"
    )
    variants: list[Variant] = []
    providers: list[ProviderConfig] = []
    escalation: Escalation
    eligibility: PVerifyConfig | None = None
    npi: Annotated[str, Field(pattern=r"^\d{10}$")] | None = Field(
        default=None,
        description="the practice's group NPI: eligibility checks before a provider is chosen",
    )
    payers: list[PayerConfig] = []
    practice_types: dict[str, int] = Field(
        default_factory=dict, description="visit-type code → pVerify practice type (default 18)"
    )
    languages: Annotated[list[Literal["en", "es"]], Field(min_length=1)] = Field(
        default=["en"], description="the languages callers may use; the first is the default"
    )
    red_flags: RedFlagConfig = Field(
        default_factory=RedFlagConfig,
        description="the safety net: built-in emergency categories, plus or minus the tenant's",
    )
    reasons: ReasonTreeField | None = Field(
        default=None,
        description="reason-for-visit decision tree: a packaged name, a YAML path, or inline",
    )
    search_horizon_days: int = Field(default=28, ge=1, le=120)
    offers: int = Field(default=3, ge=1, le=5)

    @model_validator(mode="after")
    def _epic_needs_visit_types(self) -> Self:
        if self.ehr.kind == "epic" and not self.visit_types:
            raise ValueError("an Epic tenant lists its visit_types (Epic has no visit-type API)")
        codes = {v.code for v in self.visit_types}
        if self.visit_types and self.visit_type not in codes:
            raise ValueError(f"visit_type {self.visit_type!r} is not among visit_types")
        return self

    @model_validator(mode="after")
    def _reasons_book_known_visit_types(self) -> Self:
        if self.reasons is not None:
            codes = {v.code for v in self.visit_types} or None
            self.reasons.check(self.ehr.kind, codes)
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("dialed_numbers")
    @classmethod
    def _numbers(cls, values: list[str]) -> list[str]:
        return [e164(v) for v in values]

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The practice's time zone."""
        return zoneinfo.ZoneInfo(self.timezone)

    def variant_for(self, specialty: str | None) -> Variant | None:
        """The variant of a specialty (matched without regard to case)."""
        if specialty is None:
            return None
        wanted = specialty.casefold()
        return next((v for v in self.variants if v.specialty.casefold() == wanted), None)

    @property
    def specialties(self) -> dict[str, str]:
        """Provider id → specialty, from the deployment's provider list."""
        return {p.id: p.specialty for p in self.providers if p.specialty}


class TwilioAccount(_Strict):
    """The Twilio account whose numbers ring here: it signs webhooks and takes transfers."""

    account_sid: Annotated[str, Field(pattern=r"^AC[0-9a-fA-F]{32}$")]
    auth_token: SecretStr
    api_url: HttpUrl = HttpUrl("https://api.twilio.com")


class PhoneConfig(_Strict):
    """Phone calls: the telephony account, how it reaches us, and the speech engines."""

    twilio: TwilioAccount | None = Field(
        default=None, description="None: the embedded sandbox's account (the demo)"
    )
    public_url: HttpUrl | None = Field(
        default=None,
        description="this server as Twilio reaches it (behind a proxy); None: from the request",
    )
    speech: VoiceConfig = Field(default_factory=VoiceConfig)


class ConsoleAdmin(_Strict):
    """Someone who may sign in to the console (`frontdesk console hash-password` makes the hash)."""

    username: Annotated[str, Field(min_length=1, max_length=64)]
    password_hash: Annotated[SecretStr, Field(description="scrypt$n$r$p$salt$hash")]

    @field_validator("password_hash")
    @classmethod
    def _scrypt(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith("scrypt$"):
            raise ValueError("expected an scrypt hash from `frontdesk console hash-password`")
        return value


class ConsoleConfig(_Strict):
    """Who may open the console: admin accounts, a shared token, or both.

    With neither (the demo), the server makes a one-time token at start and prints it.
    """

    admins: list[ConsoleAdmin] = Field(default_factory=list)
    token: SecretStr | None = Field(default=None, description="at least 24 characters")

    @field_validator("token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 24:
            raise ValueError("the console token must be at least 24 characters")
        return value


class RateLimit(_Strict):
    """At most `requests` in each window of `per_s` seconds."""

    requests: int = Field(gt=0, le=1_000_000)
    per_s: float = Field(default=60.0, gt=0, le=86_400)


class LimitsConfig(_Strict):
    """How fast calls may come in, per practice and per caller (the caller's number, ANI).

    A new call counts against `calls_per_tenant` and `calls_per_caller`, whether it arrives
    on the API (`POST /v1/calls`) or on the phone webhook; a turn counts against
    `turns_per_tenant` and `turns_per_caller` (a call without a caller number is its own
    caller). Over a limit, the API answers 429 with `Retry-After`.
    """

    enabled: bool = True
    calls_per_tenant: RateLimit = RateLimit(requests=600)
    calls_per_caller: RateLimit = RateLimit(requests=10)
    turns_per_tenant: RateLimit = RateLimit(requests=6000)
    turns_per_caller: RateLimit = RateLimit(requests=120)


class Deployment(_Strict):
    """Everything one frontdesk deployment serves."""

    tenants: Annotated[list[TenantConfig], Field(min_length=1)]
    phone: PhoneConfig = Field(default_factory=PhoneConfig)
    console: ConsoleConfig = Field(default_factory=ConsoleConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        ids: set[str] = set()
        numbers: dict[str, str] = {}
        for tenant in self.tenants:
            if tenant.id in ids:
                raise ValueError(f"tenant id {tenant.id!r} is used twice")
            ids.add(tenant.id)
            for number in tenant.dialed_numbers:
                if number in numbers:
                    owner = numbers[number]
                    raise ValueError(
                        f"dialed number {number} belongs to both {owner!r} and {tenant.id!r}"
                    )
                numbers[number] = tenant.id
        return self


def _where(loc: tuple[int | str, ...], raw: object) -> str:
    """A pydantic error location as a readable path: `tenants[1] (boca-derm).ehr.base_url`."""
    parts: list[str] = []
    node = raw
    for position, item in enumerate(loc):
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and item < len(node):
                node = node[item]
                if isinstance(node, dict) and "id" in node:
                    label += f" ({node['id']})"
            parts.append(label)
        else:
            last = position == len(loc) - 1
            if isinstance(node, dict) and item not in node and not last:
                continue  # pydantic's union tags ("modmed") and validator names
            parts.append(("." if parts else "") + item)
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def parse_deployment(raw: object, *, source: str = "<deployment>") -> Deployment:
    """Validate already-loaded YAML; raise `ConfigurationError` naming the source and fields."""
    try:
        return Deployment.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{_where(e['loc'], raw)}: {e['msg']}" for e in exc.errors())
        raise ConfigurationError(f"{source}: {problems}") from None


def load_deployment(path: Path) -> Deployment:
    """Read and validate a deployment YAML file."""
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML ({exc})") from None
    return parse_deployment(raw, source=str(path))


# -- production readiness --------------------------------------------------------------------

#: Field names of switches that would turn TLS certificate checks off (none exists today:
#: every client verifies, httpx's default). Should one appear, production refuses it.
_VERIFY_NAMES: Final = ("verify", "verify_tls", "verify_ssl", "tls_verify", "ssl_verify")
_INSECURE_NAMES: Final = ("insecure", "skip_tls_verify", "tls_insecure", "allow_insecure")


def _members(node: object, path: str) -> Iterator[tuple[str, str, object]]:
    """(path, field name, value) of every field below `node`, depth first.

    List items of models with an `id` are labelled with it: `tenants[1] (palm-ortho)`.
    """
    children: list[tuple[str, str, object]] = []
    if isinstance(node, BaseModel):
        children = [
            (f"{path}.{name}" if path else name, name, getattr(node, name))
            for name in type(node).model_fields
        ]
    elif isinstance(node, list | tuple):
        for index, item in enumerate(node):
            ident = getattr(item, "id", None) if isinstance(item, BaseModel) else None
            label = f"{path}[{index}]" + (f" ({ident})" if isinstance(ident, str) else "")
            children.append((label, "", item))
    elif isinstance(node, dict):
        children = [(f"{path}.{key}", str(key), item) for key, item in node.items()]
    for where, name, value in children:
        yield where, name, value
        yield from _members(value, where)


def insecure_settings(model: BaseModel, *, root: str = "") -> list[str]:
    """What in `model` (any config model, walked whole) a production server must not have.

    Plain-http (or ws) endpoints: every `HttpUrl`, and every string field named `…url`
    (the speech engines' `base_url`). Any switch that turns TLS verification off.
    """
    problems = []
    for where, name, value in _members(model, root):
        lowered = name.lower()
        url = None
        if isinstance(value, AnyUrl):
            url = str(value)
        elif isinstance(value, str) and lowered.endswith("url") and "://" in value:
            url = value
        if url is not None and urllib.parse.urlsplit(url).scheme.lower() in ("http", "ws"):
            problems.append(f"{where}: {url} is plain http; production endpoints use https")
        if isinstance(value, bool) and (
            (lowered in _VERIFY_NAMES and not value) or (lowered in _INSECURE_NAMES and value)
        ):
            problems.append(f"{where}: turns TLS certificate verification off")
    return problems


def check_production(deployment: Deployment, settings: Settings | None = None) -> list[str]:
    """Why this deployment (and these process settings) must not serve production; [] if none.

    Refused, each naming the field: plain-http endpoints and disabled TLS verification
    (`insecure_settings`); tenants or eligibility on the embedded sandbox; a console with
    neither admins nor a token (a production server never makes a one-time token); and, with
    `settings`, the embedded sandbox running (its inspection routes have no auth).
    """
    problems = insecure_settings(deployment)
    for index, tenant in enumerate(deployment.tenants):
        where = f"tenants[{index}] ({tenant.id})"
        if getattr(tenant.ehr, "sandbox", None) is not None:
            problems.append(
                f"{where}.ehr.sandbox: {tenant.ehr.kind} space "
                f"{getattr(tenant.ehr, 'sandbox', None)!r} is on the embedded sandbox EHR; "
                "production tenants use the practice's EHR (base_url and credentials)"
            )
        if tenant.eligibility is not None and tenant.eligibility.sandbox:
            problems.append(
                f"{where}.eligibility.sandbox: eligibility checks go to the embedded sandbox's "
                "pVerify; production uses the practice's pVerify account"
            )
    console = deployment.console
    env_token = settings.console_token if settings is not None else None
    if not console.admins and console.token is None and env_token is None:
        problems.append(
            "console: neither `admins` nor `token` (nor FRONTDESK_CONSOLE_TOKEN) is set; "
            "production does not make a one-time console token at start"
        )
    if settings is not None and settings.sandbox:
        problems.append(
            "FRONTDESK_SANDBOX: the embedded sandbox EHR must not run in production "
            "(its /sandbox/ inspection routes have no auth); set FRONTDESK_SANDBOX=false"
        )
    return problems


def require_production(deployment: Deployment, settings: Settings | None = None) -> None:
    """Raise `ConfigurationError` listing every `check_production` problem, if any."""
    problems = check_production(deployment, settings)
    if problems:
        listed = "".join(f"\n  - {p}" for p in problems)
        raise ConfigurationError(f"not fit for production (FRONTDESK_ENVIRONMENT):{listed}")
