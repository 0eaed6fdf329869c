"""What an image may be (SEC105, `pipeline.image_files`): a picture, nothing that runs or
loads, no decompression bomb. The same verdict keeps an image out of the build, the PDF and
the preview server whatever the check's severities (test_paths, test_pdf_fetch)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pipeline.config import Limits
from pipeline.image_files import image_problem, svg_problem
from tests.conftest import ARTICLES
from tests.security.hostile import BOMB, png_claiming

SVG = 'xmlns="http://www.w3.org/2000/svg"'
XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"'

UNSAFE_SVG = {
    f"<svg {SVG} onload=\"alert(1)\"/>": "event handler",
    f"<svg {SVG}><script>alert(1)</script></svg>": "<script>",
    f"<svg {SVG}><foreignObject><iframe/></foreignObject></svg>": "<foreignobject>",
    f"<svg {SVG} {XLINK}><image xlink:href=\"file:///etc/passwd\"/></svg>": "another file",
    f"<svg {SVG}><image href=\"https://evil.example/p.png\"/></svg>": "another file",
    f"<svg {SVG}><a href=\"javascript:alert(1)\"><text>x</text></a></svg>": "another file",
    f"<svg {SVG}><use href=\"other.svg#icon\"/></svg>": "another file",
    f"<svg {SVG}><rect fill=\"url(https://evil.example/#g)\"/></svg>": "another file",
    f"<svg {SVG}><style>@import url(https://evil.example/x.css);</style></svg>": "style sheet",
    f"<svg {SVG}><rect style=\"background:url(//evil.example/x)\"/></svg>": "another file",
    f"<svg {SVG}><set attributeName=\"onmouseover\" to=\"alert(1)\"/></svg>": "animates",
    f"<svg {SVG}><animate attributeName=\"href\" values=\"javascript:alert(1)\"/></svg>":
        "animates",
    BOMB: "DOCTYPE",
    f'<?xml-stylesheet href="https://evil.example/x.css"?><svg {SVG}/>': "processing",
    "<html><script>alert(1)</script></html>": "not an SVG",
    "<svg><script>alert(1)</script></svg>": "not an SVG",  # no SVG namespace: not an image
    f"<svg {SVG}><unclosed></svg>": "well-formed",
    "not xml at all": "well-formed",
}

SAFE_SVG = [
    f"<svg {SVG} viewBox=\"0 0 10 10\"><rect width=\"10\" height=\"10\"/></svg>",
    f"<svg {SVG}><defs><linearGradient id=\"g\"/></defs><rect fill=\"url(#g)\"/>"
    f"<use href=\"#g\"/></svg>",
    f'<?xml version="1.0" encoding="UTF-8"?>\n<svg {SVG} role="img"><title>t</title></svg>',
    f"<svg {SVG}><style>rect {{ fill: #123456 }}</style></svg>",
]


@pytest.mark.parametrize(("svg", "reason"), list(UNSAFE_SVG.items()))
def test_an_unsafe_svg_is_refused(svg: str, reason: str) -> None:
    assert reason in svg_problem(svg.encode())


@pytest.mark.parametrize("svg", SAFE_SVG)
def test_a_plain_svg_is_accepted(svg: str) -> None:
    assert svg_problem(svg.encode()) == ""


def test_the_bundled_images_are_accepted() -> None:
    images = sorted((ARTICLES / "images").iterdir())
    assert images
    for image in images:
        assert image_problem(image, Limits()) == "", image


def raster(kind: str, size: tuple[int, int]) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size).save(buffer, kind)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "kind"), [("a.png", "PNG"), ("a.jpg", "JPEG"),
                                            ("a.gif", "GIF"), ("a.webp", "WEBP")])
def test_raster_images_are_measured_from_their_header(tmp_path: Path, name: str,
                                                      kind: str) -> None:
    path = tmp_path / name
    path.write_bytes(raster(kind, (300, 200)))
    assert image_problem(path, Limits()) == ""
    assert "300 by 200 pixels" in image_problem(path, Limits(max_image_pixels=59_999))


def test_a_decompression_bomb_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_claiming(100_000, 100_000))
    assert "100,000 by 100,000 pixels" in image_problem(path, Limits())


def test_a_file_that_lies_about_its_format_or_size(tmp_path: Path) -> None:
    fake = tmp_path / "photo.png"
    fake.write_text("<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>")
    assert image_problem(fake, Limits()) == "is not a PNG image"
    big = tmp_path / "big.svg"
    big.write_bytes(b"<svg " + b" " * 2_000 + b"/>")
    assert "the limit is 1,000" in image_problem(big, Limits(max_image_bytes=1_000))
    device = tmp_path / "zero.svg"
    device.symlink_to("/dev/zero")
    assert "cannot be read" in image_problem(device, Limits())
