"""Tenants: the deployment file, validated at boot, and the services built from it."""

from frontdesk.tenancy._config import (
    Deployment,
    EhrConfig,
    EpicEhr,
    Escalation,
    FhirEhr,
    ModMedEhr,
    ProviderConfig,
    TenantConfig,
    Variant,
    VisitTypeConfig,
    e164,
    load_deployment,
    parse_deployment,
)
from frontdesk.tenancy._registry import (
    EMBEDDED_SANDBOX,
    TenantRegistry,
    TenantServices,
    TransportFactory,
    build_registry,
    demo_deployment,
    read_deployment,
)

__all__ = [
    "EMBEDDED_SANDBOX",
    "Deployment",
    "EhrConfig",
    "EpicEhr",
    "Escalation",
    "FhirEhr",
    "ModMedEhr",
    "ProviderConfig",
    "TenantConfig",
    "TenantRegistry",
    "TenantServices",
    "TransportFactory",
    "Variant",
    "VisitTypeConfig",
    "build_registry",
    "demo_deployment",
    "e164",
    "load_deployment",
    "parse_deployment",
    "read_deployment",
]
