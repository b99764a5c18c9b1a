"""An investment project's page: the four stages, the working days each took, the total against
the target, and what is holding the project up now."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from yichuang.cases.tests.conftest import county, food_licence_data, staff  # noqa: F401  (fixtures)
from yichuang.projects import services
from yichuang.projects.tests.conftest import (  # noqa: F401  (fixtures)
    applicant,
    approve_all,
    at,
    item,
    project,
    project_data,
    stage_bundles,
    stage_materials,
    wjj_deciders,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHOTS = "/tmp/shots-h6b"


def test_the_project_page_shows_stages_and_elapsed_days_against_the_target(
        page, live_server, staff, county, project, stage_bundles, wjj_deciders):  # noqa: F811
    # Stage 1 accepted on 30 September and approved on 12 October: 4 working days (国庆 skipped).
    stage1 = services.project_stage_apply(
        actor=staff["clerk"], project=project, number=1, form_data={"project_code": project.code},
        materials=stage_materials(stage_bundles[1]), at=at("2026-09-30", 9))
    approve_all(stage1.parent_case, staff, wjj_deciders, when="2026-10-12")
    services.project_stage_apply(
        actor=staff["clerk"], project=project, number=2, form_data={"project_code": project.code},
        materials=stage_materials(stage_bundles[2]), at=at("2026-10-14", 9))
    services.project_meeting_convene(
        actor=staff["clerk"], project=project, kind="review", title="设计方案联审",
        departments=[county["scjg"], county["wjj"]], held_on=datetime.date(2026, 10, 16), opinion_days=3,
        stage_number=2, at=at("2026-10-14", 10))

    page.set_default_timeout(30_000)  # the shared test machine is slow; no timing is asserted
    log_in(page, live_server, "supervisor")
    page.goto(live_server.url + "/projects/")
    page.get_by_role("link", name=project.name).click()
    page.wait_for_url(f"**/projects/{project.code}/")

    bar = page.locator(".pj-stagebar .pj-seg")
    expect(bar).to_have_count(4)
    expect(bar.nth(0)).to_have_class(re.compile("pj-approved"))
    expect(bar.nth(0)).to_contain_text("立项用地规划许可")
    expect(bar.nth(0)).to_contain_text("4 / 20 个工作日")
    expect(bar.nth(1)).to_have_class(re.compile("pj-running"))
    expect(bar.nth(2)).to_contain_text("未开始")
    overview_total = page.locator(".pj-total")
    expect(overview_total).to_contain_text("/ 50 个工作日")
    blockers = page.locator(".pj-blockers")
    expect(blockers).to_contain_text("设计方案联审")
    expect(blockers).to_contain_text("示例县卫生健康局")
    expect(page.locator("#stage-1")).to_contain_text("用时 4 个工作日（目标 20）")
    page.screenshot(path=f"{SHOTS}/project-page.png", full_page=True)
