import pytest

pytestmark = pytest.mark.django_db


def test_chinese_is_the_default_whatever_the_browser_asks(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert 'lang="zh-CN"' in response.content.decode()


def test_the_language_switch_turns_the_site_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert response["Content-Language"] == "en"
    assert 'lang="en"' in response.content.decode()
