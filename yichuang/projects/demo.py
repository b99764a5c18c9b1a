"""The demo centre's 投资项目: called by yichuang.demo.seed after the cases (idempotent)."""


def seed_demo_projects(actor, *, today=None) -> list[str]:
    """Create what the demo shows; return one line per thing that changed, for the seed report."""
    return []
