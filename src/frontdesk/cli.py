"""`frontdesk …` commands: serve, chat, sandbox, audit, estimate, golive."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
import uvicorn
from rich.console import Console

from frontdesk.api import create_asgi
from frontdesk.audit import configure_logging, verify_database
from frontdesk.ehr import ConfigurationError
from frontdesk.runtime import Runtime
from frontdesk.settings import Settings
from frontdesk.voice._twilio import MAX_MESSAGE_CHARS

app = typer.Typer(
    help="frontdesk: the front-desk agent for medical practices.", no_args_is_help=True
)
sandbox_app = typer.Typer(help="The sandbox EHR (ModMed-style firms, Epic-style orgs) on its own.")
audit_app = typer.Typer(help="The audit trail.")
db_app = typer.Typer(help="The PostgreSQL database.")
keys_app = typer.Typer(help="Signing keys for Epic and other SMART Backend Services servers.")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(audit_app, name="audit")
app.add_typer(db_app, name="db")
console_app = typer.Typer(help="The web console at /console.")
app.add_typer(keys_app, name="keys")
app.add_typer(console_app, name="console")
console = Console()

ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="deployment YAML (default: the demo deployment)")
]


def _settings(config: Path | None) -> Settings:
    settings = Settings()
    if config is not None:
        settings = settings.model_copy(update={"config": config})
    return settings


async def _serve(settings: Settings, host: str, port: int) -> None:
    runtime = await Runtime.start(settings)
    Runtime.settle()
    try:
        server = uvicorn.Server(
            uvicorn.Config(
                create_asgi(runtime),
                host=host,
                port=port,
                log_config=None,
                ws_max_size=MAX_MESSAGE_CHARS * 4,  # a media-stream message, never megabytes
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
                timeout_keep_alive=KEEP_ALIVE_S,
            )
        )
        console.print(f"[bold]frontdesk[/] on http://{host}:{port}  (API docs: /docs)")
        console.print(f"  console: http://{host}:{port}/console", end="")
        if runtime.console.generated_token:
            console.print(
                f"  [dim](sign in with the token[/] {runtime.console.generated_token}[dim])[/]"
            )
        else:
            console.print("  [dim](the deployment's console accounts)[/]")
        for tenant in runtime.tenants:
            numbers = ", ".join(tenant.config.dialed_numbers)
            console.print(
                f"  {tenant.config.name}: dial {numbers}  [dim]({tenant.config.ehr.kind})[/]"
            )
        await server.serve()
    finally:
        await runtime.aclose()


#: On SIGTERM, turns in flight get this long to finish before the worker exits.
GRACEFUL_SHUTDOWN_S = 15
#: Idle keep-alive connections stay open this long: longer than a caller's pause between turns
#: and than a load balancer's idle timeout, so a reused connection is never closed under a turn.
KEEP_ALIVE_S = 75


@app.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8080,
    workers: Annotated[
        int, typer.Option(min=1, help="worker processes (more than one needs Redis)")
    ] = 1,
) -> None:
    """Run the agent (and, for the demo, the embedded sandbox EHR)."""
    settings = _settings(config)
    configure_logging(level=settings.log_level, json=settings.log_json)
    if workers > 1:
        _serve_workers(settings, host, port, workers)
        return
    try:
        asyncio.run(_serve(settings, host, port))
    except ConfigurationError as exc:
        console.print(f"[red]configuration error:[/] {exc}")
        raise typer.Exit(2) from None


def _serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """Several worker processes on one port; each builds its own runtime from the environment."""
    import os

    if not settings.redis_url:
        console.print("[red]--workers needs FRONTDESK_REDIS_URL[/]: calls must be shared")
        raise typer.Exit(2)
    if settings.sandbox:
        console.print(
            "[red]--workers needs FRONTDESK_SANDBOX=false[/]: each worker would embed its own "
            "sandbox EHR. Run `frontdesk sandbox` and serve `frontdesk sandbox deployment`."
        )
        raise typer.Exit(2)
    if settings.config is not None:
        os.environ["FRONTDESK_CONFIG"] = str(settings.config.resolve())
    console.print(f"[bold]frontdesk[/] on http://{host}:{port} with {workers} workers")
    uvicorn.run(
        "frontdesk.api:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        ws_max_size=MAX_MESSAGE_CHARS * 4,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        timeout_keep_alive=KEEP_ALIVE_S,
    )


class _Remote:
    """The chat's view of a running server."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = await self.client.post(path, json=body)
        return response.status_code, response.json()


async def _chat(url: str, to: str, caller: str | None, settings: Settings) -> int:
    runtime: Runtime | None = None
    try:
        client = httpx.AsyncClient(base_url=url, timeout=30)
        await client.get("/healthz")
    except httpx.TransportError:
        await client.aclose()
        console.print(f"[dim]No server at {url}; running the demo in this process.[/]")
        runtime = await Runtime.start(settings)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_asgi(runtime)), base_url="http://frontdesk"
        )
    try:
        remote = _Remote(client)
        status, body = await remote.post("/v1/calls", {"to": to, "from": caller, "channel": "text"})
        if status != 201:
            console.print(f"[red]{body['error']['message']}[/]")
            return 1
        call_id = body["call_id"]
        while True:
            for line in body["say"]:
                console.print(f"[bold cyan]agent:[/] {line}")
            if body.get("handoff"):
                handoff = body["handoff"]
                console.print(
                    f"[yellow]→ transferred to {handoff['target']} ({handoff['reason']})[/]"
                )
                console.print(f"[dim]  {handoff['summary']}[/]")
            if body["ended"]:
                break
            hint = f" [dim]({body['expecting']})[/]" if body.get("expecting") else ""
            try:
                text = await asyncio.to_thread(console.input, f"[bold green]you{hint}:[/] ")
            except (EOFError, KeyboardInterrupt):
                console.print()
                break
            status, body = await remote.post(f"/v1/calls/{call_id}/turns", {"text": text})
            if status != 200:
                console.print(f"[red]{body['error']['message']}[/]")
                return 1
        if runtime is None:
            console.print(f"[dim]the call's record: {url}/v1/calls/{call_id}[/]")
        return 0
    finally:
        await client.aclose()
        if runtime is not None:
            await runtime.aclose()


@app.command()
def chat(
    to: Annotated[str, typer.Option("--to", help="the practice's dialed number")],
    caller: Annotated[str | None, typer.Option("--from", help="your number (ANI)")] = None,
    url: Annotated[str, typer.Option(help="a running frontdesk")] = "http://127.0.0.1:8080",
    config: ConfigOption = None,
) -> None:
    """Call a practice from the terminal, in text."""
    settings = _settings(config)
    configure_logging(level="WARNING", json=False)
    raise typer.Exit(asyncio.run(_chat(url.rstrip("/"), to, caller, settings)))


async def _phone(
    url: str, to: str, caller: str, settings: Settings, *, speed: float, mic: bool
) -> int:
    from frontdesk.sandbox import TwilioCredentials
    from frontdesk.tenancy import read_deployment
    from frontdesk.voice import VoiceConfig, build_engines
    from frontdesk.voice._phone import Softphone, record_microphone
    from frontdesk.voice._speech import PiperConfig

    account = read_deployment(settings.config).phone.twilio
    if account is not None:
        sid, token = account.account_sid, account.auth_token.get_secret_value()
    else:  # the embedded sandbox's account, as the demo uses it
        credentials = TwilioCredentials.derive()
        sid, token = credentials.account_sid, credentials.auth_token
    server: uvicorn.Server | None = None
    serving: asyncio.Task[None] | None = None
    runtime: Runtime | None = None
    try:
        async with httpx.AsyncClient() as http:
            await http.get(f"{url}/healthz")
    except httpx.TransportError:
        console.print(f"[dim]No server at {url}; running the demo in this process.[/]")
        runtime = await Runtime.start(settings)
        server = uvicorn.Server(
            uvicorn.Config(create_asgi(runtime), host="127.0.0.1", port=0, log_config=None)
        )
        serving = asyncio.create_task(server.serve())
        while not server.started:  # noqa: ASYNC110  # uvicorn exposes a flag, not an event
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        url = f"http://127.0.0.1:{port}"
    console.print("[dim]Loading the caller's voice and ears…[/]")
    speech = await asyncio.to_thread(
        build_engines, VoiceConfig(tts=PiperConfig(deterministic=True))
    )
    phone = Softphone(
        url, auth_token=token, account_sid=sid, voice=speech.tts, ears=speech.stt, speed=speed
    )
    console.print(
        f"[dim]Calling {to}. Type what to say; '/keys 1234' presses keys; an empty line is "
        "silence; Ctrl-D hangs up.[/]"
    )
    try:
        heard = await phone.dial(to, caller)
        while True:
            console.print(f"[bold cyan]agent:[/] {heard.text or '(…)'}")
            if heard.ended:
                console.print("[yellow]→ the agent transferred or ended the call[/]")
                return 0
            try:
                prompt = (
                    "[bold green]you (speak, then pause):[/] " if mic else "[bold green]you:[/] "
                )
                text = await asyncio.to_thread(console.input, prompt)
            except (EOFError, KeyboardInterrupt):
                console.print()
                return 0
            if mic:
                heard = await phone.play(await record_microphone())
            elif text.startswith("/keys "):
                heard = await phone.press(text.removeprefix("/keys ").strip())
            elif not text.strip():
                heard = await phone.silence(3.0)
            else:
                heard = await phone.say(text)
    finally:
        await phone.hang_up()
        await speech.aclose()
        if server is not None and serving is not None:
            server.should_exit = True
            await serving
        if runtime is not None:
            await runtime.aclose()


@app.command()
def phone(
    to: Annotated[str, typer.Option("--to", help="the practice's dialed number")],
    caller: Annotated[str, typer.Option("--from", help="your number (ANI)")] = "+12025550147",
    url: Annotated[str, typer.Option(help="a running frontdesk")] = "http://127.0.0.1:8080",
    speed: Annotated[float, typer.Option(help="play faster than real time")] = 1.0,
    mic: Annotated[bool, typer.Option(help="speak into the microphone (sox `rec`)")] = False,
    config: ConfigOption = None,
) -> None:
    """Call a practice by phone from the terminal, over Twilio's media-stream protocol.

    Your lines are synthesized (or recorded with --mic) and streamed as Twilio streams a call;
    the agent's audio is transcribed back.
    """
    settings = _settings(config)
    configure_logging(level="WARNING", json=False)
    code = asyncio.run(_phone(url.rstrip("/"), to, caller, settings, speed=speed, mic=mic))
    raise typer.Exit(code)


@sandbox_app.callback(invoke_without_command=True)
def sandbox(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8090,
) -> None:
    """Run the sandbox EHR alone (ModMed-style firms and Epic-style orgs; no agent)."""
    if ctx.invoked_subcommand is not None:
        return
    from frontdesk.sandbox import create_sandbox

    configure_logging(level=Settings().log_level)
    sandbox = create_sandbox(anchor=Settings().sandbox_anchor)
    for firm in sandbox.firms:
        creds = sandbox.credentials(firm)
        console.print(
            f"firm {firm}: http://{host}:{port}{sandbox.modmed_base_path(firm)}  "
            f"[dim]api key {creds.api_key}, user {creds.username}[/]"
        )
    for org in sandbox.orgs:
        console.print(
            f"org {org}: http://{host}:{port}{sandbox.epic_base_path(org)}/api/FHIR/R4  "
            f"[dim]register a backend client's JWKS: PUT /sandbox/epic/{org}/clients/{{id}}[/]"
        )
    uvicorn.run(sandbox.app, host=host, port=port, log_config=None)


@sandbox_app.command("deployment")
def sandbox_deployment(
    url: Annotated[str, typer.Option(help="the sandbox running on its own")] = (
        "http://127.0.0.1:8090"
    ),
) -> None:
    """Print a deployment whose ModMed practices use a sandbox running on its own.

    Several workers serving it share one EHR: `frontdesk sandbox deployment > shared.yaml`.
    """
    from frontdesk.testing import remote_sandbox_yaml

    sys.stdout.write(remote_sandbox_yaml(url))


@sandbox_app.command("load")
def sandbox_load(
    file: Annotated[Path, typer.Argument(help="a FHIR R4 transaction or batch Bundle (JSON)")],
    org: Annotated[str, typer.Option("--org", help="the firm (or org) to load into")],
    url: Annotated[
        str, typer.Option(help="the running sandbox or frontdesk")
    ] = "http://127.0.0.1:8080",
) -> None:
    """Load a FHIR Bundle into a running sandbox's firm or org."""
    try:
        bundle = json.loads(file.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        console.print(f"[red]cannot read {file}: {exc}[/]")
        raise typer.Exit(2) from None
    try:
        response = httpx.post(f"{url.rstrip('/')}/sandbox/fhir/{org}", json=bundle, timeout=30)
    except httpx.TransportError as exc:
        console.print(f"[red]no sandbox at {url}: {exc}[/]")
        raise typer.Exit(1) from None
    console.print_json(response.text)
    raise typer.Exit(0 if response.is_success else 1)


@audit_app.command("verify")
def audit_verify(
    url: Annotated[str | None, typer.Option(help="audit database URL")] = None,
) -> None:
    """Check the audit trail's hash chain; report edited, deleted or reordered rows."""
    target = url or Settings().audit_url
    report = asyncio.run(verify_database(target))
    if report.ok:
        console.print(f"[green]audit chain intact[/]: {report.rows_checked} rows")
        return
    for problem in report.problems:
        console.print(f"[red]row {problem.seq}: {problem.kind}[/] — {problem.message}")
    console.print(f"[red]{len(report.problems)} problem(s)[/] in {report.rows_checked} rows")
    raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(
    url: Annotated[
        str | None, typer.Option(help="PostgreSQL URL (default: FRONTDESK_DATABASE_URL)")
    ] = None,
) -> None:
    """Migrate the database to the newest schema; idempotent. Run it as the database's owner.

    It creates the append-only audit trail and the `frontdesk_app` role workers connect as.
    """
    from sqlalchemy import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from frontdesk.migrations import upgrade

    target = url or Settings().database_url
    if not target:
        console.print("[red]no database: pass --url or set FRONTDESK_DATABASE_URL[/]")
        raise typer.Exit(2)
    shown = make_url(target).render_as_string(hide_password=True)
    try:
        asyncio.run(upgrade(target))
    except (OSError, SQLAlchemyError) as exc:
        console.print(f"[red]cannot upgrade {shown}: {exc}[/]")
        raise typer.Exit(1) from None
    console.print(f"[green]database up to date[/]: {shown}")


@console_app.command("hash-password")
def console_hash_password(
    password: Annotated[
        str,
        typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="the password"),
    ],
) -> None:
    """Hash an admin's password for the deployment file's `console.admins[].password_hash`."""
    from frontdesk.console import hash_password

    if len(password) < 12:
        console.print("[red]use at least 12 characters[/]")
        raise typer.Exit(2)
    console.print(hash_password(password), soft_wrap=True)


@keys_app.command("generate")
def keys_generate(
    out: Annotated[Path, typer.Option(help="where to write the new private key (PEM)")] = Path(
        "frontdesk-key.pem"
    ),
    jwks_out: Annotated[
        Path, typer.Option("--jwks", help="where to write the public JWK Set")
    ] = Path("jwks.json"),
    keep: Annotated[
        list[Path] | None,
        typer.Option(help="a previous private key to keep publishing while rotating (repeatable)"),
    ] = None,
    force: Annotated[bool, typer.Option(help="overwrite an existing key file")] = False,
) -> None:
    """Make an RS384 key pair and the JWKS to register with Epic (publish it at your JWKS URL)."""
    from frontdesk.auth import generate_key, jwks, key_id, load_private_key, private_pem

    if out.exists() and not force:
        console.print(f"[red]{out} exists[/]; pass --force to replace it (rotate with --keep)")
        raise typer.Exit(1)
    try:
        previous = [load_private_key(file=path).public_key() for path in keep or []]
    except ConfigurationError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    key = generate_key()
    out.write_bytes(private_pem(key))
    out.chmod(0o600)
    jwks_out.write_text(json.dumps(jwks([key.public_key(), *previous]), indent=2) + "\n")
    console.print(f"private key: {out} (kid {key_id(key.public_key())}); keep it secret")
    console.print(
        f"public JWKS: {jwks_out} ({1 + len(previous)} key(s)); publish it at your JWKS URL"
    )


Volume = Annotated[float, typer.Option(min=0, help="conversations per month")]


@app.command()
def estimate(
    platform: Annotated[str, typer.Option(help="the practice's EHR: epic or modmed")] = "epic",
    book: Volume = 0,
    reschedule: Volume = 0,
    cancel: Volume = 0,
    confirm: Volume = 0,
    refill: Volume = 0,
    new_patient: Volume = 0,
    completion: Annotated[
        float, typer.Option(min=0, max=1, help="share of conversations reaching the final write")
    ] = 0.8,
    multi_intent: Annotated[
        float, typer.Option(min=0, max=1, help="share of intents in an already-identified call")
    ] = 0.0,
    price: Annotated[
        list[str] | None,
        typer.Option(
            help="price per transaction: TIER=, PRICING= or OPERATION=AMOUNT (repeatable)"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of tables")] = False,
) -> None:
    """Estimate the EHR and payer transactions (and cost) a month of conversations generates."""
    from rich.table import Table

    from frontdesk.costs import Scenario, calls_per_conversation, parse_prices
    from frontdesk.costs import estimate as estimate_costs

    volumes = {
        "book": book,
        "reschedule": reschedule,
        "cancel": cancel,
        "confirm": confirm,
        "refill": refill,
        "new_patient": new_patient,
    }
    try:
        if platform not in ("epic", "modmed"):
            raise ValueError("platform must be one of epic, modmed")
        scenario = Scenario(
            platform="epic" if platform == "epic" else "modmed",
            conversations=volumes,
            completion=completion,
            multi_intent=multi_intent,
            prices=parse_prices(price or []),
        )
        result = estimate_costs(scenario)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result.as_json(), indent=2))
        return
    priced = result.cost is not None
    table = Table(title=f"Monthly transactions ({platform}); per-use in red")
    table.add_column("Operation", no_wrap=True)
    table.add_column("Tier")
    table.add_column("Pricing")
    table.add_column("Per conv.", justify="right")
    table.add_column("Monthly", justify="right")
    if priced:
        table.add_column("Cost", justify="right")
    for op in result.operations:
        if op.monthly == 0:
            continue  # a use case with no volume (still listed in --json)
        rate = calls_per_conversation(op.operation.calls)
        row = [op.operation.name, op.operation.tier, op.operation.pricing, f"{rate:g}×"]
        row.append(f"{op.monthly:,.0f}")
        if priced:
            row.append(f"{op.cost or 0:,.2f}")
        table.add_row(*row, style="red" if op.per_use else None)
    console.print(table)
    totals = Table(title="Totals per month")
    totals.add_column("")
    totals.add_column("Transactions", justify="right")
    for name, count in [*result.by_tier.items(), *result.by_pricing.items()]:
        totals.add_row(name, f"{count:,.0f}", style="red" if name == "Per-Use" else None)
    totals.add_row("Total", f"{result.total:,.0f}", style="bold")
    console.print(totals)
    if result.fixed:
        console.print(
            f"fixed (cached or per token, not per conversation): {', '.join(result.fixed)}"
        )
    if priced:
        console.print(f"[bold]monthly cost: {result.cost:,.2f}[/]")


@app.command()
def golive(
    tenant: Annotated[str, typer.Option("--tenant", help="the tenant id to review")],
    patient: Annotated[
        str | None, typer.Option(help="the designated test patient, 'Given Family'")
    ] = None,
    birth_date: Annotated[
        str | None, typer.Option("--birth-date", help="the test patient's birth date (YYYY-MM-DD)")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="report folder (default ./golive-<tenant>-<date>/)")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Go-live check: auth, minimum-necessary operations, every scheduling flow end to end."""
    import datetime as dt

    from rich.table import Table

    from frontdesk.golive import GoLiveReport, default_out, run_golive, write_report

    settings = _settings(config)
    configure_logging(level="WARNING", json=False)
    try:
        born = dt.date.fromisoformat(birth_date) if birth_date else None
    except ValueError:
        console.print(f"[red]--birth-date must be YYYY-MM-DD, not {birth_date!r}[/]")
        raise typer.Exit(2) from None

    async def run() -> GoLiveReport:
        runtime = await Runtime.start(settings)
        try:
            return await run_golive(runtime, tenant, patient=patient, birth_date=born)
        finally:
            await runtime.aclose()

    try:
        report = asyncio.run(run())
    except (ConfigurationError, LookupError, ValueError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    checks = Table(title=f"Go-live check: {report.tenant} ({report.platform})")
    checks.add_column("Check")
    checks.add_column("Result")
    checks.add_column("Latency", justify="right")
    checks.add_column("Detail")
    for check in report.checks:
        verdict = "[green]pass[/]" if check.ok else "[red]FAIL[/]"
        checks.add_row(check.name, verdict, f"{check.latency_ms:.1f} ms", check.detail)
    console.print(checks)
    ops = Table(title="Minimum-necessary operations to request")
    for column in ("Operation", "Tier", "Pricing", "Access", "Status", "Calls"):
        ops.add_column(column)
    for op in report.operations:
        style = "red" if op.status in ("missing", "failed") else None
        status = f"{op.status} ({op.note})" if op.note else op.status
        ops.add_row(op.name, op.tier, op.pricing, op.access, status, str(op.count), style=style)
    console.print(ops)
    cost = ", ".join(f"{n} {tier}" for tier, n in sorted(report.booking_cost.items()))
    console.print(f"one booking costs: {cost or 'no booking made'}")
    for line in report.missing:
        console.print(f"[bold red]MISSING[/] {line}")
    folder = out or default_out(report.tenant, report.at.date())
    json_path, html_path = write_report(report, folder)
    console.print(f"report: {json_path}, {html_path}")
    console.print("[bold green]all green[/]" if report.ok else "[bold red]not ready[/]")
    raise typer.Exit(0 if report.ok else 1)


def main() -> None:
    """Entry point of the `frontdesk` script."""
    sys.exit(app())
