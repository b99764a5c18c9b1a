"""The catalogue of approval items (事项库 / 权力清单) with the national elements.

An `Item` is the stable identity (its implementation code); its content lives in
`ItemVersion` rows. A published version is never edited: revising it creates a new draft
version that is published in its turn, and a case keeps the version it was accepted under.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# 行政许可法 Art. 42: the extension the head of the body may grant, in working days, when the
# item's own law says nothing else; and the most any item may be given.
EXTENSION_LIMIT_DEFAULT = 10
EXTENSION_LIMIT_MAX = 60


class ItemType(models.Model):
    """The configurable code table of item types (01 行政许可 … 10 其他行政权力, 公共服务)."""

    code = models.CharField(_("代码"), max_length=4, primary_key=True)
    name = models.CharField(_("名称"), max_length=40)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("事项类型")
        verbose_name_plural = _("事项类型")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Topic(models.Model):
    """A theme by which the public browses: for individuals, for companies, or a life event."""

    class Audience(models.TextChoices):
        PERSON = "person", _("个人办事")
        COMPANY = "company", _("法人办事")
        LIFE_EVENT = "life_event", _("一件事主题")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    audience = models.CharField(_("服务对象"), max_length=12, choices=Audience.choices)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("主题分类")
        verbose_name_plural = _("主题分类")
        ordering = ["audience", "sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class SpecialProcedureType(models.Model):
    """Procedures whose time the law excludes from the limit (行政许可法 Art. 45) and others."""

    code = models.SlugField(_("代码"), max_length=30, primary_key=True)
    name = models.CharField(_("名称"), max_length=40)

    class Meta:
        verbose_name = _("特别程序类型")
        verbose_name_plural = _("特别程序类型")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """The stable identity of an item across its versions."""

    implementation_code = models.CharField(_("实施编码"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    current = models.ForeignKey(
        "ItemVersion", verbose_name=_("当前版本"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("对外公开的版本（已发布、暂停或已废止）。"),
    )

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        ordering = ["implementation_code"]

    def __str__(self) -> str:
        return f"{self.current.name if self.current else ''} [{self.implementation_code}]"


class ItemVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        SUSPENDED = "suspended", _("暂停办理")
        ABOLISHED = "abolished", _("已废止")
        SUPERSEDED = "superseded", _("历史版本")

    class Level(models.TextChoices):
        NATIONAL = "national", _("国家级")
        PROVINCIAL = "provincial", _("省级")
        CITY = "city", _("市级")
        COUNTY = "county", _("县级")
        TOWN = "town", _("乡镇（街道）级")
        VILLAGE = "village", _("村（社区）级")

    class HandlingType(models.IntegerChoices):
        IMMEDIATE = 1, _("即办件")
        PROMISED = 2, _("承诺件")

    class TongbanScope(models.TextChoices):
        CENTRE = "centre", _("仅本中心")
        LISTED = "listed", _("指定的中心和站点")
        COUNTY = "county", _("全县（区）通办")
        CITY = "city", _("全市通办")
        PROVINCE = "province", _("全省通办")
        CROSS_PROVINCE = "cross_province", _("跨省通办")

    class OnlineDepth(models.IntegerChoices):
        CONSULT = 1, _("咨询")
        RECEIVE = 2, _("收件")
        PREREVIEW = 3, _("预审")
        ACCEPT = 4, _("受理")
        HANDLE = 5, _("办理")
        RESULT = 6, _("结果反馈")
        ELICENCE = 7, _("电子证照反馈")

    class ResultType(models.TextChoices):
        LICENCE = "licence", _("证照")
        APPROVAL_DOC = "approval_doc", _("批文")
        FILING = "filing", _("备案凭证")
        OTHER = "other", _("其他")

    item = models.ForeignKey(Item, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="versions")
    version_no = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    change_note = models.CharField(_("修订说明"), max_length=200, blank=True)

    # Identity and classification
    name = models.CharField(_("事项名称"), max_length=200, db_index=True)
    basic_code = models.CharField(_("基本编码"), max_length=64)
    item_type = models.ForeignKey(ItemType, verbose_name=_("事项类型"), on_delete=models.PROTECT)
    level = models.CharField(_("行使层级"), max_length=12, choices=Level.choices, default=Level.COUNTY)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("实施主体"), on_delete=models.PROTECT, related_name="item_versions"
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("主题分类"), blank=True)
    for_persons = models.BooleanField(_("面向自然人"), default=False)
    for_companies = models.BooleanField(_("面向法人"), default=True)
    pinyin_initials = models.CharField(_("拼音首字母"), max_length=200, blank=True, db_index=True, editable=False)

    # Law
    legal_basis = models.TextField(_("设定依据"))
    conditions = models.TextField(_("受理条件"))
    refusal_grounds = models.TextField(_("不予受理情形"), blank=True)

    # Limits, in working days
    statutory_limit = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"), validators=[MinValueValidator(0)])
    statutory_limit_note = models.CharField(_("法定时限说明"), max_length=300, blank=True)
    promised_limit = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"), validators=[MinValueValidator(0)])
    promised_limit_note = models.CharField(_("承诺时限说明"), max_length=300, blank=True)
    # 行政许可法 Art. 42: the head of the body may extend the limit by ten working days, unless a
    # law or regulation says otherwise (15 for some, none for others).
    extension_limit = models.PositiveSmallIntegerField(
        _("可延长时限（工作日）"), default=EXTENSION_LIMIT_DEFAULT,
        validators=[
            MinValueValidator(0),
            MaxValueValidator(EXTENSION_LIMIT_MAX, _("可延长时限为 0 至 %(limit_value)s 个工作日（0 表示不得延长）。")),
        ],
        help_text=_("《行政许可法》第四十二条：经本机关负责人批准可延长 10 个工作日；"
                    "法律、法规另有规定的从其规定（如 15）。0 表示不得延长。"),
    )
    handling_type = models.PositiveSmallIntegerField(_("办件类型"), choices=HandlingType.choices, default=HandlingType.PROMISED)
    special_procedures = models.ManyToManyField(
        SpecialProcedureType, verbose_name=_("特别程序"), through="AllowedSpecialProcedure", blank=True
    )

    # How and where
    handling_forms = models.CharField(
        _("办理形式"), max_length=100, default="窗口办理、网上办理", help_text=_("如：窗口办理、网上办理、快递申请")
    )
    visits_required = models.PositiveSmallIntegerField(_("到办事现场次数"), default=1)
    online_depth = models.PositiveSmallIntegerField(_("网办深度"), choices=OnlineDepth.choices, default=OnlineDepth.CONSULT)
    place = models.CharField(_("办理地点"), max_length=300)
    hours = models.CharField(_("办理时间"), max_length=300)
    consult_channel = models.CharField(_("咨询方式"), max_length=300)
    complaint_channel = models.CharField(_("监督投诉方式"), max_length=300)
    fee_free = models.BooleanField(_("不收费"), default=True)

    # Result
    result_type = models.CharField(_("结果类型"), max_length=16, choices=ResultType.choices, default=ResultType.LICENCE)
    result_name = models.CharField(_("审批结果名称"), max_length=200)
    result_sample = models.FileField(_("审批结果样本"), upload_to="catalog/samples/", blank=True)
    intermediary_services = models.TextField(_("中介服务"), blank=True, help_text=_("每行一项；无则留空。"))

    # Flags
    appointment_supported = models.BooleanField(_("支持预约办理"), default=True)
    post_delivery_supported = models.BooleanField(_("支持物流快递"), default=True)
    online_payment_supported = models.BooleanField(_("支持网上支付"), default=False)
    deliver_before_supplement = models.BooleanField(
        _("容缺时可先出证后补材料"), default=False, help_text=_("先证后补：容缺受理的办件可在补齐前出具结果。")
    )

    # 通办 scope
    tongban_scope = models.CharField(_("通办范围"), max_length=16, choices=TongbanScope.choices, default=TongbanScope.CENTRE)
    accepting_centres = models.ManyToManyField(
        "org.ServiceCentre", verbose_name=_("可受理的中心和站点"), blank=True, related_name="acceptable_item_versions",
        help_text=_("通办范围为「指定的中心和站点」时生效。"),
    )

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项（按版本）")
        ordering = ["item__implementation_code", "-version_no"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version_no"], name="item_version_unique"),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="draft"), name="item_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version_no}版·{self.get_status_display()}）"

    @property
    def implementation_code(self) -> str:
        return self.item.implementation_code

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.SUSPENDED, self.Status.ABOLISHED)

    @property
    def intermediary_service_list(self) -> list[str]:
        return [line.strip() for line in self.intermediary_services.splitlines() if line.strip()]


class AllowedSpecialProcedure(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="allowed_procedures")
    procedure = models.ForeignKey(SpecialProcedureType, verbose_name=_("特别程序"), on_delete=models.PROTECT)
    counts_toward_limit = models.BooleanField(_("计入办结时限"), default=False)
    max_days = models.PositiveSmallIntegerField(_("时限（工作日）"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("允许的特别程序")
        verbose_name_plural = _("允许的特别程序")
        constraints = [models.UniqueConstraint(fields=["version", "procedure"], name="allowed_procedure_unique")]

    def __str__(self) -> str:
        return str(self.procedure)


class MaterialRequirement(models.Model):
    class Form(models.TextChoices):
        PAPER = "paper", _("纸质")
        ELECTRONIC = "electronic", _("电子")
        BOTH = "both", _("纸质+电子")

    class Kind(models.TextChoices):
        ORIGINAL = "original", _("原件")
        COPY = "copy", _("复印件")
        ORIGINAL_AND_COPY = "both", _("原件和复印件")

    class Necessity(models.TextChoices):
        REQUIRED = "required", _("必要")
        OPTIONAL = "optional", _("非必要")
        DEFERRABLE = "deferrable", _("容缺后补")

    class Source(models.TextChoices):
        APPLICANT = "applicant", _("申请人自备")
        GOVERNMENT = "government", _("政府部门核发")
        OTHER = "other", _("其他")

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    code = models.SlugField(_("材料代码"), max_length=40, blank=True, help_text=_("同一事项内唯一，便于复用与一表制映射。"))
    name = models.CharField(_("材料名称"), max_length=200)
    form = models.CharField(_("材料形式"), max_length=12, choices=Form.choices, default=Form.BOTH)
    kind = models.CharField(_("材料类型"), max_length=10, choices=Kind.choices, default=Kind.ORIGINAL)
    necessity = models.CharField(_("必要性"), max_length=12, choices=Necessity.choices, default=Necessity.REQUIRED)
    source = models.CharField(_("来源渠道"), max_length=12, choices=Source.choices, default=Source.APPLICANT)
    source_note = models.CharField(_("来源说明"), max_length=200, blank=True, help_text=_("如：由市场监管部门核发"))
    paper_copies = models.PositiveSmallIntegerField(_("纸质份数"), default=1)
    acceptance_standard = models.TextField(_("受理标准"), blank=True)
    legal_basis = models.CharField(_("依据"), max_length=300, blank=True)
    blank_form = models.FileField(_("空白表格"), upload_to="catalog/forms/", blank=True)
    example_file = models.FileField(_("示例样表"), upload_to="catalog/examples/", blank=True)
    notes = models.TextField(_("填报须知"), blank=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("收费项目"), max_length=200)
    standard = models.CharField(_("收费标准"), max_length=300)
    basis = models.CharField(_("收费依据"), max_length=300)
    exemption = models.CharField(_("减免政策"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    class Role(models.TextChoices):
        CLERK = "clerk", _("受理")
        REVIEWER = "reviewer", _("审查")
        APPROVER = "approver", _("决定")
        RESULT_CLERK = "result_clerk", _("制证送达")

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("环节名称"), max_length=60)
    role = models.CharField(_("办理角色"), max_length=16, choices=Role.choices)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("办理部门"), null=True, blank=True, on_delete=models.PROTECT,
        help_text=_("留空为事项的实施主体。"),
    )
    budget_days = models.PositiveSmallIntegerField(_("环节时限（工作日）"), default=1)

    class Meta:
        verbose_name = _("办理流程环节")
        verbose_name_plural = _("办理流程")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.name


class FormField(models.Model):
    """One field of the application form an item asks for; later issues render and validate it."""

    class Type(models.TextChoices):
        TEXT = "text", _("单行文本")
        TEXTAREA = "textarea", _("多行文本")
        INTEGER = "integer", _("整数")
        DECIMAL = "decimal", _("金额/小数")
        DATE = "date", _("日期")
        CHOICE = "choice", _("单选")
        MULTI_CHOICE = "multi_choice", _("多选")
        BOOLEAN = "boolean", _("是/否")
        ID_NUMBER = "id_number", _("身份证号码")
        USCC = "uscc", _("统一社会信用代码")
        MOBILE = "mobile", _("手机号码")
        REGION = "region", _("行政区划")

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="form_fields")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    key = models.SlugField(_("字段代码"), max_length=60, help_text=_("英文字母、数字、下划线；一表制按代码合并同名字段。"))
    label = models.CharField(_("字段名称"), max_length=100)
    type = models.CharField(_("类型"), max_length=16, choices=Type.choices, default=Type.TEXT)
    required = models.BooleanField(_("必填"), default=True)
    choices = models.JSONField(_("选项"), default=list, blank=True, help_text=_('单选/多选的选项列表，如 ["餐饮服务","食品销售"]'))
    max_length = models.PositiveIntegerField(_("最大长度"), null=True, blank=True)
    min_value = models.DecimalField(_("最小值"), max_digits=18, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("最大值"), max_digits=18, decimal_places=2, null=True, blank=True)
    help_text = models.CharField(_("填写说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("表单字段")
        verbose_name_plural = _("申请表单")
        ordering = ["version", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="form_field_key_unique")]

    def __str__(self) -> str:
        return self.label


# --- bundles (一件事): several items applied for once, with one form and one checklist ------------


class Bundle(models.Model):
    """一件事: items of several departments applied for with one form and one checklist.

    The bundle names `Item`s (stable identities); an application uses each item's public version
    of the day. Publishing checks that every item can be applied for.
    """

    class Mode(models.TextChoices):
        PARALLEL = "parallel", _("并联同时办理")
        STAGED = "staged", _("分阶段办理")

    class OnDenial(models.TextChoices):
        CONTINUE = "continue", _("其他事项继续办理")
        STOP = "stop", _("其他事项一并终止")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        SUSPENDED = "suspended", _("暂停办理")

    class Audience(models.TextChoices):
        PERSON = "person", _("个人")
        COMPANY = "company", _("企业")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("一件事名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    centre = models.ForeignKey(
        "org.ServiceCentre", verbose_name=_("受理中心"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="bundles", help_text=_("留空为各中心均可受理（以各事项的通办范围为准）。"),
    )
    audience = models.CharField(_("服务对象"), max_length=8, choices=Audience.choices, default=Audience.COMPANY)
    mode = models.CharField(_("办理方式"), max_length=10, choices=Mode.choices, default=Mode.PARALLEL)
    promised_limit = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"), validators=[MinValueValidator(1)])
    # 行政许可法 Art. 42: joint or centralised handling, 45 working days.
    statutory_limit = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"), default=45)
    on_denial = models.CharField(
        _("某一事项不予许可时"), max_length=10, choices=OnDenial.choices, default=OnDenial.CONTINUE
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="bundle_entries")
    stage = models.PositiveSmallIntegerField(_("阶段"), default=1, validators=[MinValueValidator(1)])
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("一件事包含的事项")
        verbose_name_plural = _("一件事包含的事项")
        ordering = ["bundle", "stage", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item"], name="bundle_item_unique")]

    def __str__(self) -> str:
        return f"{self.bundle_id} {self.item}"


class BundleFieldMap(models.Model):
    """一表制 mapping: this item's field is filled from that field of the bundle's one form.

    An item field without a row is filled from the bundle field with the same key.
    """

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="field_maps")
    item = models.ForeignKey(Item, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="+")
    item_field_key = models.SlugField(_("事项表单字段代码"), max_length=60)
    bundle_key = models.SlugField(_("一件事表单字段代码"), max_length=60)

    class Meta:
        verbose_name = _("一表制字段映射")
        verbose_name_plural = _("一表制字段映射")
        constraints = [
            models.UniqueConstraint(fields=["bundle", "item", "item_field_key"], name="bundle_field_map_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item_field_key} ← {self.bundle_key}"
