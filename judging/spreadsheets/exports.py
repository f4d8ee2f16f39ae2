"""Exports: which table an export is, its file name, and the background job.

Large exports run in the background: ``export_request`` stores an ``ExportJob`` and enqueues
``judging.spreadsheets.tasks.run_export``, which calls ``export_run`` (progress 0–100 as rows
are written)."""

import logging
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.storage import random_file_name
from competition.models import Contest
from judging.errors import JudgingError
from judging.models import ExportJob, Round
from judging.spreadsheets.tables import ENTRIES, EXPORTS, Table, entries_table
from judging.spreadsheets.writers import write

logger = logging.getLogger(__name__)


CONTENT_TYPES = {
    ExportJob.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportJob.Format.CSV: "text/csv; charset=utf-8",
}


def scope_round(kind: str, round: Round | None) -> Round | None:
    """The round an export of this kind goes by: round exports and the entries of a round;
    the contest's shortlist and objections go by no round."""
    if EXPORTS[kind].per_round or kind == ENTRIES:
        return round
    return None


def build(kind: str, *, contest: Contest, round: Round | None) -> Table:
    """The table of one export."""
    export = EXPORTS[kind]
    if export.per_round:
        if round is None:
            raise JudgingError(_("请选择评审轮次。"))
        return export.builder(round=round)
    if kind == ENTRIES:
        return entries_table(contest=contest, round=round)
    return export.builder(contest=contest)


def file_name(kind: str, *, contest: Contest, round: Round | None, format: str) -> str:
    """The name the file is offered under, e.g. 成绩排名-初评.xlsx."""
    label = EXPORTS[kind].label
    scope = round.name if round is not None else contest.title
    name = f"{label}-{scope}"
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name)[:120] + f".{format}"


def write_round_exports(*, round: Round, folder: Path, format: str = ExportJob.Format.XLSX) -> list[Path]:
    """Every export of a round (and of its contest) written into ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    contest = round.contest
    paths = []
    for kind in EXPORTS:
        table = build(kind, contest=contest, round=round)
        path = folder / file_name(kind, contest=contest, round=scope_round(kind, round), format=format)
        with path.open("wb") as out:
            write(table, out, format=format, title=EXPORTS[kind].label)
        paths.append(path)
    return paths


def export_request(*, kind: str, format: str, by, contest: Contest | None = None, round: Round | None = None):
    """Store an export job and queue it (``judging.spreadsheets.tasks.run_export``)."""
    if kind not in EXPORTS:
        raise JudgingError(_("未知的导出内容。"))
    if format not in ExportJob.Format.values:
        raise JudgingError(_("未知的文件格式。"))
    if round is not None:
        contest = round.contest
    if EXPORTS[kind].per_round and round is None:
        raise JudgingError(_("请选择评审轮次。"))
    if contest is None:
        raise JudgingError(_("请选择大赛或评审轮次。"))
    round = scope_round(kind, round)
    job = ExportJob.objects.create(kind=kind, format=format, contest=contest, round=round, requested_by=by)
    from judging.spreadsheets.tasks import run_export

    transaction.on_commit(lambda: run_export.enqueue(job.pk))
    return job


def export_run(*, job: ExportJob) -> ExportJob:
    """Build the job's table and write its file, reporting progress; a failure is recorded
    on the job (with a message in words), never raised into the worker."""
    if job.status not in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING):
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, progress=0)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            table = build(job.kind, contest=job.contest, round=job.round)
            reported = [0]

            def progress(rows: int) -> None:
                percent = min(99, int(100 * rows / table.size)) if table.size else 99
                if percent > reported[0]:
                    reported[0] = percent
                    ExportJob.objects.filter(pk=job.pk).update(progress=percent)

            with tempfile.TemporaryFile() as out:
                written = write(
                    table, out, format=job.format, title=EXPORTS[job.kind].label, progress=progress
                )
                out.seek(0)
                name = random_file_name("exports", job.format)
                job.file.save(name, File(out, name=name), save=False)
            message = _("共 %(count)s 行。") % {"count": written}
    except Exception:
        logger.exception("export %s failed", job.pk)
        job.status = ExportJob.Status.FAILED
        job.message = _("导出失败，请稍后重试；如仍失败，请联系技术支持。")
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        return job
    job.status = ExportJob.Status.DONE
    job.progress = 100
    job.message = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "progress", "message", "file", "finished_at"])
    return job


def exports_for_listing():
    """The export jobs, newest first, with what the listing shows (one query per page)."""
    return ExportJob.objects.select_related("contest", "round", "requested_by")
