"""The big screen (数据大屏) in a real browser: the charts render with the figures from the rollups."""

import pytest
from django.core.cache import cache

from yichuang.cases import services
from yichuang.cases.tests import conftest as cases_conftest
from yichuang.cases.tests.conftest import complete_checklist
from yichuang.supervision.services import alarm_sweep

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

county = cases_conftest.county
staff = cases_conftest.staff
item = cases_conftest.item
applicant = cases_conftest.applicant


@pytest.fixture
def todays_cases(staff, county, item, applicant):
    """Three cases received today, two accepted, then a sweep (which builds the rollups)."""
    made = []
    for _ in range(3):
        made.append(services.case_receive(actor=staff["clerk"], item_version=item, applicant=applicant,
                                          centre=county["centre"], window=county["window"],
                                          materials=complete_checklist(item)))
    for case in made[:2]:
        services.case_accept(actor=staff["clerk"], case=case, expected_version=case.version)
    alarm_sweep()
    cache.clear()
    return made


def test_the_dashboard_renders_its_charts_with_live_figures(page, live_server, todays_cases):
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("body[data-loaded]")
    assert page.locator('[data-figure="received_today"]').inner_text() == "3"
    assert page.locator('[data-figure="accepted_today"]').inner_text() == "2"
    assert page.locator('[data-figure="open"]').inner_text() == "3"
    # Every chart drew on a canvas, and the charts hold the numbers of the JSON.
    for chart in ("chart-departments", "chart-trend", "chart-ontime", "chart-alarms"):
        assert page.locator(f"#{chart} canvas").count() == 1, chart
    trend = page.evaluate("window.supDashboard.charts['chart-trend'].getOption().series[0].data")
    assert len(trend) == 30 and trend[-1] == 3 and sum(trend) == 3
    departments = page.evaluate("window.supDashboard.charts['chart-departments'].getOption().series[0].data")
    assert departments[-1] == 3  # the busiest department is drawn at the top of the bar chart
    # The hall's queue panel and the ratings panel (好差评) are there, empty on a day without tickets or ratings.
    assert page.locator("#panel-hall").is_visible() and page.locator("#panel-ratings").is_visible()
    assert page.locator('#panel-ratings [data-rating="ratings"]').inner_text() == "0"
    page.screenshot(path="/tmp/sup-dashboard-test.png")


def test_the_dashboard_refreshes_without_reloading(page, live_server, todays_cases, staff, county, item, applicant):
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("body[data-loaded]")
    page.evaluate("window.__marker = 'same page'")
    services.case_receive(actor=staff["clerk"], item_version=item, applicant=applicant, centre=county["centre"],
                          materials=complete_checklist(item))
    alarm_sweep()
    cache.clear()
    page.evaluate("window.supDashboard.refresh()")
    page.wait_for_function("document.querySelector('[data-figure=received_today]').textContent === '4'")
    assert page.evaluate("window.__marker") == "same page"
