"""The project pages and API: a person can register, follow and act on a project."""

import json

from django.test import Client

from yichuang.projects.models import Project

from .conftest import stage_materials


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_clerk_registers_a_project_in_the_page_and_sees_its_code(staff, project_data):
    client = login(staff["clerk"])
    page = client.get("/projects/new/")
    assert page.status_code == 200 and "项目赋码登记" in page.content.decode()
    response = client.post("/projects/new/", project_data(approval_type=""))
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.code}/"
    detail = client.get(response["Location"]).content.decode()
    assert project.code in detail and "立项用地规划许可" in detail and "/ 50 个工作日" in detail


def test_a_bad_registration_shows_the_message_beside_the_field(staff, project_data):
    response = login(staff["clerk"]).post("/projects/new/", project_data(total_investment="-1"))
    assert response.status_code == 400 and "总投资应大于 0" in response.content.decode()
    assert not Project.objects.exists()


def test_the_list_filters_and_is_scoped(staff, project, project_data):
    client = login(staff["supervisor"])
    body = client.get("/projects/?investment_kind=government").content.decode()
    assert project.code in body
    assert project.code not in client.get("/projects/?investment_kind=private").content.decode()
    assert project.code in client.get("/projects/?status=registered").content.decode()


def test_the_stage_page_applies_the_stage(staff, project, stage_bundles):
    client = login(staff["clerk"])
    page = client.get(f"/projects/{project.code}/stage/1/apply/")
    assert page.status_code == 200 and "工程建设第1阶段" in page.content.decode()
    keys = list(stage_materials(stage_bundles[1]))
    response = client.post(f"/projects/{project.code}/stage/1/apply/",
                           {"project_code": project.code, "received": keys})
    assert response.status_code == 302
    assert project.stages.get(number=1).parent_case is not None
    refused = client.post(f"/projects/{project.code}/stage/3/apply/", {"received": keys})
    assert refused.status_code == 400 and "尚未全部准予" in refused.content.decode()


def test_the_api_registers_and_returns_the_whole_path(staff, project_data, stage_bundles):
    client = login(staff["clerk"])
    data = project_data(total_investment=12800)
    response = client.post("/api/v1/projects/", json.dumps(data), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"].startswith("2026-339901-84-01-") and len(body["stages"]) == 4
    applied = client.post(f"/api/v1/projects/{body['code']}/stages/1/apply",
                          json.dumps({"form_data": {"project_code": body["code"]},
                                      "materials": stage_materials(stage_bundles[1])}),
                          content_type="application/json")
    assert applied.status_code == 200, applied.content
    assert applied.json()["stages"][0]["state"] == "running"
    assert {b["kind"] for b in applied.json()["blockers"]} == {"child"}
    refused = client.post(f"/api/v1/projects/{body['code']}/stages/2/apply", json.dumps({}),
                          content_type="application/json")
    assert refused.status_code == 422 and "尚未全部准予" in refused.json()["detail"]
    assert client.get("/api/v1/projects/2026-339901-84-01-999999").status_code == 404


def test_the_api_refuses_a_reviewer_registering(staff, project_data):
    response = login(staff["reviewer"]).post("/api/v1/projects/", json.dumps(project_data()),
                                             content_type="application/json")
    assert response.status_code == 403
