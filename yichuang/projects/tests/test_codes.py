"""The national project code: its shape, and that no two projects ever share one."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yichuang.projects import services
from yichuang.projects.codes import PROJECT_CODE_RE, is_project_code, project_code_format
from yichuang.projects.errors import ProjectError
from yichuang.projects.models import INDUSTRIES, Project

from .conftest import at, valid_uscc

GOOD_USCC = valid_uscc("91339901MA2B3C4D5")
BAD_USCC = GOOD_USCC[:-1] + ("0" if GOOD_USCC[-1] != "0" else "1")


@given(
    year=st.integers(2000, 2099), county=st.from_regex(r"[1-6]\d{5}", fullmatch=True),
    industry=st.sampled_from([c for c, _l in INDUSTRIES]), kind=st.sampled_from(["01", "02", "03"]),
    seq=st.integers(1, 999_999),
)
def test_project_code_has_the_national_shape(year, county, industry, kind, seq):
    code = project_code_format(year=year, region_code=county + "000000", industry=industry, approval_type=kind,
                               sequence=seq)
    match = PROJECT_CODE_RE.match(code)
    assert match and len(code) == 24
    assert match["year"] == f"{year:04d}" and match["region"] == county and match["industry"] == industry
    assert match["type"] == kind and int(match["seq"]) == seq


def test_a_registered_project_code_reads_year_county_industry_type_sequence(project):
    assert is_project_code(project.code)
    assert project.code == "2026-339901-84-01-000001"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(["government", "private"]), min_size=2, max_size=6))
@pytest.mark.django_db
def test_project_codes_are_unique_and_the_sequence_counts_per_county_and_year(staff, project_data, kinds):
    Project.objects.all().delete()
    codes = [services.project_register(actor=staff["clerk"], at=at("2026-11-03"),
                                       **project_data(investment_kind=kind, approval_type="")).code for kind in kinds]
    assert len(set(codes)) == len(codes)
    assert all(is_project_code(c) for c in codes)
    assert [int(c[-6:]) for c in codes] == sorted(int(c[-6:]) for c in codes)


def test_the_project_type_in_the_code_follows_the_investment(staff, project_data):
    private = services.project_register(actor=staff["clerk"], **project_data(investment_kind="private",
                                                                              industry="39"))
    assert private.code.split("-")[2:4] == ["39", "03"]
    verified = services.project_register(actor=staff["clerk"], **project_data(
        investment_kind="private", approval_type="02"))
    assert verified.code.split("-")[3] == "02"


def test_a_government_project_must_be_an_approval_project(staff, project_data):
    with pytest.raises(ProjectError) as err:
        services.project_register(actor=staff["clerk"], **project_data(approval_type="03"))
    assert "审批制" in str(err.value.message_dict["approval_type"])


def test_registration_refuses_bad_input_field_by_field_and_leaves_nothing(staff, project_data):
    with pytest.raises(ProjectError) as err:
        services.project_register(actor=staff["clerk"], **project_data(
            owner_uscc=BAD_USCC, region_code="990000000000", total_investment="-3", industry="99"))
    fields = err.value.message_dict
    assert {"region_code", "total_investment", "industry"} <= set(fields)
    assert not Project.objects.exists()
    with pytest.raises(ProjectError) as err:
        services.project_register(actor=staff["clerk"], **project_data(owner_uscc=BAD_USCC))
    assert "owner_uscc" in err.value.message_dict
    assert not Project.objects.exists()


def test_a_reviewer_cannot_register_a_project(staff, project_data):
    with pytest.raises(ProjectError):
        services.project_register(actor=staff["reviewer"], **project_data())


def test_registration_creates_the_four_stages_and_the_target(project):
    stages = list(project.stages.order_by("number").values_list("number", "name", "counts_toward_target"))
    assert [s[0] for s in stages] == [1, 2, 3, 4]
    assert stages[0][1] == "立项用地规划许可" and stages[3][1] == "竣工验收"
    assert project.target_days == 50
    assert project.events.filter(action="register").count() == 1
