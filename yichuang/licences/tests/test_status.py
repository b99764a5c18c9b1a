"""变更, 延续, 注销, 撤销, 吊销, 失效: each by the right role, with a reason, as an event."""

import datetime

import pytest

from yichuang.core.models import AuditEntry
from yichuang.licences import services
from yichuang.licences.errors import LicenceError, LicencePermissionDenied
from yichuang.licences.identifiers import parse_identifier
from yichuang.licences.models import Licence, LicenceEvent, Seal
from yichuang.licences.selectors import licence_verify
from yichuang.org.models import Role, User

from .conftest import at

SIMPLE = [
    (services.licence_cancel, Licence.Status.CANCELLED, "cancel"),
    (services.licence_revoke, Licence.Status.REVOKED, "revoke"),
    (services.licence_withdraw, Licence.Status.WITHDRAWN, "withdraw"),
    (services.licence_expire, Licence.Status.EXPIRED, "expire"),
]


@pytest.mark.parametrize("service, status, action", SIMPLE)
def test_the_issuing_departments_approver_changes_the_status_with_a_reason_and_an_event(
    issued, staff, service, status, action
):
    licence = service(actor=staff["approver"], licence=issued, reason="依法处理", at=at("2026-12-01"))
    assert licence.status == status and licence.status_reason == "依法处理"
    event = licence.events.order_by("-id").first()
    assert event.action == action and event.from_status == "valid" and event.to_status == status
    assert event.actor == staff["approver"] and event.reason == "依法处理"
    assert AuditEntry.objects.filter(action=f"licence.{action}", object_id=str(licence.pk)).exists()
    assert licence_verify(licence.identifier).status == status


@pytest.mark.parametrize("service, status, action", SIMPLE)
def test_a_status_change_without_a_reason_is_refused(issued, staff, service, status, action):
    with pytest.raises(LicenceError) as err:
        service(actor=staff["approver"], licence=issued, reason="  ")
    assert "原因" in err.value.messages[0]
    issued.refresh_from_db()
    assert issued.status == Licence.Status.VALID


def test_another_departments_approver_cannot_touch_the_licence(issued, staff, county):
    outsider = User.objects.create_user("wjj_approver", password="x", department=county["wjj"])
    outsider.roles.set(Role.objects.filter(code="approver"))
    for service, _status, _action in SIMPLE:
        with pytest.raises(LicencePermissionDenied):
            service(actor=User.objects.get(pk=outsider.pk), licence=issued, reason="越权")


def test_a_supervisor_may_revoke_and_withdraw_but_not_cancel(issued, staff):
    with pytest.raises(LicencePermissionDenied):
        services.licence_cancel(actor=staff["supervisor"], licence=issued, reason="注销")
    with pytest.raises(LicencePermissionDenied):
        services.licence_change(actor=staff["supervisor"], licence=issued, changes={"shop": "新址"}, reason="变更")
    licence = services.licence_withdraw(actor=staff["supervisor"], licence=issued, reason="违法经营，吊销许可证")
    assert licence.status == Licence.Status.WITHDRAWN


def test_clerks_cannot_change_a_licence(issued, staff):
    for role in ("clerk", "reviewer", "result"):
        with pytest.raises(LicencePermissionDenied):
            services.licence_revoke(actor=staff[role], licence=issued, reason="撤销")


def test_only_a_valid_licence_changes_status(issued, staff):
    services.licence_cancel(actor=staff["approver"], licence=issued, reason="申请人申请注销")
    with pytest.raises(LicenceError) as err:
        services.licence_revoke(actor=staff["approver"], licence=issued, reason="撤销")
    assert "已注销" in err.value.messages[0]


def test_a_change_is_a_new_version_linked_to_the_old_which_is_superseded(issued, staff):
    new = services.licence_change(actor=staff["approver"], licence=issued,
                                  changes={"shop": "示例县城关镇解放街 38 号", "holder_name": "示例县好味道餐饮有限责任公司"},
                                  reason="名称和场所门牌变更", at=at("2026-12-01"))
    issued.refresh_from_db()
    assert issued.status == Licence.Status.SUPERSEDED and "变更" in issued.status_reason
    assert new.previous == issued and new.version == 2 and new.serial == issued.serial
    assert parse_identifier(new.identifier).version == 2 and new.identifier != issued.identifier
    assert new.holder_name == "示例县好味道餐饮有限责任公司"
    assert {r["key"]: r["value"] for r in new.data}["operator"] == "示例县好味道餐饮有限责任公司"
    assert {r["key"]: r["value"] for r in new.data}["shop"] == "示例县城关镇解放街 38 号"
    assert (new.valid_from, new.valid_to) == (issued.valid_from, issued.valid_to)
    assert new.events.get().action == LicenceEvent.Action.CHANGE
    assert issued.events.order_by("-id").first().action == LicenceEvent.Action.SUPERSEDE
    assert licence_verify(new.identifier).is_valid


def test_a_change_that_changes_nothing_or_unknown_fields_is_refused(issued, staff):
    with pytest.raises(LicenceError):
        services.licence_change(actor=staff["approver"], licence=issued, changes={}, reason="无")
    with pytest.raises(LicenceError) as err:
        services.licence_change(actor=staff["approver"], licence=issued, changes={"colour": "红"}, reason="无")
    assert "colour" in err.value.messages[0]


def test_a_renewal_runs_from_the_day_after_the_old_validity_for_the_types_period(issued, staff):
    services.seal_update(actor=None, seal=issued.seal, valid_to=datetime.date(2035, 12, 31), reason="印章延期")
    new = services.licence_renew(actor=staff["approver"], licence=issued, reason="申请延续",
                                 at=at("2031-09-01"))
    assert new.valid_from == datetime.date(2031, 11, 4) and new.valid_to == datetime.date(2036, 11, 3)
    assert new.previous == issued and new.version == 2


def test_a_renewal_after_expiry_is_refused(issued, staff):
    with pytest.raises(LicenceError) as err:
        services.licence_renew(actor=staff["approver"], licence=issued, reason="延续", at=at("2031-11-05"))
    assert "重新申请" in err.value.messages[0]


def test_a_new_version_needs_a_usable_seal(issued, staff):
    Seal.objects.filter(pk=issued.seal_id).update(valid_to=datetime.date(2026, 11, 30))
    with pytest.raises(LicenceError) as err:
        services.licence_change(actor=staff["approver"], licence=issued, changes={"shop": "新址"}, reason="变更",
                                at=at("2026-12-01"))
    assert "已过期" in err.value.messages[0]
    issued.refresh_from_db()
    assert issued.status == Licence.Status.VALID


def test_the_daily_sweep_expires_licences_past_their_last_day(issued):
    assert services.licence_expire_due(today=datetime.date(2031, 11, 3)) == 0
    assert services.licence_expire_due(today=datetime.date(2031, 11, 4)) == 1
    issued.refresh_from_db()
    assert issued.status == Licence.Status.EXPIRED
    assert issued.events.order_by("-id").first().actor is None
    assert licence_verify(issued.identifier).check.intact
