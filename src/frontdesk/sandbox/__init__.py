"""The embedded sandbox EHR: vendor-shaped routes over seeded, synthetic clinics.

`create_sandbox()` returns a `Sandbox` whose `app` serves ModMed-style firms at
`/modmed/ema-dev/firm/{firm}/ema/…`, Epic-style orgs at `/epic/{org}/…` and a pVerify-style
eligibility service at `/pverify/…` (the real path suffixes, so a connector is pointed here or
at the vendor by base URL alone) and the no-auth inspection surface at `/sandbox/…`. Every
call builds a fresh clinic; data is deterministic per `FirmSeed.seed` / `OrgSeed.seed` and
anchor date (pVerify answers per member id: see `frontdesk.sandbox._pverify`).

This package imports nothing from the rest of frontdesk.
"""

from frontdesk.sandbox._app import Sandbox, create_sandbox, load_bundle
from frontdesk.sandbox._epic_catalog import DEMO_ORGS, OrgSeed
from frontdesk.sandbox._faults import FaultRule, FaultTable
from frontdesk.sandbox._log import RequestRecord
from frontdesk.sandbox._modmed import ModMedCredentials
from frontdesk.sandbox._people import FEATURED_PATIENTS, FeaturedPatient
from frontdesk.sandbox._pverify import PVerifyCredentials
from frontdesk.sandbox._seed import DEMO_FIRMS, FirmSeed
from frontdesk.sandbox._store import Space, SpaceInfo, Store
from frontdesk.sandbox._twilio import TwilioCredentials

__all__ = [
    "DEMO_FIRMS",
    "DEMO_ORGS",
    "FEATURED_PATIENTS",
    "FaultRule",
    "FaultTable",
    "FeaturedPatient",
    "FirmSeed",
    "ModMedCredentials",
    "OrgSeed",
    "PVerifyCredentials",
    "RequestRecord",
    "Sandbox",
    "Space",
    "SpaceInfo",
    "Store",
    "TwilioCredentials",
    "create_sandbox",
    "load_bundle",
]
