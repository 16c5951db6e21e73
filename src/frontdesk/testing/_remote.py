"""A deployment whose ModMed practices live on a sandbox in its own process.

Several frontdesk workers must share one EHR for a scale-out test or demo: run
`frontdesk sandbox serve`, then serve this deployment from every worker. Firm credentials are
derived from the firm seeds exactly as the sandbox derives them, so nothing is exchanged.
"""

from __future__ import annotations

from typing import Any

import yaml

from frontdesk.sandbox._modmed import ModMedCredentials
from frontdesk.sandbox._modmed_wire import base_path
from frontdesk.sandbox._seed import DEMO_FIRMS
from frontdesk.tenancy import Deployment, demo_deployment


def remote_sandbox_deployment(url: str, *, deployment: Deployment | None = None) -> Deployment:
    """`deployment` (default: the demo) with its sandbox ModMed tenants reached over HTTP at `url`.

    Tenants on other sandbox vendors (Epic orgs trust a key registered in-process) are left out.
    """
    source = deployment or demo_deployment()
    seeds = {firm.name: firm for firm in DEMO_FIRMS}
    tenants: list[dict[str, Any]] = []
    for tenant in source.tenants:
        ehr = tenant.ehr
        if ehr.kind != "modmed" or ehr.sandbox is None or ehr.sandbox not in seeds:
            continue
        seed = seeds[ehr.sandbox]
        creds = ModMedCredentials.derive(seed.name, seed.seed)
        raw = tenant.model_dump(mode="json", exclude_none=True)
        raw["ehr"] = {
            "kind": "modmed",
            "base_url": url.rstrip("/") + base_path(seed.name),
            "api_key": creds.api_key,
            "username": creds.username,
            "password": creds.password,
            "timeout_s": ehr.timeout_s,
        }
        raw.pop("eligibility", None)
        tenants.append(raw)
    if not tenants:
        raise ValueError("the deployment has no ModMed tenant on the sandbox")
    return Deployment.model_validate(
        {**source.model_dump(mode="json", exclude_none=True), "tenants": tenants}
    )


def remote_sandbox_yaml(url: str) -> str:
    """`remote_sandbox_deployment(url)` as a deployment file.

    The sandbox's logins are written out: they are derived from public seeds, not secrets.
    """
    deployment = remote_sandbox_deployment(url)
    raw = deployment.model_dump(mode="json", exclude_none=True)
    for tenant, built in zip(raw["tenants"], deployment.tenants, strict=True):
        for secret in ("api_key", "password"):
            value = getattr(built.ehr, secret, None)
            if value is not None:
                tenant["ehr"][secret] = value.get_secret_value()
    return yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
