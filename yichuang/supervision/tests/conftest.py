"""The case engine's small county (fixtures reused from its tests) and a hand-built November."""

import pytest

from yichuang.cases import services
from yichuang.cases.models import Case
from yichuang.cases.tests import conftest as _cases
from yichuang.cases.tests.conftest import at, complete_checklist, material_ids
from yichuang.supervision.services import alarm_sweep

# The case engine's fixtures, shared.
county = _cases.county
staff = _cases.staff
item = _cases.item
immediate_item = _cases.immediate_item
applicant = _cases.applicant
receive = _cases.receive


def step(case: Case, actor, when: str, hour: int = 10, opinion: str = "审查通过") -> Case:
    case = Case.objects.get(pk=case.pk)
    return services.case_step_complete(actor=actor, case=case, opinion=opinion, expected_version=case.version,
                                       at=at(when, hour))


def decide(case: Case, actor, when: str, hour: int = 10, approve: bool = True) -> Case:
    case = Case.objects.get(pk=case.pk)
    return services.case_decide(actor=actor, case=case, approve=approve, reason="符合法定条件",
                                way_forward="" if approve else "补充材料后重新申请",
                                legal_basis="" if approve else "《食品安全法》第三十五条",
                                expected_version=case.version, at=at(when, hour))


def accept(case: Case, actor, when: str, hour: int = 10) -> Case:
    case = Case.objects.get(pk=case.pk)
    return services.case_accept(actor=actor, case=case, expected_version=case.version, at=at(when, hour))


def sweep(day: str, hour: int = 8):
    import datetime

    return alarm_sweep(today=datetime.date.fromisoformat(day), now=at(day, hour))


@pytest.fixture
def november(staff, county, item, immediate_item, applicant, receive):
    """Eight cases of 市场监管局 in November 2026, each with a known outcome (see test_statistics.py)."""
    clerk, reviewer, approver, result = staff["clerk"], staff["reviewer"], staff["approver"], staff["result"]
    ids = material_ids(item)
    cases = {}

    # A: extension of 2 days, a site survey that paused 1 working day, decided early, collected in person.
    a = accept(receive("2026-11-02"), clerk, "2026-11-02")
    services.case_extension_request(actor=reviewer, case=a, days=2, reason="需现场核查", expected_version=a.version,
                                    at=at("2026-11-02", 11))
    a = Case.objects.get(pk=a.pk)
    a = services.case_extension_decide(actor=approver, case=a, approve=True, expected_version=a.version,
                                       at=at("2026-11-02", 14))
    a = services.case_special_start(actor=reviewer, case=a, procedure="site_survey", reason="现场核查",
                                    expected_days=2, expected_version=a.version, at=at("2026-11-03"))
    a = services.case_special_end(actor=reviewer, case=a, result="核查合格", expected_version=a.version,
                                  at=at("2026-11-04"))
    a = step(a, reviewer, "2026-11-04", 11)
    a = decide(a, approver, "2026-11-05")
    a = services.case_deliver(actor=result, case=a, method="in_person", collected_by="王小明",
                              expected_version=a.version, at=at("2026-11-06"))
    cases["A"] = a

    # B: one correction at the front desk (a second visit), accepted 3 Nov, decided on its due day, mailed.
    b = receive("2026-11-02", sqs="missing")
    b = services.case_request_correction(actor=clerk, case=b, expected_version=b.version, at=at("2026-11-02", 9))
    b = services.case_correction_supplied(actor=clerk, case=b, materials={ids["sqs"]: {"state": "received"}},
                                          expected_version=b.version, at=at("2026-11-03", 9))
    b = accept(b, clerk, "2026-11-03")
    b = step(b, reviewer, "2026-11-04")
    b = decide(b, approver, "2026-11-10")
    b = services.case_deliver(actor=result, case=b, method="post", address="示例县城关镇人民路 1 号",
                              recipient="王小明", carrier="中国邮政", tracking_number="1100000000001",
                              expected_version=b.version, at=at("2026-11-11"))
    cases["B"] = b

    # C: an immediate item handled on the spot (即办).
    c = services.case_receive(actor=clerk, item_version=immediate_item, applicant=applicant, centre=county["centre"],
                              window=county["window"], materials=complete_checklist(immediate_item),
                              at=at("2026-11-04", 9))
    c = services.case_handle_immediately(actor=clerk, case=c, collected_by="王小明", expected_version=c.version,
                                         at=at("2026-11-04", 9))
    cases["C"] = c

    # D: sent back once (clock paused 2 working days), goes overdue, decided late, not yet delivered.
    d = accept(receive("2026-11-02"), clerk, "2026-11-02")
    d = services.case_send_back(actor=reviewer, case=d, problems=[{"material": ids["pmt"], "problem": "平面图未标尺寸"}],
                                expected_version=d.version, at=at("2026-11-03"))
    d = services.case_correction_supplied(actor=clerk, case=d, materials={ids["pmt"]: {"state": "received"}},
                                          expected_version=d.version, at=at("2026-11-05"))
    d = step(d, reviewer, "2026-11-06")
    cases["D"] = d

    # E: applied online (no visit), decided early, delivered electronically.
    e = services.case_receive(actor=clerk, item_version=item, applicant=applicant, centre=county["centre"],
                              channel=Case.Channel.ONLINE, materials=complete_checklist(item), at=at("2026-11-03", 9))
    e = accept(e, clerk, "2026-11-03")
    e = step(e, reviewer, "2026-11-04")
    e = decide(e, approver, "2026-11-06")
    e = services.case_deliver(actor=result, case=e, method="electronic", expected_version=e.version,
                              at=at("2026-11-06", 15))
    cases["E"] = e

    # F: refused at the front desk (不予受理).
    f = receive("2026-11-04")
    f = services.case_refuse(actor=clerk, case=f, reason="不属于本机关职权范围", legal_basis="《行政许可法》第三十二条",
                             way_forward="请向市级市场监管部门申请", expected_version=f.version, at=at("2026-11-04", 10))
    cases["F"] = f

    # G: accepted, then withdrawn by the applicant.
    g = accept(receive("2026-11-05"), clerk, "2026-11-05")
    g = services.case_withdraw(actor=clerk, case=g, reason="申请人主动撤回", expected_version=g.version,
                               at=at("2026-11-06"))
    cases["G"] = g

    # H: accepted 5 Nov, still pending.
    cases["H"] = accept(receive("2026-11-05"), clerk, "2026-11-05")

    sweep("2026-11-12", 8)  # D is overdue (due 11 Nov), H red (due today)
    cases["D"] = decide(d, approver, "2026-11-12")
    sweep("2026-11-12", 18)
    return {k: Case.objects.get(pk=v.pk) for k, v in cases.items()}
