"""Fixtures for the online hall tests: two online items (零上门 and 最多跑一次) and an applicant
who drafts and submits through the services, as the portal would."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yichuang.cases import services_online as online
from yichuang.catalog.services import item_upsert

from .conftest import at, food_licence_data

FORM_FIELDS = [
    {"key": "shop_name", "label": "经营者名称", "type": "text", "max_length": 30},
    {"key": "area", "label": "经营面积（平方米）", "type": "decimal", "min_value": "1", "required": False},
    {"key": "staff_count", "label": "从业人员数", "type": "integer", "min_value": "1"},
    {"key": "kind", "label": "经营项目", "type": "choice", "choices": ["餐饮服务", "食品销售"]},
    {"key": "open_on", "label": "拟开业日期", "type": "date", "required": False},
    {"key": "contact_mobile", "label": "联系人手机", "type": "mobile"},
]

GOOD_FORM = {"shop_name": "好味道餐厅", "area": "36.5", "staff_count": 4, "kind": "餐饮服务",
             "open_on": "2026-12-01", "contact_mobile": "13800138000"}


def pdf_bytes() -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "Application form")
    canvas.save()
    return buffer.getvalue()


def pdf_upload(name="申请书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


@pytest.fixture
def once_item(county):
    """最多跑一次: passed in pre-review, the applicant comes once with the originals."""
    version, _ = item_upsert(actor=None, data=food_licence_data(
        implementation_code="SCJG-SPJY-ONL", online_depth=4, visits_required=1, form_fields=FORM_FIELDS))
    return version


@pytest.fixture
def zero_item(county):
    """零上门: passed in pre-review, accepted online at once."""
    version, _ = item_upsert(actor=None, data=food_licence_data(
        implementation_code="SCJG-SPJY-ZERO", name="食品经营许可（延续）", online_depth=7, visits_required=0,
        form_fields=FORM_FIELDS))
    return version


@pytest.fixture
def me(applicant):
    return online.OnlineActor(label="王小明（代 示例县好味道餐饮有限公司）", account_id=1,
                              on_behalf_of="示例县好味道餐饮有限公司")


@pytest.fixture
def submitted(me, applicant, county):
    """Draft, fill, upload the required materials and submit; returns the case in 待预审."""

    def _submit(version, when="2026-11-02", form=None):
        case = online.case_draft_create(acted_by=me, applicant=applicant, item_version=version,
                                        contact_phone="13800138000", at=at(when, 8))
        case = online.case_draft_update(acted_by=me, case=case, form_data=form or GOOD_FORM, at=at(when, 8))
        for row in case.materials.select_related("requirement"):
            if row.requirement.necessity == "required":
                online.case_online_file_add(acted_by=me, case=case, material_id=row.pk,
                                            upload=pdf_upload(f"{row.requirement.name}.pdf"), at=at(when, 8))
        return online.case_submit_online(acted_by=me, case=case, at=at(when, 9))

    return _submit
