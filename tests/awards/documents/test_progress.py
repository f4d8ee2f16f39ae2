"""A generated document records its progress, replaces its old file, and keeps it on failure."""

import pytest

from awards.documents.progress import Built, document_build, document_queue
from awards.models import GeneratedDocument


def test_progress_and_replacement(contest):
    seen = []

    def make(progress):
        for done in range(1, 4):
            progress(done, 3)
            seen.append(GeneratedDocument.objects.get(contest=contest, kind="list_pdf").done)
        return Built(b"%PDF-first", "pdf")

    first = document_build(contest=contest, kind="list_pdf", make=make)
    assert seen == [1, 2, 3]
    assert first.status == GeneratedDocument.Status.READY and first.size == 10
    old_name = first.file.name

    second = document_build(contest=contest, kind="list_pdf", make=lambda progress: Built(b"%PDF-2", "pdf"))
    assert second.pk == first.pk and second.file.read() == b"%PDF-2"
    assert not second.file.storage.exists(old_name)


def test_failure_keeps_the_previous_file(contest):
    document_build(contest=contest, kind="list_pdf", make=lambda progress: Built(b"%PDF-good", "pdf"))

    def broken(progress):
        raise ValueError("模板第 3 行有错误")

    with pytest.raises(ValueError):
        document_build(contest=contest, kind="list_pdf", make=broken)
    document = GeneratedDocument.objects.get(contest=contest, kind="list_pdf")
    assert document.status == GeneratedDocument.Status.FAILED
    assert document.error == "模板第 3 行有错误"
    assert document.file.read() == b"%PDF-good"


def test_queue_resets_a_finished_document(contest, organizer):
    document_build(contest=contest, kind="compendium", make=lambda progress: Built(b"x", "pdf"))
    queued = document_queue(contest=contest, kind="compendium", by=organizer)
    assert queued.status == GeneratedDocument.Status.QUEUED and queued.requested_by == organizer
    assert queued.file.read() == b"x"  # the old file stays downloadable until the new one is ready


def test_the_warnings_of_the_file_are_kept_with_it(contest):
    document = document_build(
        contest=contest,
        kind="compendium",
        make=lambda progress: Built(b"x", "pdf", warnings=("照片无法读取",)),
    )
    assert document.warnings == ["照片无法读取"]
