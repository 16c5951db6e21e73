"""Everything a running frontdesk holds, built once at boot and closed at shutdown."""

from __future__ import annotations

import dataclasses
import gc
from pathlib import Path

import httpx
import redis.asyncio as aioredis
from pydantic import SecretStr

from frontdesk.audit import AuditTrail, PostgresAuditSink, SqliteAuditSink
from frontdesk.auth import MemoryTokenCache, RedisTokenCache, TokenCache, utc_now
from frontdesk.console._access import ConsoleAccess
from frontdesk.conversation.engine import Clock, Engine
from frontdesk.limits import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from frontdesk.sandbox import Sandbox, create_sandbox
from frontdesk.settings import Settings
from frontdesk.store import CallStore, MemoryCallStore, RedisCallStore
from frontdesk.tenancy import (
    Deployment,
    TenantRegistry,
    TransportFactory,
    build_registry,
    read_deployment,
    require_production,
)
from frontdesk.voice._routes import PhoneLine


def _sqlite_parent(url: str) -> None:
    """Create the folder of a SQLite database file, so a fresh checkout just runs."""
    prefix = "sqlite+aiosqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + ":memory:"):
        Path(url.removeprefix(prefix)).parent.mkdir(parents=True, exist_ok=True)


@dataclasses.dataclass(slots=True)
class Runtime:
    """The deployment's live parts: sandbox, tenants, audit trail, call store and engine."""

    deployment: Deployment
    tenants: TenantRegistry
    engine: Engine
    audit: AuditTrail
    store: CallStore
    tokens: TokenCache
    sandbox: Sandbox | None
    console: ConsoleAccess
    phone: PhoneLine | None = None
    redis: aioredis.Redis | None = None
    limiter: RateLimiter = dataclasses.field(default_factory=MemoryRateLimiter)

    @classmethod
    async def start(
        cls,
        settings: Settings,
        *,
        deployment: Deployment | None = None,
        sandbox: Sandbox | None = None,
        audit: AuditTrail | None = None,
        clock: Clock | None = None,
        transport: TransportFactory | None = None,
    ) -> Runtime:
        """Validate the deployment, start the sandbox and audit trail, build every tenant."""
        deployment = deployment or read_deployment(settings.config)
        if settings.environment == "production":
            require_production(deployment, settings)
        if sandbox is None and settings.sandbox:
            sandbox = create_sandbox(anchor=settings.sandbox_anchor)
        if audit is None:
            audit = await _open_audit(settings)
        redis = aioredis.Redis.from_url(settings.redis_url) if settings.redis_url else None
        tokens: TokenCache = (
            RedisTokenCache(redis, prefix=f"{settings.redis_prefix}token:")
            if redis is not None
            else MemoryTokenCache()
        )
        try:
            tenants = build_registry(
                deployment, audit=audit, tokens=tokens, sandbox=sandbox, transport=transport
            )
        except BaseException:
            await audit.close()
            raise
        store: CallStore = (
            RedisCallStore(redis, prefix=settings.redis_prefix)
            if redis is not None
            else MemoryCallStore()
        )
        engine = Engine(tenants, store, audit, clock=clock or utc_now)
        phone = _phone_line(deployment, engine, tenants, sandbox)
        console = ConsoleAccess.from_config(
            deployment.console,
            token=_reveal(settings.console_token),
            secret=_reveal(settings.console_secret),
        )
        limiter: RateLimiter = (
            RedisRateLimiter(redis, prefix=settings.redis_prefix)
            if redis is not None
            else MemoryRateLimiter()
        )
        return cls(
            deployment,
            tenants,
            engine,
            audit,
            store,
            tokens,
            sandbox,
            console,
            phone,
            redis,
            limiter,
        )

    @staticmethod
    def settle() -> None:
        """Keep what boot made out of the garbage collector's full passes.

        Called once a long-lived process has booted: seed data, models and tables live as long
        as the process, and full collections over them would stall a caller's turn for a few
        hundred milliseconds now and then.
        """
        gc.collect()
        gc.freeze()

    async def aclose(self) -> None:
        """Close tenant clients, the phone line and the audit trail."""
        await self.tenants.aclose()
        if self.phone is not None:
            await self.phone.aclose()
        await self.audit.close()
        if self.redis is not None:
            await self.redis.aclose()

    async def readiness(self) -> dict[str, str]:
        """Each backend this process needs, "ok" or what is wrong (for `/readyz`)."""
        checks: dict[str, str] = {}
        try:
            await self.audit.rows(limit=1)
            checks["audit"] = "ok"
        except Exception as exc:  # any failure means "not ready", said plainly
            checks["audit"] = type(exc).__name__
        if self.redis is not None:
            try:
                await self.redis.ping()  # type: ignore[misc]  # redis-py types sync and async alike
                checks["redis"] = "ok"
            except Exception as exc:
                checks["redis"] = type(exc).__name__
        return checks


async def _open_audit(settings: Settings) -> AuditTrail:
    """PostgreSQL when `database_url` is set, else the SQLite file at `audit_url`."""
    if settings.database_url:
        postgres = PostgresAuditSink(settings.database_url)
        await postgres.open()
        return postgres
    _sqlite_parent(settings.audit_url)
    sqlite = SqliteAuditSink(settings.audit_url)
    await sqlite.open()
    return sqlite


def _reveal(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _phone_line(
    deployment: Deployment, engine: Engine, tenants: TenantRegistry, sandbox: Sandbox | None
) -> PhoneLine | None:
    """The Twilio account the deployment names, else the embedded sandbox's; None: no phones."""
    account = deployment.phone.twilio
    if account is not None:
        sid, token = account.account_sid, account.auth_token.get_secret_value()
        api = httpx.AsyncClient(
            base_url=str(account.api_url), auth=(sid, token), timeout=httpx.Timeout(5.0)
        )
    elif sandbox is not None:
        sid, token = sandbox.twilio.credentials.account_sid, sandbox.twilio.credentials.auth_token
        api = httpx.AsyncClient(
            base_url="http://sandbox/twilio",
            auth=(sid, token),
            transport=httpx.ASGITransport(app=sandbox.app),
        )
    else:
        return None
    return PhoneLine(
        engine=engine,
        tenants=tenants,
        config=deployment.phone,
        auth_token=token,
        account_sid=sid,
        api=api,
    )
