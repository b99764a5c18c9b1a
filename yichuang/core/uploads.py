"""Uploaded files are judged by what they contain, never by their name or the browser's word.

A file is accepted when its bytes are a PDF, a JPEG, a PNG or an OFD document (the national
fixed-layout format: a ZIP package whose root holds OFD.xml), within the size limit, and when
the extension it was given agrees with what it really is. A renamed file is refused with a
message that says what it actually is, so the applicant or clerk knows what to do.

The stored name is always random (`stored_name`); the name the user gave is kept only for
display.
"""

import io
import os
import re
import unicodedata
import uuid
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .crypto import sm3_hex

KINDS: dict[str, dict[str, object]] = {
    "pdf": {"label": "PDF", "content_type": "application/pdf", "extension": "pdf", "names": ("pdf",)},
    "jpeg": {"label": "JPEG", "content_type": "image/jpeg", "extension": "jpg", "names": ("jpg", "jpeg", "jpe", "jfif")},
    "png": {"label": "PNG", "content_type": "image/png", "extension": "png", "names": ("png",)},
    "ofd": {"label": "OFD", "content_type": "application/ofd", "extension": "ofd", "names": ("ofd",)},
}
DEFAULT_ALLOWED = ("pdf", "jpeg", "png", "ofd")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A PDF ends with %%EOF; a few writers append junk after it, so look near the end, not at it.
PDF_TAIL = 2048
# Images larger than this many pixels are refused before they are decoded (decompression bombs).
MAX_IMAGE_PIXELS = 120_000_000
_OFD_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?OFD[\s/>]")


class UploadRejected(ValidationError):
    """The file is not accepted; the message says why and what is allowed."""


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # a key of KINDS
    content_type: str
    size: int
    sm3: str
    original_name: str = ""

    @property
    def extension(self) -> str:
        return str(KINDS[self.kind]["extension"])

    @property
    def label(self) -> str:
        return str(KINDS[self.kind]["label"])

    def stored_name(self) -> str:
        """A fresh random name with the extension that matches the content."""
        return f"{uuid.uuid4().hex}.{self.extension}"


def allowed_description(allowed: Iterable[str], max_bytes: int) -> str:
    """「只接受 PDF、JPEG、PNG、OFD 格式的文件，单个文件不超过 20 MB。」"""
    labels = "、".join(str(KINDS[k]["label"]) for k in allowed)
    return _("只接受 %(kinds)s 格式的文件，单个文件不超过 %(size)s。") % {"kinds": labels, "size": human_size(max_bytes)}


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        return f"{value:.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} 字节"


def clean_original_name(name: str | None) -> str:
    """The user's file name for display: no directories, no control characters, at most 200 characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 200 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else base[:200]
    return base or _("未命名文件")


def _extension(name: str) -> str:
    _stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and _stem else ""


def _kind_for_extension(ext: str) -> str | None:
    for kind, spec in KINDS.items():
        if ext in spec["names"]:
            return kind
    return None


def _is_ofd(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            if "OFD.xml" not in names:
                return False
            # Only the head of the entry file is read: a hostile package cannot make us inflate it all.
            with package.open("OFD.xml") as entry:
                head = entry.read(4096)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return False
    return bool(_OFD_ROOT.search(head))


def _zip_label(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return _("ZIP 压缩包（已损坏）")
    if "word/document.xml" in names:
        return _("Word 文档（.docx）")
    if "xl/workbook.xml" in names:
        return _("Excel 表格（.xlsx）")
    if "ppt/presentation.xml" in names:
        return _("PowerPoint 演示文稿（.pptx）")
    if any(n.lower() == "ofd.xml" for n in names):
        return _("不完整的 OFD 文件（缺少根目录下的 OFD.xml）")
    return _("ZIP 压缩包")


def sniff(data: bytes) -> tuple[str | None, str]:
    """(kind, description): kind is a key of KINDS when the content is one we accept, else None."""
    if data.startswith(b"%PDF-"):
        return "pdf", "PDF"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg", _("JPEG 图片")
    if data.startswith(PNG_SIGNATURE):
        return "png", _("PNG 图片")
    if data.startswith(b"PK\x03\x04"):
        if _is_ofd(data):
            return "ofd", "OFD"
        return None, _zip_label(data)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return None, _("GIF 图片")
    if data.startswith(b"BM"):
        return None, _("BMP 图片")
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return None, _("TIFF 图片")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return None, _("WebP 图片")
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return None, _("HEIC 图片（苹果手机照片）")
    if data[4:8] == b"ftyp":
        return None, _("视频文件")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return None, _("旧版 Office 文档（.doc / .xls）")
    if data.startswith(b"Rar!"):
        return None, _("RAR 压缩包")
    if data.startswith(b"7z\xbc\xaf\x27\x1c"):
        return None, _("7z 压缩包")
    if data.startswith(b"MZ") or data.startswith(b"\x7fELF"):
        return None, _("可执行程序")
    head = data[:512].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<svg", b"<?xml")):
        return None, _("网页或 XML 文件")
    if _looks_like_text(data[:4096]):
        return None, _("文本文件")
    return None, _("无法识别的文件")


def _looks_like_text(sample: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        printable = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
        return printable >= 0.95 * max(len(text), 1)
    return False


def _verify_image(data: bytes, kind: str) -> str | None:
    """A problem with the image, or None. Pillow checks the structure without decoding every pixel."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    return _("图片尺寸过大（%(w)d×%(h)d 像素），请缩小后再上传。") % {"w": image.width, "h": image.height}
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _("图片尺寸过大，请缩小后再上传。")
    except Exception:  # any decoder error means a broken image
        return _("图片已损坏或不完整，请重新拍照或扫描后上传。")
    return None


def _read_limited(file, max_bytes: int) -> bytes | None:
    """All the bytes, or None once more than `max_bytes` arrive (the rest is never read)."""
    if hasattr(file, "seek"):
        file.seek(0)
    chunks = []
    total = 0
    reader = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(64 * 1024), b"")
    for chunk in reader:
        total += len(chunk)
        if total > max_bytes:
            return None
        chunks.append(chunk)
    if hasattr(file, "seek"):
        file.seek(0)
    return b"".join(chunks)


def check_upload(
    file,
    *,
    allowed: Iterable[str] = DEFAULT_ALLOWED,
    max_bytes: int | None = None,
) -> CheckedFile:
    """Judge an uploaded file by its content; raise UploadRejected with a Chinese message if refused.

    `file` is a Django UploadedFile (or any object with `name` and `read`/`chunks`).
    """
    allowed = tuple(allowed)
    unknown = [k for k in allowed if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown upload kinds: {unknown}")
    if max_bytes is None:
        max_bytes = settings.YICHUANG_UPLOAD_MAX_BYTES
    name = clean_original_name(getattr(file, "name", ""))
    rule = allowed_description(allowed, max_bytes)

    declared = getattr(file, "size", None)
    if declared is not None and declared > max_bytes:
        raise UploadRejected(
            _("文件「%(n)s」有 %(s)s，超过了 %(max)s 的上限。%(rule)s")
            % {"n": name, "s": human_size(declared), "max": human_size(max_bytes), "rule": rule},
            code="too_large",
        )
    data = _read_limited(file, max_bytes)
    if data is None:
        raise UploadRejected(
            _("文件「%(n)s」超过了 %(max)s 的上限。%(rule)s") % {"n": name, "max": human_size(max_bytes), "rule": rule},
            code="too_large",
        )
    if not data:
        raise UploadRejected(_("文件「%(n)s」是空文件（0 字节），请重新选择。") % {"n": name}, code="empty")

    kind, description = sniff(data)
    if kind is None:
        raise UploadRejected(
            _("文件「%(n)s」实际是%(what)s，不能上传。%(rule)s") % {"n": name, "what": description, "rule": rule},
            code="type",
        )
    if kind not in allowed:
        raise UploadRejected(
            _("文件「%(n)s」是 %(what)s 文件，此处不接受。%(rule)s")
            % {"n": name, "what": KINDS[kind]["label"], "rule": rule},
            code="type",
        )
    ext = _extension(name)
    if ext:
        named_kind = _kind_for_extension(ext)
        if named_kind != kind:
            raise UploadRejected(
                _("文件「%(n)s」的扩展名是 .%(ext)s，但内容实际是 %(what)s 文件。请以 .%(right)s 扩展名上传，"
                  "或另存为正确的格式后再上传。")
                % {"n": name, "ext": ext, "what": KINDS[kind]["label"], "right": KINDS[kind]["extension"]},
                code="mismatch",
            )
    if kind == "pdf" and b"%%EOF" not in data[-PDF_TAIL:]:
        raise UploadRejected(
            _("PDF 文件「%(n)s」不完整（可能上传中断或文件已损坏），请重新导出后上传。") % {"n": name}, code="broken"
        )
    if kind in ("jpeg", "png"):
        problem = _verify_image(data, kind)
        if problem:
            raise UploadRejected(_("文件「%(n)s」：%(p)s") % {"n": name, "p": problem}, code="broken")
    return CheckedFile(
        kind=kind, content_type=str(KINDS[kind]["content_type"]), size=len(data), sm3=sm3_hex(data),
        original_name=name,
    )
