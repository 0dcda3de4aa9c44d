"""All models, imported here so Alembic and the app see every table."""
from app.models.activity import ActivityEvent
from app.models.api_key import SCOPES, ApiKey
from app.models.base import iso, new_id, utcnow
from app.models.ledger import LedgerEntry, LedgerImmutable
from app.models.outbox import EmailOutbox
from app.models.run_state import TAKE_CLOSED, TAKE_OPEN, IdempotencyKey, Step, Take
from app.models.speech_data import DictionaryEntry, ProviderCredential, TranslationMemoryEntry
from app.models.template import Template, TemplateEstimate, TemplateFavorite
from app.models.upload import Upload
from app.models.user import User, UserSession
from app.models.voice import VOICE_SOURCES, Voice, VoiceFavorite
from app.models.workflow import ACTIVE, RUN_STATUSES, TERMINAL, Run, Workflow, WorkflowVersion
from app.models.workspace import ROLE_RANK, ROLES, Invite, Membership, Workspace, WorkspaceSettings

__all__ = [
    "ActivityEvent", "ApiKey", "SCOPES", "LedgerEntry", "LedgerImmutable", "EmailOutbox", "User",
    "UserSession", "Invite", "Membership", "Workspace", "WorkspaceSettings", "ROLES", "ROLE_RANK",
    "iso", "new_id", "utcnow", "Template", "TemplateEstimate", "TemplateFavorite", "Upload", "Run", "Workflow",
    "WorkflowVersion", "RUN_STATUSES", "TERMINAL", "ACTIVE", "Step", "Take", "IdempotencyKey", "TAKE_OPEN",
    "TAKE_CLOSED", "DictionaryEntry", "ProviderCredential", "TranslationMemoryEntry", "Voice", "VoiceFavorite",
    "VOICE_SOURCES",
]
