"""The demo county's organisation.

示例市 (3399) and 示例县 (339901) do not exist: Zhejiang's real cities are numbered 01–11, so
the codes are valid in shape yet cannot be mistaken for a real place. Town codes follow the
statistical convention (001–099 街道, 100–199 镇, 200–399 乡) and so do village codes (001–199
社区, 200–399 村). The departments' 统一社会信用代码 are made up in the shape of a county
government body's code (1 机构编制 · 1 机关 · 339901 · MB… · check character) and pass the
GB 32100 check; they belong to no real organisation.
"""

DEMO_PASSWORD = "yichuang-demo"

COUNTY_CENTRE = "SLX"
HOURS = "工作日 上午 9:00–12:00，下午 13:30–17:00（夏季 14:00–17:30）"
CENTRE_PHONE = "0570-6012345"

# (code, name) in an order where every parent comes before its children.
REGIONS = [
    ("330000000000", "浙江省"),
    ("339900000000", "示例市"),
    ("339901000000", "示例县"),
    ("339901001000", "白云街道"),
    ("339901001001", "白云社区"),
    ("339901001002", "朝阳社区"),
    ("339901100000", "城关镇"),
    ("339901100001", "城东社区"),
    ("339901100201", "南门村"),
    ("339901100202", "溪口村"),
    ("339901101000", "青山镇"),
    ("339901101201", "青山村"),
    ("339901101202", "竹林村"),
    ("339901200000", "河口乡"),
    ("339901200201", "河口村"),
    ("339901200202", "桥头村"),
    ("339901200203", "石门村"),
]

# Parents come first: a point names its parent centre by code.
CENTRES = [
    {
        "code": COUNTY_CENTRE, "name": "示例县政务服务中心", "kind": "centre", "region": "339901000000",
        "parent": None, "address": "示例县白云街道人民大道 88 号", "phone": CENTRE_PHONE, "hours": HOURS,
    },
    {
        "code": "SLXBY", "name": "白云街道便民服务中心", "kind": "town", "region": "339901001000",
        "parent": COUNTY_CENTRE, "address": "示例县白云街道朝阳路 12 号", "phone": "0570-6013101", "hours": HOURS,
    },
    {
        "code": "SLXCG", "name": "城关镇便民服务中心", "kind": "town", "region": "339901100000",
        "parent": COUNTY_CENTRE, "address": "示例县城关镇解放街 36 号", "phone": "0570-6013201", "hours": HOURS,
    },
    {
        "code": "SLXQS", "name": "青山镇便民服务中心", "kind": "town", "region": "339901101000",
        "parent": COUNTY_CENTRE, "address": "示例县青山镇青山大道 1 号", "phone": "0570-6013301", "hours": HOURS,
    },
    {
        "code": "SLXHK", "name": "河口乡便民服务中心", "kind": "town", "region": "339901200000",
        "parent": COUNTY_CENTRE, "address": "示例县河口乡河滨路 8 号", "phone": "0570-6013401", "hours": HOURS,
    },
    {
        "code": "SLXCGNM", "name": "南门村便民服务站", "kind": "village", "region": "339901100201",
        "parent": "SLXCG", "address": "示例县城关镇南门村村委会一楼", "phone": "0570-6013211",
        "hours": "工作日 上午 8:30–11:30，下午 14:00–17:00",
    },
    {
        "code": "SLXQSZL", "name": "竹林村便民服务站", "kind": "village", "region": "339901101202",
        "parent": "SLXQS", "address": "示例县青山镇竹林村文化礼堂旁", "phone": "0570-6013311",
        "hours": "工作日 上午 8:30–11:30，下午 14:00–17:00",
    },
    {
        "code": "SLXHKSM", "name": "石门村便民服务站", "kind": "village", "region": "339901200203",
        "parent": "SLXHK", "address": "示例县河口乡石门村村委会一楼", "phone": "0570-6013411",
        "hours": "工作日 上午 8:30–11:30，下午 14:00–17:00",
    },
]

COUNTY = "339901000000"

# All departments sit in the county centre (进驻中心). Phones are the department's
# consultation line; complaints go to the county's 12345 line and the centre's supervision desk.
DEPARTMENTS = [
    {"code": "SPJ", "name": "示例县行政审批服务局", "short_name": "行政审批服务局",
     "uscc": "11339901MB2076965L", "phone": "0570-6012345", "sort_order": 10},
    {"code": "SCJG", "name": "示例县市场监督管理局", "short_name": "市场监管局",
     "uscc": "11339901MB52353869", "phone": "0570-6012301", "sort_order": 20},
    {"code": "WJJ", "name": "示例县卫生健康局", "short_name": "卫生健康局",
     "uscc": "11339901MB6912043X", "phone": "0570-6012302", "sort_order": 30},
    {"code": "JTJ", "name": "示例县交通运输局", "short_name": "交通运输局",
     "uscc": "11339901MB6207387R", "phone": "0570-6012303", "sort_order": 40},
    {"code": "ZJJ", "name": "示例县住房和城乡建设局", "short_name": "住建局",
     "uscc": "11339901MB76774283", "phone": "0570-6012304", "sort_order": 50},
    {"code": "ZRZY", "name": "示例县自然资源和规划局", "short_name": "自然资源和规划局",
     "uscc": "11339901MB4610367T", "phone": "0570-6012305", "sort_order": 60},
    {"code": "RSJ", "name": "示例县人力资源和社会保障局", "short_name": "人力社保局",
     "uscc": "11339901MB350727XC", "phone": "0570-6012306", "sort_order": 70},
    {"code": "MZJ", "name": "示例县民政局", "short_name": "民政局",
     "uscc": "11339901MB34404076", "phone": "0570-6012307", "sort_order": 80},
    {"code": "STHJ", "name": "示例市生态环境局示例分局", "short_name": "生态环境分局",
     "uscc": "11339901MB2594295X", "phone": "0570-6012308", "sort_order": 90},
    {"code": "GAJ", "name": "示例县公安局", "short_name": "公安局（户政）",
     "uscc": "11339901MB4398749M", "phone": "0570-6012309", "sort_order": 100},
    {"code": "SLJ", "name": "示例县水利局", "short_name": "水利局",
     "uscc": "11339901MB2547843K", "phone": "0570-6012310", "sort_order": 110},
    {"code": "ZHZF", "name": "示例县综合行政执法局", "short_name": "综合执法局",
     "uscc": "11339901MB24379279", "phone": "0570-6012311", "sort_order": 120},
    {"code": "YCJ", "name": "示例县烟草专卖局", "short_name": "烟草专卖局",
     "uscc": "11339901MB8789640N", "phone": "0570-6012312", "sort_order": 130},
]
for _dept in DEPARTMENTS:
    _dept.setdefault("region", COUNTY)
    _dept.setdefault("centre", COUNTY_CENTRE)
    _dept.setdefault("complaint_phone", "12345")

# (centre, number, name, kind, department)
WINDOWS = [
    (COUNTY_CENTRE, "A01", "综合受理窗口（企业开办）", "general", None),
    (COUNTY_CENTRE, "A02", "综合受理窗口（市场准营）", "general", None),
    (COUNTY_CENTRE, "A03", "综合受理窗口（社会事务）", "general", None),
    (COUNTY_CENTRE, "A04", "综合受理窗口（工程建设）", "general", None),
    (COUNTY_CENTRE, "A05", "综合受理窗口（交通运输）", "general", None),
    (COUNTY_CENTRE, "A06", "综合受理窗口（老年人、残疾人优先）", "general", None),
    (COUNTY_CENTRE, "B01", "不动产登记专窗", "department", "ZRZY"),
    (COUNTY_CENTRE, "B02", "公安户政专窗", "department", "GAJ"),
    (COUNTY_CENTRE, "B03", "婚姻登记专窗", "department", "MZJ"),
    (COUNTY_CENTRE, "C01", "统一出件窗口", "result", None),
    (COUNTY_CENTRE, "D01", "帮办代办窗口", "agent", None),
    ("SLXBY", "01", "综合受理窗口", "general", None),
    ("SLXCG", "01", "综合受理窗口", "general", None),
    ("SLXQS", "01", "综合受理窗口", "general", None),
    ("SLXHK", "01", "综合受理窗口", "general", None),
]

# One account per role, and a reviewer and approver for three departments, so the demo flow
# (食品经营许可 by 市场监管局) and cases of other departments can both be walked through.
# Windows are given as numbers in the account's centre.
STAFF = [
    {"username": "admin", "display_name": "周建国", "roles": ["admin"], "centre": COUNTY_CENTRE,
     "department": "SPJ", "region": COUNTY, "is_superuser": True},
    {"username": "clerk", "display_name": "王晓燕", "roles": ["clerk"], "centre": COUNTY_CENTRE,
     "department": "SPJ", "windows": ["A01"]},
    {"username": "clerk2", "display_name": "陈丽", "roles": ["clerk"], "centre": COUNTY_CENTRE,
     "department": "SPJ", "windows": ["A02"]},
    {"username": "reviewer_scjg", "display_name": "李明", "roles": ["reviewer"], "centre": COUNTY_CENTRE,
     "department": "SCJG"},
    {"username": "approver_scjg", "display_name": "张卫东", "roles": ["approver"], "centre": COUNTY_CENTRE,
     "department": "SCJG"},
    {"username": "reviewer_wjj", "display_name": "刘芳", "roles": ["reviewer"], "centre": COUNTY_CENTRE,
     "department": "WJJ"},
    {"username": "approver_wjj", "display_name": "孙志强", "roles": ["approver"], "centre": COUNTY_CENTRE,
     "department": "WJJ"},
    {"username": "reviewer_jtj", "display_name": "赵磊", "roles": ["reviewer"], "centre": COUNTY_CENTRE,
     "department": "JTJ"},
    {"username": "approver_jtj", "display_name": "吴海涛", "roles": ["approver"], "centre": COUNTY_CENTRE,
     "department": "JTJ"},
    {"username": "result", "display_name": "黄静", "roles": ["result_clerk"], "centre": COUNTY_CENTRE,
     "department": "SPJ", "windows": ["C01"]},
    {"username": "agent", "display_name": "徐佳", "roles": ["agent"], "centre": COUNTY_CENTRE,
     "department": "SPJ", "windows": ["D01"]},
    {"username": "supervisor", "display_name": "郑国平", "roles": ["supervisor"], "centre": COUNTY_CENTRE,
     "department": "SPJ", "region": COUNTY, "is_staff": True},
    {"username": "town_clerk", "display_name": "林小红", "roles": ["town_clerk"], "centre": "SLXQS",
     "region": "339901101000", "windows": ["01"]},
    {"username": "village_clerk", "display_name": "何建华", "roles": ["town_clerk"], "centre": "SLXHKSM",
     "region": "339901200203"},
]
