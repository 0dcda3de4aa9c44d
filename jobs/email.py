"""Email delivery job."""
from jobs import app_context


def deliver(outbox_id: str) -> str:
    with app_context():
        from app.services import outbox
        return outbox.deliver(outbox_id)
