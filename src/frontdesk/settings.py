"""Process settings from the environment (`FRONTDESK_*`); tenants live in the deployment file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where things are and how to log; every field can be set as `FRONTDESK_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="FRONTDESK_", extra="ignore")

    config: Path | None = None
    """The deployment YAML; unset runs the demo deployment on the embedded sandbox."""
    audit_url: str = "sqlite+aiosqlite:///var/frontdesk-audit.sqlite3"
    """SQLAlchemy async URL of the audit trail."""
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
