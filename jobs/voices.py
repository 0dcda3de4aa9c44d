"""Voice catalog jobs: they carry ids and options only."""
from jobs import app_context


def refresh_catalog(locales=None, variants=None) -> str:
    with app_context():
        from app.services.voice_catalog import refresh
        report = refresh(locales=tuple(locales) if locales else None,
                         variants=tuple(variants) if variants is not None else None)
        return report.summary()


def render_workspace_voices(workspace_id: str, voice_ids: list) -> dict:
    with app_context():
        from app.services.voice_catalog import render_workspace_voices as render
        return render(workspace_id, voice_ids)
