"""Run reads: summary, data (cards), overview, analysis, outputs, ZIP downloads and audio URLs."""
from flask import request

from app.api import api_v1
from app.api.context import workspace
from app.api.envelope import ok, ok_list
from app.api.params import aware_datetime, boolean, paging
from app.api.registry import endpoint
from app.services import exports
from app.services import run_data
from app.services import run_reports
from app.services import runs as runs_svc
from app.services import workflows as wf_svc

W = "Workflows"
SCOPE = "workflows:read"


def _workflow(workflow_id):
    ws, _m = workspace(SCOPE)
    return wf_svc.get(ws, workflow_id)


def _run(workflow_id, run_id):
    wf = _workflow(workflow_id)
    return wf, runs_svc.get(wf, run_id)


@endpoint(api_v1, "/workflows/<workflow_id>/runs/summary", sdk="workflows.runs_summary", scope=SCOPE, tag=W,
          query={"from": "datetime", "to": "datetime"}, response="RunsSummaryOut")
def runs_summary(workflow_id):
    """Per-status run counts, pass rate, average active duration and delivered audio (from/to: created_at)."""
    wf = _workflow(workflow_id)
    start, end = aware_datetime("from"), aware_datetime("to")
    return ok(run_reports.summary(wf, start, end))


@endpoint(api_v1, "/workflows/<workflow_id>/runs/<run_id>/data", sdk="workflows.get_run_data", scope=SCOPE, tag=W,
          query={"search": "str", "language": "str", "include_dropped": "bool", "offset": "int", "limit": "int"},
          response="WorkflowRunDataResponse")
def run_data_rows(workflow_id, run_id):
    """One row per script line with a card per language (audio, voice, validations); Cache-Control: no-store."""
    _wf, run = _run(workflow_id, run_id)
    offset, limit = paging()
    include_dropped = boolean("include_dropped", False)
    language = run_data.normalize_locale(request.args.get("language"))
    page, total = run_data.rows(run, search=request.args.get("search"), language=language,
                                include_dropped=include_dropped, offset=offset, limit=limit)
    return ok_list(page, limit=limit, offset=offset, total=total, extra_data=run_data.data_out(run, page),
                   headers={"Cache-Control": "no-store"})


@endpoint(api_v1, "/workflows/<workflow_id>/runs/<run_id>/overview", sdk="workflows.get_run_overview", scope=SCOPE,
          tag=W, response="WorkflowRunOverviewOut")
def run_overview(workflow_id, run_id):
    """Dashboard of one run: metrics, audio per language, validators, node states of the snapshot."""
    wf, run = _run(workflow_id, run_id)
    return ok(run_reports.overview(wf, run))


@endpoint(api_v1, "/workflows/<workflow_id>/runs/<run_id>/analysis", sdk="workflows.get_run_analysis", scope=SCOPE,
          tag=W, response="WorkflowRunAnalysisOut")
def run_analysis(workflow_id, run_id):
    """Audio per locale, validators per node and the per-node credit ledger (decimal strings)."""
    wf, run = _run(workflow_id, run_id)
    return ok(run_reports.analysis(wf, run))


@endpoint(api_v1, "/workflows/<workflow_id>/runs/<run_id>/outputs", sdk="workflows.get_run_outputs", scope=SCOPE,
          tag=W, response="WorkflowRunOutputsOut")
def run_outputs(workflow_id, run_id):
    """One output per sink node of the snapshot, in graph order, with its delivered lines."""
    wf, run = _run(workflow_id, run_id)
    return ok(run_reports.outputs(wf, run))


@endpoint(api_v1, "/workflows/<workflow_id>/runs/<run_id>/download", sdk="workflows.download_run", scope=SCOPE,
          tag=W, response="DownloadUrlOut")
def download_run(workflow_id, run_id):
    """Signed 15-minute URL to a ZIP of every delivered audio (built once); 409 unless completed."""
    wf, run = _run(workflow_id, run_id)
    return ok(exports.download_run(wf, run))


@endpoint(api_v1, "/workflows/<workflow_id>/runs/<run_id>/nodes/<node_id>/download",
          sdk="workflows.download_run_node", scope=SCOPE, tag=W, response="DownloadUrlOut")
def download_run_node(workflow_id, run_id, node_id):
    """Like the run download, for one output (sink) node; other node ids are 404."""
    wf, run = _run(workflow_id, run_id)
    return ok(exports.download_node(wf, run, node_id))


@endpoint(api_v1, "/workflows/<workflow_id>/runs/<run_id>/audio/<audio_id>/url", sdk="workflows.get_run_audio_url",
          scope=SCOPE, tag=W, response="DownloadUrlOut")
def run_audio_url(workflow_id, run_id, audio_id):
    """A fresh 15-minute URL for one stored audio of the run (16-hex id from the run-data card)."""
    _wf, run = _run(workflow_id, run_id)
    return ok(exports.audio_url(run, audio_id))
