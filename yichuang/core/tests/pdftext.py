"""Read the text back out of a PDF the toolkit wrote, without trusting reportlab to do it.

`pdftotext` (poppler) is used when it is installed. Otherwise a small reader decodes the page
content streams and maps each shown string through its font's ToUnicode CMap, which is what a
PDF viewer does when a user copies text; it understands exactly the subset of PDF that
reportlab writes (Flate and ASCII85 streams, single-byte codes into font subsets).
"""

import base64
import re
import shutil
import subprocess
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.S)


def _a85(data: bytes) -> bytes:
    data = data.strip()
    if data.endswith(b"~>"):
        data = data[:-2]
    return base64.a85decode(data)


def _decode_stream(body: bytes) -> bytes:
    match = _STREAM.search(body)
    if not match:
        return b""
    data = match.group(1)
    for name in re.findall(rb"/(ASCII85Decode|FlateDecode)", body[: match.start()]):
        data = _a85(data) if name == b"ASCII85Decode" else zlib.decompress(data)
    return data


def _cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(dst, 16)
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def _literal(raw: bytes) -> bytes:
    """Undo the escapes of a PDF literal string."""
    out = bytearray()
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == 0x5C:  # backslash
            i += 1
            nxt = raw[i : i + 1]
            if nxt.isdigit():
                digits = re.match(rb"[0-7]{1,3}", raw[i : i + 3]).group(0)
                out.append(int(digits, 8))
                i += len(digits)
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(nxt, nxt)
        else:
            out.append(ch)
        i += 1
    return bytes(out)


def extract_text_without_poppler(pdf: bytes) -> str:
    objects = {int(n): body for n, body in _OBJECT.findall(pdf)}
    fonts: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        name = re.search(rb"/Name /(\S+)", body)
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", body)
        if name and to_unicode:
            fonts[name.group(1)] = _cmap(_decode_stream(objects[int(to_unicode.group(1))]))
    pages = []
    for body in objects.values():
        if b"/Type /Page" not in body or b"/Type /Pages" in body:
            continue
        contents = re.search(rb"/Contents (\d+) 0 R", body)
        stream = _decode_stream(objects[int(contents.group(1))])
        current: dict[int, str] = {}
        lines = []
        for token in re.finditer(rb"/(\S+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj|(T\*|Td|TD|Tm|ET)", stream, re.S):
            if token.group(1):
                current = fonts.get(token.group(1), {})
            elif token.group(2) is not None:
                lines.append("".join(current.get(b, chr(b)) for b in _literal(token.group(2))))
            else:
                lines.append("\n")
        pages.append(re.sub(r"\n{2,}", "\n", "".join(lines)))
    return "\n".join(pages)


def extract_text(pdf: bytes) -> str:
    """The text of a PDF, with `pdftotext` when available."""
    tool = shutil.which("pdftotext")
    if tool:
        result = subprocess.run([tool, "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
        return result.stdout.decode("utf-8")
    return extract_text_without_poppler(pdf)


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))
