"""Uploads are judged by content, stored under random names and served only within scope."""

import io
import re
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yichuang.cases import services
from yichuang.cases.errors import CaseActionError, CasePermissionDenied
from yichuang.cases.models import CaseEvent, CaseFile
from yichuang.cases.uploads import case_file_add
from yichuang.core.crypto import sm3_hex
from yichuang.core.models import AuditEntry
from yichuang.core.uploads import UploadRejected, check_upload, clean_original_name

from .conftest import at, material_ids

# --- real tiny samples, made here ----------------------------------------------------------------


def pdf_bytes() -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "Application form")
    canvas.save()
    return buffer.getvalue()


def image_bytes(fmt: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), (29, 79, 145)).save(buffer, format=fmt)
    return buffer.getvalue()


def ofd_bytes(*, with_entry: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        if with_entry:
            package.writestr("OFD.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
                             '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD">'
                             "<ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
        package.writestr("Doc_0/Document.xml", '<?xml version="1.0"?><ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"/>')
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- check_upload ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "make", "kind", "content_type"), [
    ("申请书.pdf", pdf_bytes, "pdf", "application/pdf"),
    ("平面图.png", lambda: image_bytes("PNG"), "png", "image/png"),
    ("营业执照.jpg", lambda: image_bytes("JPEG"), "jpeg", "image/jpeg"),
    ("照片.JPEG", lambda: image_bytes("JPEG"), "jpeg", "image/jpeg"),
    ("电子证照.ofd", ofd_bytes, "ofd", "application/ofd"),
])
def test_real_pdf_png_jpeg_and_ofd_files_are_accepted(name, make, kind, content_type):
    data = make()
    checked = check_upload(upload(name, data))
    assert checked.kind == kind
    assert checked.content_type == content_type
    assert checked.size == len(data)
    assert checked.sm3 == sm3_hex(data)
    assert checked.original_name == name


def test_the_browsers_content_type_is_ignored():
    checked = check_upload(upload("平面图.png", image_bytes("PNG"), content_type="application/pdf"))
    assert checked.kind == "png" and checked.content_type == "image/png"


def test_a_text_file_renamed_to_pdf_is_refused_and_told_what_it_is():
    with pytest.raises(UploadRejected) as err:
        check_upload(upload("营业执照.pdf", "这是一个文本文件，不是 PDF。".encode(), "application/pdf"))
    message = err.value.messages[0]
    assert "文本文件" in message
    assert "只接受 PDF、JPEG、PNG、OFD 格式的文件" in message


def test_an_image_named_pdf_is_refused_with_what_it_really_is():
    with pytest.raises(UploadRejected) as err:
        check_upload(upload("申请书.pdf", image_bytes("PNG")))
    assert err.value.code == "mismatch"
    assert "扩展名是 .pdf" in err.value.messages[0] and "实际是 PNG" in err.value.messages[0]


def test_an_oversize_file_is_refused_with_the_limit():
    with pytest.raises(UploadRejected) as err:
        check_upload(upload("大文件.pdf", pdf_bytes() + b"\n" * 4096), max_bytes=2048)
    assert err.value.code == "too_large"
    assert "超过了 2 KB 的上限" in err.value.messages[0]


def test_the_size_limit_comes_from_the_settings(settings):
    settings.YICHUANG_UPLOAD_MAX_BYTES = 100
    with pytest.raises(UploadRejected) as err:
        check_upload(upload("平面图.png", image_bytes("PNG") + b"\0" * 200))
    assert err.value.code == "too_large"


def test_an_empty_file_is_refused():
    with pytest.raises(UploadRejected) as err:
        check_upload(upload("空.pdf", b""))
    assert err.value.code == "empty" and "空文件" in err.value.messages[0]


def test_a_word_document_named_ofd_is_refused():
    with pytest.raises(UploadRejected) as err:
        check_upload(upload("证照.ofd", docx_bytes()))
    assert "Word 文档" in err.value.messages[0]


def test_a_zip_without_ofd_xml_at_its_root_is_not_ofd():
    with pytest.raises(UploadRejected):
        check_upload(upload("证照.ofd", ofd_bytes(with_entry=False)))


def test_a_truncated_pdf_is_refused():
    data = pdf_bytes()
    with pytest.raises(UploadRejected) as err:
        check_upload(upload("申请书.pdf", data[: len(data) // 2]))
    assert "不完整" in err.value.messages[0]


def test_a_broken_png_is_refused():
    data = image_bytes("PNG")
    with pytest.raises(UploadRejected) as err:
        check_upload(upload("平面图.png", data[:40]))
    assert "图片已损坏" in err.value.messages[0]


@pytest.mark.parametrize(("data", "what"), [
    (b"GIF89a" + b"\0" * 40, "GIF"),
    (b"MZ\x90\x00" + b"\0" * 60, "可执行程序"),
    (b"<html><script>alert(1)</script></html>", "网页"),
])
def test_other_kinds_of_file_are_refused_and_named(data, what):
    with pytest.raises(UploadRejected) as err:
        check_upload(upload("材料.pdf", data))
    assert what in err.value.messages[0]


def test_a_kind_not_allowed_here_is_refused():
    with pytest.raises(UploadRejected) as err:
        check_upload(upload("平面图.png", image_bytes("PNG")), allowed=("pdf",))
    assert "只接受 PDF 格式" in err.value.messages[0]


def test_a_file_without_an_extension_is_judged_by_its_content():
    assert check_upload(upload("scan", pdf_bytes())).kind == "pdf"


def test_stored_names_are_random_and_never_the_uploaded_name():
    checked = check_upload(upload("王小明身份证.jpg", image_bytes("JPEG")))
    first, second = checked.stored_name(), checked.stored_name()
    assert first != second
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", first)


def test_the_uploaded_name_is_cleaned_for_display():
    assert clean_original_name("C:\\Users\\clerk\\Desktop\\申请书.pdf") == "申请书.pdf"
    assert clean_original_name("../../etc/passwd") == "passwd"
    assert clean_original_name("a\x00b\nc.pdf") == "abc.pdf"
    assert len(clean_original_name("长" * 300 + ".pdf")) == 200


# --- case_file_add ---------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT


def test_the_file_service_stores_under_a_random_name_and_records_event_and_audit(receive, staff, item, media):
    case = receive()
    material = case.materials.get(requirement_id=material_ids(item)["pmt"])
    data = pdf_bytes()
    case_file = case_file_add(actor=staff["clerk"], case=case, material=material,
                              upload=upload("经营场所平面图（最终版）.pdf", data), at=at("2026-11-02"))
    assert case_file.original_name == "经营场所平面图（最终版）.pdf"
    assert case_file.size == len(data) and case_file.sm3 == sm3_hex(data)
    assert case_file.content_type == "application/pdf"
    assert case_file.material == material and case_file.uploaded_by == staff["clerk"]
    assert re.fullmatch(r"cases/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", case_file.file.name)
    assert "平面图" not in case_file.file.name
    # Stored under MEDIA_ROOT (outside the web root), with exactly the bytes uploaded.
    assert (media / case_file.file.name).read_bytes() == data
    event = CaseEvent.objects.get(case=case, action="file_add")
    assert event.data["sm3"] == case_file.sm3 and event.data["file"] == case_file.pk
    assert "经营场所平面图" in event.summary
    assert AuditEntry.objects.filter(action="case.file_add", object_id=str(case.pk)).exists()


def test_uploading_does_not_make_a_clerks_open_page_stale(receive, staff, media):
    case = receive()
    version = case.version
    case_file_add(actor=staff["clerk"], case=case, upload=upload("补充说明.png", image_bytes("PNG")))
    services.case_accept(actor=staff["clerk"], case=case, expected_version=version, at=at("2026-11-02"))


def test_a_refused_upload_leaves_no_file_and_no_event_only_the_audit_of_the_refusal(receive, staff, media):
    case = receive()
    with pytest.raises(CaseActionError) as err:
        case_file_add(actor=staff["clerk"], case=case, upload=upload("申请书.pdf", b"plain text, not a pdf"))
    assert "文本文件" in err.value.messages[0]
    assert not CaseFile.objects.exists()
    assert not CaseEvent.objects.filter(action="file_add").exists()
    assert not (media / "cases").exists() or not any((media / "cases").rglob("*.*"))
    assert AuditEntry.objects.filter(action="case.file_add.refused", object_id=str(case.pk)).exists()


def test_stored_bytes_are_deleted_when_recording_the_upload_fails(receive, staff, media, monkeypatch):
    from yichuang.cases import uploads

    def broken_event(*args, **kwargs):
        raise CaseActionError("事件写入失败")

    monkeypatch.setattr(uploads, "_event", broken_event)
    case = receive()
    with pytest.raises(CaseActionError):
        case_file_add(actor=staff["clerk"], case=case, upload=upload("a.pdf", pdf_bytes()))
    assert not CaseFile.objects.exists()
    assert not any(path.is_file() for path in (media / "cases").rglob("*"))


def test_another_departments_reviewer_cannot_upload(receive, staff, media):
    case = receive()
    with pytest.raises(CasePermissionDenied):
        case_file_add(actor=staff["other_reviewer"], case=case, upload=upload("a.pdf", pdf_bytes()))
    assert not CaseFile.objects.exists()


def test_a_material_of_another_case_is_refused(receive, staff, item, media):
    first, second = receive(), receive()
    material = second.materials.first()
    with pytest.raises(CaseActionError) as err:
        case_file_add(actor=staff["clerk"], case=first, material=material, upload=upload("a.pdf", pdf_bytes()))
    assert "不属于" in err.value.messages[0]


def test_no_upload_to_a_refused_case(receive, staff, media):
    case = receive()
    case = services.case_refuse(actor=staff["clerk"], case=case, reason="不属于受理范围", legal_basis="第三十二条",
                                way_forward="向有权机关申请", expected_version=case.version)
    with pytest.raises(CaseActionError) as err:
        case_file_add(actor=staff["clerk"], case=case, upload=upload("a.pdf", pdf_bytes()))
    assert "不能再上传" in err.value.messages[0]


# --- serving files: only to those who may see the case --------------------------------------------


def test_a_case_file_is_served_to_staff_in_scope_and_404_to_others(client, receive, staff, media):
    case = receive()
    data = image_bytes("PNG")
    case_file = case_file_add(actor=staff["clerk"], case=case, upload=upload("平面图.png", data))
    url = reverse("cases:office_case_file", args=[case.pk, case_file.pk])

    assert client.get(url).status_code == 302  # anonymous: log in first
    client.force_login(staff["other_reviewer"])
    assert client.get(url).status_code == 404

    client.force_login(staff["reviewer"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == data


def test_the_media_url_serves_nothing(client, receive, staff, media):
    case = receive()
    case_file = case_file_add(actor=staff["clerk"], case=case, upload=upload("a.pdf", pdf_bytes()))
    client.force_login(staff["clerk"])
    assert client.get("/protected-files/" + case_file.file.name).status_code == 404
    assert default_storage.exists(case_file.file.name)
