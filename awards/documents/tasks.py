"""Background work of the documents (thin: ids in, fetch, delegate to ``document_build``)."""

import logging

from django.tasks import task

logger = logging.getLogger(__name__)


@task
def build_document(contest_id: int, kind: str) -> str:
    """Generate one document; its progress, file or failure is on its GeneratedDocument. A
    failure is recorded there and not retried: a broken template fails the same way again."""
    from awards.documents.kinds import KINDS
    from awards.documents.progress import document_build
    from competition.selectors import contest_by_id

    contest = contest_by_id(contest_id)
    document_kind = KINDS.get(kind)
    if contest is None or document_kind is None:
        logger.info("document %s of contest %s: nothing to build", kind, contest_id)
        return "gone"
    try:
        document_build(
            contest=contest, kind=kind, make=lambda progress: document_kind.build(contest, progress)
        )
    except Exception:
        logger.exception("document %s of contest %s failed", kind, contest_id)
        return "failed"
    return "ready"
