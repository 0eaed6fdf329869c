"""What an image of the images folder may be: a picture, and nothing that runs or loads.

Images are published as files of the site and read by the PDF renderer. An SVG is XML that
a browser runs scripts in when the file is opened on its own (the image credits link to
it), and that can declare entities which expand without bound or reference other files; a
raster file can claim billions of pixels that a decoder then allocates. So an image is
refused (SEC105 in the check; left out of the build and the PDF whatever the severity) when:

- it is larger than `max_image_bytes`, or its content is not the format its name says;
- an SVG is not well-formed, declares a DOCTYPE or entities, holds a processing
  instruction, a `<script>`, `<foreignObject>` or other embedding element, an `on*`
  attribute, a reference to anything but a fragment of itself (`href`, `xlink:href`, CSS
  `url()`, `@import`), or animates an `href` or event attribute;
- a PNG, JPEG, GIF or WebP declares more than `max_image_pixels` pixels.
"""

from __future__ import annotations

import re
import struct
from functools import lru_cache
from pathlib import Path
from xml.parsers import expat

from pipeline.config import Config, Limits

# The image types articles may show: file suffix → (format name, media type). The check,
# the site, the preview and the print renderer all read this one table.
IMAGE_TYPES: dict[str, tuple[str, str]] = {
    ".svg": ("SVG", "image/svg+xml"), ".png": ("PNG", "image/png"),
    ".jpg": ("JPEG", "image/jpeg"), ".jpeg": ("JPEG", "image/jpeg"),
    ".gif": ("GIF", "image/gif"), ".webp": ("WebP", "image/webp"),
}
FORMATS = {suffix: name for suffix, (name, _) in IMAGE_TYPES.items()}
MEDIA_TYPES = {suffix: media for suffix, (_, media) in IMAGE_TYPES.items()}
_EMBEDDING = frozenset({"script", "foreignobject", "iframe", "embed", "object", "handler",
                        "listener", "audio", "video", "portal"})
_ANIMATION = frozenset({"animate", "set", "animatemotion", "animatetransform"})
_OUTSIDE_URL = re.compile(r"url\s*\(\s*['\"]?\s*(?!#)|@import|expression\s*\(|javascript:",
                          re.IGNORECASE)


def image_problem(path: Path, limits: Limits) -> str:
    """Why the image at `path` may not be published, "" when it may."""
    try:
        info = path.stat()
    except (OSError, ValueError) as error:
        return f"cannot be read ({error})"
    return _problem(str(path), info.st_mtime_ns, info.st_size, limits.max_image_bytes,
                    limits.max_image_pixels)


@lru_cache(maxsize=1024)
def _problem(path: str, mtime: int, size: int, max_bytes: int, max_pixels: int) -> str:
    from pipeline.load import read_regular_file

    if size > max_bytes:
        return f"is {size:,} bytes; the limit is {max_bytes:,}"
    try:
        data = read_regular_file(Path(path), max_bytes)
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if len(data) > max_bytes:
        return f"is larger than {max_bytes:,} bytes"
    kind = FORMATS.get(Path(path).suffix.lower())
    if kind is None:
        return "is not an SVG, PNG, JPEG, GIF or WebP file"
    if kind == "SVG":
        return svg_problem(data)
    size_of = {"PNG": _png_size, "JPEG": _jpeg_size, "GIF": _gif_size, "WebP": _webp_size}
    dimensions = size_of[kind](data)
    if dimensions is None:
        return f"is not a {kind} image"
    width, height = dimensions
    if width * height > max_pixels:
        return f"is {width:,} by {height:,} pixels; the limit is {max_pixels:,} pixels"
    return ""


class _Refused(Exception):
    """The SVG holds something it may not."""


def svg_problem(data: bytes) -> str:
    """Why an SVG may not be published, "" when it may (see the module docstring)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    elements: list[str] = []
    in_style: list[bool] = []

    def refuse(reason: str) -> None:
        raise _Refused(reason)

    def start(name: str, attributes: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1].lower()
        if not elements and name != "http://www.w3.org/2000/svg svg":
            refuse("is not an SVG image (its root element is not <svg>)")
        elements.append(local)
        in_style.append(local == "style")
        if local in _EMBEDDING:
            refuse(f"holds a <{local}> element")
        for key, value in attributes.items():
            attribute = key.rsplit(" ", 1)[-1].lower()
            if attribute.startswith("on"):
                refuse(f"has an event handler ({attribute}) on <{local}>")
            if attribute in ("href", "src") and not value.strip().startswith("#"):
                refuse(f"references another file ({attribute}={value[:60]!r})")
            if _OUTSIDE_URL.search(value):
                refuse(f"references another file in {attribute}={value[:60]!r}")
            if (local in _ANIMATION and attribute == "attributename"
                    and (value.strip().lower().endswith("href")
                         or value.strip().lower().startswith("on"))):
                refuse(f"animates the {value!r} attribute")

    def end(name: str) -> None:
        elements.pop()
        in_style.pop()

    def text(data: str) -> None:
        if in_style and in_style[-1] and _OUTSIDE_URL.search(data):
            refuse("has a style sheet that loads other files")

    parser.StartDoctypeDeclHandler = lambda *args: refuse(
        "declares a DOCTYPE (its entities can expand without bound)")
    parser.EntityDeclHandler = lambda *args: refuse("declares an entity")
    parser.ProcessingInstructionHandler = lambda target, data: refuse(
        f"holds a processing instruction (<?{target}>)")
    def external(*args: object) -> int:
        raise _Refused("references an external entity")

    parser.ExternalEntityRefHandler = external
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except _Refused as refused:
        return str(refused)
    except expat.ExpatError as error:
        return f"is not well-formed XML ({expat.ErrorString(error.code)}, line {error.lineno})"
    return ""


def _png_size(data: bytes) -> tuple[int, int] | None:
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _gif_size(data: bytes) -> tuple[int, int] | None:
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 10:
        return None
    width, height = struct.unpack("<HH", data[6:10])
    return int(width), int(height)


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """The frame size from the first SOF marker."""
    if not data.startswith(b"\xff\xd8"):
        return None
    index = 2
    while index + 9 <= len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            index += 2
            continue
        length = struct.unpack(">H", data[index + 2:index + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[index + 5:index + 9])
            return int(width), int(height)
        index += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP" or len(data) < 30:
        return None
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


# -- where the images the site publishes come from ----------------------------------------------


def images_folder(config: Config) -> Path | None:
    """The images folder, resolved; None when a symbolic link takes it out of the repository
    (SEC103): then no image is published or printed, whatever the check's severities."""
    try:
        folder = (config.articles / config.images_dir).resolve()
        folder.relative_to(config.root.resolve())
    except (OSError, ValueError, RuntimeError):
        return None
    return folder


def image_source(config: Config, target: str) -> Path | None:
    """The image file a reference names, only if it lies inside the images folder (itself
    inside the repository): what publish copies and the preview serves."""
    name = target.rsplit("/", 1)[-1]
    folder = images_folder(config)
    if folder is None or not name or name in (".", ".."):
        return None
    try:
        candidate = (folder / name).resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL in the name, a loop of links
        return None
    return candidate if candidate.parent == folder else None


def publishable_image(config: Config, target: str) -> Path | None:
    """The image file a reference names, if it may be published and served: inside the
    images folder, a file, and never one that can run or load something (SEC105), even when
    the check was told to let it through."""
    source = image_source(config, target)
    if source is None or not source.is_file() or image_problem(source, config.limits):
        return None
    return source
