"""providers.*: the synthesis catalog of this deployment."""
from app.api import api_v1
from app.api.context import workspace
from app.api.envelope import ok, ok_list
from app.api.params import paging
from app.api.registry import endpoint
from app.services import catalog as cat_svc
from app.services import voices as voices_svc

T = "Providers"


@endpoint(api_v1, "/providers", sdk="providers.list_catalog_providers", scope="catalog:read", tag=T,
          response="list[CatalogProviderOut]")
def list_providers():
    """Every synthesis provider with its model count (never costs, credentials or base URLs); cloud
    providers only when the workspace has its own key for them."""
    ws, _m = workspace("catalog:read")
    rows = cat_svc.providers_out(ws.id)
    return ok_list(rows, limit=max(len(rows), 1), has_more=False)


@endpoint(api_v1, "/providers/<provider>", sdk="providers.get_catalog_provider", scope="catalog:read", tag=T,
          response="CatalogProviderOut")
def get_provider(provider):
    """One provider by slug."""
    ws, _m = workspace("catalog:read")
    return ok(cat_svc.provider_out(provider, cat_svc.catalog(ws.id)))


@endpoint(api_v1, "/providers/<provider>/models", sdk="providers.list_catalog_provider_models",
          scope="catalog:read", tag=T, response="list[CatalogModelOut]")
def list_models(provider):
    """Models of a provider with canonical controls and live voice counts."""
    ws, _m = workspace("catalog:read")
    rows = cat_svc.models_out(provider, ws.id)
    return ok_list(rows, limit=max(len(rows), 1), has_more=False)


@endpoint(api_v1, "/providers/<provider>/models/<model>", sdk="providers.get_catalog_provider_model",
          scope="catalog:read", tag=T, response="CatalogModelOut")
def get_model(provider, model):
    """One model."""
    ws, _m = workspace("catalog:read")
    return ok(cat_svc.model_out(provider, model, cat_svc.catalog(ws.id)))


@endpoint(api_v1, "/providers/<provider>/models/<model>/voices",
          sdk="providers.list_catalog_provider_model_voices", scope="catalog:read", tag=T,
          query={"offset": "int", "limit": "int"}, response="list[CatalogVoiceOut]")
def list_model_voices(provider, model):
    """Platform voices that declare support for the model (counted)."""
    ws, _m = workspace("catalog:read")
    cat_svc.model_out(provider, model, cat_svc.catalog(ws.id))
    offset, limit = paging()
    rows, total = voices_svc.catalog_voices(provider, model, offset, limit)
    return ok_list(rows, limit=limit, offset=offset, total=total)
