"""The national project code (项目代码, 全国投资项目在线审批监管平台).

Shape: ``YYYY-RRRRRR-II-TT-NNNNNN`` — the year the code was given, the 6-digit county-level
administrative division where the project is built, the 2-digit division of the national
industry classification (GB/T 4754), the 2-digit project type (01 审批, 02 核准, 03 备案) and
a 6-digit sequence. The sequence runs per year and county, from `core.sequences`, so two
clerks registering at once never get the same code.
"""

import re

from yichuang.core.sequences import sequence_next

PROJECT_CODE_RE = re.compile(r"^(?P<year>\d{4})-(?P<region>\d{6})-(?P<industry>\d{2})-(?P<type>0[1-3])-(?P<seq>\d{6})$")
MAX_SEQUENCE = 999_999


def project_code_format(*, year: int, region_code: str, industry: str, approval_type: str, sequence: int) -> str:
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"project code sequence out of range: {sequence}")
    return f"{year:04d}-{region_code[:6]}-{industry}-{approval_type}-{sequence:06d}"


def project_code_next(*, year: int, region_code: str, industry: str, approval_type: str) -> str:
    """The next free code for a project in this county and year (runs under the sequence's row lock)."""
    sequence = sequence_next(f"project-code:{year:04d}:{region_code[:6]}")
    return project_code_format(year=year, region_code=region_code, industry=industry,
                               approval_type=approval_type, sequence=sequence)


def is_project_code(value: str) -> bool:
    return bool(PROJECT_CODE_RE.match(value or ""))
