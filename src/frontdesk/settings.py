"""Process settings from the environment (`FRONTDESK_*`); tenants live in the deployment file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where things are and how to log; every field can be set as `FRONTDESK_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="FRONTDESK_", extra="ignore")

    redis_url: str | None = None
    """Redis for call state, tokens and rate limits shared by several workers; unset: memory."""
    redis_prefix: str = "frontdesk:"
    """Prefix of every Redis key (several deployments, or test runs, may share one Redis)."""
    config: Path | None = None
    """The deployment YAML; unset runs the demo deployment on the embedded sandbox."""
    audit_url: str = "sqlite+aiosqlite:///var/frontdesk-audit.sqlite3"
    """SQLAlchemy async URL of the audit trail."""
    database_url: str | None = None
    """PostgreSQL URL for the audit trail and durable records; unset: SQLite at audit_url.

    Workers should connect as the `frontdesk_app` role `frontdesk db upgrade` creates (it may
    only SELECT and INSERT audit rows); run the upgrade itself as the database's owner.
    """
    log_level: str = "INFO"
    log_json: bool = False
    sandbox: bool = True
    """Run the embedded sandbox EHR (needed by tenants whose `ehr.sandbox` names a firm)."""
    sandbox_anchor: dt.date | None = None
    """First day of the sandbox's generated schedules (default: today)."""
    console_token: SecretStr | None = None
    """A token that opens the console (besides the deployment's `console:` accounts)."""
    console_secret: SecretStr | None = None
    """The key console sessions are signed with; set it when several workers serve the console."""
    environment: Literal["development", "production"] = "development"
    """`production` refuses to start on a deployment fit only for a demo (`check_production`)."""
