"""The case engine's county, plus a decided-and-delivered case to rate."""

import pytest

from yichuang.cases import services as case_services
from yichuang.cases.tests.conftest import (  # noqa: F401 - fixtures shared with the case engine
    TZ,
    applicant,
    at,
    county,
    item,
    receive,
    staff,
)


@pytest.fixture(autouse=True)
def _sms_in_a_temporary_outbox(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def finish_case(staff, case, when="2026-11-03"):  # noqa: F811
    """Accept, review, decide (approve) and deliver: the result is in the applicant's hands."""
    case = case_services.case_accept(actor=staff["clerk"], case=case, at=at(when, 10))
    case = case_services.case_step_complete(actor=staff["reviewer"], case=case, opinion="符合条件", at=at(when, 11))
    case = case_services.case_decide(actor=staff["approver"], case=case, approve=True, reason="准予", at=at(when, 14))
    return case_services.case_deliver(actor=staff["result"], case=case, method="in_person", collected_by="王小明",
                                      at=at(when, 16))


@pytest.fixture
def closed_case(receive, staff):  # noqa: F811
    return finish_case(staff, receive("2026-11-02"))
