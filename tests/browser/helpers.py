"""What several browser tests do the same way."""


def log_in(page, live_server, username: str, then: str | None = None) -> None:
    """Sign a staff account in through the login form (every test account's password is "x"); with `then`,
    wait until the page it leads to has opened."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/" + (f"?next={then}" if then else ""))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "x")
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("[type=submit]").click()
    if then:
        page.wait_for_url(f"**{then}")
    else:
        page.wait_for_load_state()
