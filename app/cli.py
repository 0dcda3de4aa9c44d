"""`onepin-server`: the one console script for operators and scripts.

    onepin-server run [--port 8000]      web + workers + a private Redis, on embedded defaults
    onepin-server web | worker | migrate
    onepin-server create-user --email E --password P [--workspace NAME]
    onepin-server create-api-key --email E --workspace SLUG_OR_ID --scopes a,b|all
    onepin-server set-plan --email E --plan free|pro|custom
    onepin-server refresh-catalog [--locales en-us,de-de] [--queue]
"""
from __future__ import annotations

import sys

import click


def _app():
    from app import create_app
    return create_app()


@click.group(help=__doc__)
def main():
    pass


@main.command()
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--workers", "n_workers", default=2, show_default=True, type=int, help="RQ worker processes")
def run(port, host, n_workers):
    """Run everything: private Redis (if REDIS_URL is unset), migrations, gunicorn (gevent) and RQ workers."""
    from app.launcher import run_all
    sys.exit(run_all(host=host, port=port, n_workers=n_workers))


@main.command()
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--processes", default=2, show_default=True, type=int)
def web(port, host, processes):
    """Run the web server only (gunicorn, gevent workers)."""
    from app.launcher import exec_gunicorn
    exec_gunicorn(host, port, processes)


@main.command()
@click.option("--queues", default="engine,default,email", show_default=True)
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
def worker(queues, burst):
    """Run one RQ worker (needs REDIS_URL)."""
    from app.launcher import run_worker
    run_worker(queues.split(","), burst=burst)


@main.command()
def migrate():
    """Apply database migrations (flask db upgrade)."""
    from flask_migrate import upgrade
    app = _app()
    with app.app_context():
        upgrade()
    click.echo("database is up to date")


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--workspace", "workspace_name", default=None, help="Also create this workspace (owner, admin).")
@click.option("--plan", default=None, help="free | pro | custom")
def create_user(email, password, workspace_name, plan):
    """Create a user (and optionally a workspace they own)."""
    from app.errors import DomainError
    from app.extensions import db
    from app.services import accounts
    from app.services import workspaces as ws_svc
    app = _app()
    with app.app_context():
        try:
            user = accounts.sign_up({"email": email, "password": password}, plan=plan)
            if workspace_name:
                ws = ws_svc.create(user, {"name": workspace_name})
                user.current_workspace_id = ws.id
            db.session.commit()
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"created user {user.email} ({user.id})" + (f" with workspace {ws.slug} ({ws.id})" if workspace_name else ""))


@main.command("create-api-key")
@click.option("--email", required=True)
@click.option("--workspace", "workspace_ref", required=True, help="Workspace slug or id")
@click.option("--scopes", required=True, help="Comma-separated scopes, or 'all'")
@click.option("--name", default="CLI key")
def create_api_key(email, workspace_ref, scopes, name):
    """Mint an API key; prints only the key."""
    from sqlalchemy import or_, select

    from app.errors import DomainError
    from app.extensions import db
    from app.models import Membership, Workspace
    from app.services import accounts, api_keys
    app = _app()
    with app.app_context():
        user = accounts.find_by_email(email)
        if user is None:
            raise click.ClickException(f"no user {email}")
        ws = db.session.scalar(select(Workspace).where(or_(Workspace.id == workspace_ref, Workspace.slug_active == workspace_ref),
                                                       Workspace.deleted_at.is_(None)))
        m = ws and db.session.scalar(select(Membership).filter_by(workspace_id=ws.id, user_id=user.id))
        if not m:
            raise click.ClickException(f"{email} is not a member of workspace {workspace_ref}")
        try:
            _key, plaintext = api_keys.create(ws, m, user, {"name": name, "scopes": scopes})
            db.session.commit()
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(plaintext)


@main.command("set-plan")
@click.option("--email", required=True)
@click.option("--plan", required=True)
def set_plan(email, plan):
    """Assign a plan to a user (self-hosted: no billing)."""
    from app.errors import DomainError
    from app.extensions import db
    from app.services import accounts
    app = _app()
    with app.app_context():
        user = accounts.find_by_email(email)
        if user is None:
            raise click.ClickException(f"no user {email}")
        try:
            accounts.set_plan(user, plan)
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        db.session.commit()
        click.echo(f"{email} is now on the {plan} plan")


@main.command("refresh-catalog")
@click.option("--locales", default=None, help="Only these deployment locales, comma-separated (default: all).")
@click.option("--variants", default=None,
              help="Only these espeak-ng variants, comma-separated ('' for none; default: all).")
@click.option("--queue", "use_queue", is_flag=True, help="Queue the refresh job for a worker instead of running it here.")
@click.option("--no-render", is_flag=True, help="Update the voice rows only (no previews or voiceprints).")
def refresh_catalog(locales, variants, use_queue, no_render):
    """Check the speech engines installed here, rebuild the voice catalog from them (every espeak-ng voice
    and variant, every Piper voice, with previews and voiceprints), and upsert the starter templates.

    Previews and voiceprints already rendered for the same engine version are reused, so a refresh with
    nothing new takes seconds. Platform voices the engines no longer offer become inactive.
    """
    app = _app()
    with app.app_context():
        from app.services import voice_catalog
        from app.services.catalog import catalog
        from app.speech.tts import get_engine
        from app.workflows.locales import SUPPORTED_LOCALES
        from app.workflows.starters import ensure_starters
        cat = catalog()
        from app.services.provider_credentials import TTS_PROVIDERS
        for provider in cat.providers():
            try:
                if provider in TTS_PROVIDERS:
                    raise LookupError("cloud")
                engine = get_engine(provider)
                voices = len(engine.voices())
                status = f"{voices} voices, engine {engine.version}"
            except LookupError:
                status = "cloud provider: each workspace uses its own key (voices are imported when it is added)"
            except Exception as exc:  # noqa: BLE001 - report, keep going
                status = f"NOT AVAILABLE: {exc}"
            models = ", ".join(f"{m} ({len(cat.model_locales(provider, m))} locales)" for m in cat.models(provider))
            click.echo(f"{cat.provider_display_name(provider)} [{provider}]: {models}; {status}")
        wanted = tuple(x.strip().lower() for x in locales.split(",") if x.strip()) if locales else None
        bad = [x for x in wanted or () if x not in SUPPORTED_LOCALES]
        if bad:
            raise click.ClickException(f"unsupported locale(s) {', '.join(bad)}; use {', '.join(SUPPORTED_LOCALES)}")
        chosen = tuple(x.strip() for x in variants.split(",") if x.strip()) if variants is not None else None
        if use_queue:
            queued = voice_catalog.enqueue_refresh(wanted, chosen)
            click.echo("voice catalog: refresh queued" if queued else "voice catalog: a refresh is already queued")
        else:
            report = voice_catalog.refresh(locales=wanted, variants=chosen, render=not no_render, echo=click.echo)
            click.echo(report.summary())
        changed = ensure_starters()
        click.echo(f"starter templates: {changed} created or updated")


def register_flask_commands(app):
    """Nothing extra: `flask db ...` comes from Flask-Migrate."""


if __name__ == "__main__":
    main()
