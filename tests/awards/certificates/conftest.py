"""A finalized contest: three featured projects (ranks 1-3) and three submitted entries that
were not featured, each entry its own team's."""

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from awards.models import DocumentSettings
from awards.outcomes.services import shortlist_finalize
from tests.awards.factories import START


@pytest.fixture
def finalized(in_notice, organizer):
    shortlist, entries = in_notice
    featured = shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=6))
    return shortlist.contest, featured, entries


def enable_thank_you(contest):
    DocumentSettings.objects.update_or_create(contest=contest, defaults={"thank_you_letters": True})


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_fonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def decoded_qr_codes(path: Path, tmp_path: Path, *, page: int = 1) -> list[str]:
    """The QR codes on a page of the PDF, rasterised at 150 dpi as a printer would see it."""
    prefix = tmp_path / f"page-{page}"
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", str(page), "-l", str(page), str(path), str(prefix)],
        check=True,
    )
    (image,) = tmp_path.glob(f"page-{page}*.png")
    return [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(image))]
