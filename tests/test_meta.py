"""Agency names read from report titles."""

import pytest

from archive.meta import agency_from_title


@pytest.mark.parametrize("title, agency", [
    ("淮安市人民政府2024年政府信息公开工作年度报告", "淮安市人民政府"),
    ("2013年广州市人社局政府信息公开工作年度报告", "广州市人社局"),
    ("2023年政府信息公开工作年度报告", None),  # a department's page: the title names no agency
    ("2019年度政府信息公开工作年度报告", None),
    ("政府信息公开工作年度报告", None),
])
def test_agency_from_title(title, agency):
    assert agency_from_title(title) == agency
