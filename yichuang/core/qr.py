"""QR codes for pages and paper: one matrix, drawn as SVG for the web and as vectors in PDFs.

Drawing the modules ourselves (instead of embedding a bitmap) keeps printed codes sharp at any
size and lets the web page inline the code without a second request.
"""

from base64 import b64encode
from io import BytesIO

import qrcode
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from qrcode.constants import ERROR_CORRECT_M

# The quiet zone a scanner needs around the code, in modules (ISO/IEC 18004 asks for 4).
QUIET_ZONE = 4


def qr_matrix(data: str) -> list[list[bool]]:
    """The dark/light modules of the smallest code that holds `data`, without the quiet zone.

    Level M survives a crease or a coffee stain on a printed checklist without making the code
    much denser than level L.
    """
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def qr_svg(data: str, *, size: int = 160, label: str = "") -> SafeString:
    """An inline `<svg>` of the code: one path, crisp edges, scalable by CSS."""
    matrix = qr_matrix(data)
    total = len(matrix) + 2 * QUIET_ZONE
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start + QUIET_ZONE} {y + QUIET_ZONE}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    title = f"<title>{escape(label)}</title>" if label else ""
    return mark_safe(  # noqa: S308 - every interpolated value is a number or escaped text
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 {total} {total}" '
        f'width="{size}" height="{size}" role="img" aria-label="{escape(label)}" shape-rendering="crispEdges">'
        f'{title}<rect width="{total}" height="{total}" fill="#fff"/>'
        f'<path d="{"".join(runs)}" fill="#000"/></svg>'
    )


def qr_png(data: str, *, box_size: int = 8) -> bytes:
    """A PNG of the code with its quiet zone, for places that cannot take SVG."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, box_size=box_size)
    code.add_data(data)
    code.make(fit=True)
    buffer = BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_png_data_uri(data: str, *, box_size: int = 8) -> str:
    return "data:image/png;base64," + b64encode(qr_png(data, box_size=box_size)).decode("ascii")
