"""Demo data: a realistic Chinese dataset, built in stages.

``seed_demo --stage S`` runs every registered stage up to S in order. This module builds the
``submission`` stage; other apps register later stages (judging, results, published) from
their ``AppConfig.ready()`` with ``register_stage`` so that this app never imports them.
"""

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts import roles
from common.storage import private_storage, random_file_name

from .models import (
    Category,
    Contest,
    Coordinator,
    County,
    Entry,
    EntryEvent,
    EntryPhoto,
    Organization,
    Team,
    TeamMember,
    pinyin_key,
)

DEMO_PASSWORD = "demo-2021"  # noqa: S105 (documented demo accounts)
DEMO_CONTEST_SLUG = "demo-contest"


@dataclass
class DemoContext:
    """What the stages hand each other."""

    entries: int
    judges: int
    seed: int
    rng: random.Random
    contest: Contest | None = None
    password_hash: str = ""
    log: Callable[[str], None] = print
    extra: dict = field(default_factory=dict)


@dataclass
class Stage:
    name: str
    build: Callable[[DemoContext], None]
    # Builders other apps add to this stage, run after its own (see extend_stage).
    extensions: list[Callable[[DemoContext], None]] = field(default_factory=list)


STAGES: list[Stage] = []


def register_stage(name: str, build: Callable[[DemoContext], None]) -> None:
    """Add a stage after the ones already registered (apps register in INSTALLED_APPS order)."""
    if any(stage.name == name for stage in STAGES):
        return
    STAGES.append(Stage(name, build))


def extend_stage(name: str, build: Callable[[DemoContext], None]) -> None:
    """Run *build* at the end of the stage *name* (e.g. the public site's pages at the end of
    ``published``), in the same transaction."""
    stage = next(stage for stage in STAGES if stage.name == name)
    if build not in stage.extensions:
        stage.extensions.append(build)


def stage_names() -> list[str]:
    return [stage.name for stage in STAGES]


def run_stages(*, until: str, entries: int, judges: int, seed: int = 2021, log=print) -> DemoContext:
    names = stage_names()
    if until not in names:
        raise ValueError(f"unknown stage {until!r}; known: {', '.join(names)}")
    context = DemoContext(entries=entries, judges=judges, seed=seed, rng=random.Random(seed), log=log)
    context.password_hash = make_password(DEMO_PASSWORD)  # hashed once, shared by demo accounts
    for stage in STAGES[: names.index(until) + 1]:
        log(f"stage {stage.name} …")
        with transaction.atomic():
            stage.build(context)
            for extension in stage.extensions:
                extension(context)
    return context


def demo_present() -> bool:
    return Contest.objects.filter(slug=DEMO_CONTEST_SLUG).exists()


def database_is_empty() -> bool:
    return not Contest.objects.exists() and not Team.objects.exists()


# --- Reference data ----------------------------------------------------------------------------

COUNTIES = [
    ("潞州区", "潞州"),
    ("上党区", "上党"),
    ("屯留区", "屯留"),
    ("潞城区", "潞城"),
    ("襄垣县", "襄垣"),
    ("平顺县", "平顺"),
    ("黎城县", "黎城"),
    ("壶关县", "壶关"),
    ("长子县", "长子"),
    ("武乡县", "武乡"),
    ("沁县", "沁县"),
    ("沁源县", "沁源"),
    ("高新区", "高新"),
]
TOWNS = [
    "城关",
    "东和",
    "西火",
    "南垂",
    "北董",
    "黄碾",
    "店上",
    "苏店",
    "韩店",
    "八义",
    "荫城",
    "西营",
    "余吾",
    "渔泽",
    "张店",
    "微子",
    "合室",
    "店上",
    "王桥",
    "善福",
    "下良",
    "古韩",
    "夏店",
    "虹梯关",
    "龙溪",
    "西井",
    "上遥",
    "停河铺",
    "东井岭",
    "石哲",
    "丹朱",
    "鲍店",
    "故县",
    "蟠龙",
    "洪水",
    "段柳",
    "新店",
    "郭村",
    "漳源",
    "册村",
    "郭道",
    "王和",
    "中峪",
    "聪子峪",
    "柳林",
    "灵空山",
]
VILLAGES = [
    "东关",
    "西街",
    "南关",
    "北寨",
    "王村",
    "李庄",
    "张家庄",
    "柳树沟",
    "桃园",
    "杏花",
    "红星",
    "向阳",
    "新华",
    "团结",
    "光明",
    "和平",
    "前进",
    "东风",
    "南沟",
    "北坡",
    "上村",
    "下村",
    "石门",
    "青龙",
    "白杨",
    "枣园",
    "槐树",
    "龙泉",
    "凤凰",
    "金沙",
    "银河",
    "翠峰",
    "秀水",
    "清泉",
    "长青",
    "常乐",
]
TEAM_STYLES = [
    "红马甲",
    "银龄",
    "巾帼",
    "青年",
    "党员先锋",
    "爱心妈妈",
    "乡贤",
    "五老",
    "小橘灯",
    "向日葵",
    "春雨",
    "暖阳",
    "蒲公英",
    "同心",
    "红烛",
    "晨曦",
    "善行",
    "微光",
    "薪火",
    "阳光",
]
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = [
    "建国",
    "秀英",
    "桂兰",
    "志强",
    "海燕",
    "丽华",
    "晓东",
    "红梅",
    "永刚",
    "春燕",
    "文静",
    "国庆",
    "德明",
    "淑珍",
    "立新",
    "玉兰",
    "俊杰",
    "雪梅",
    "宏伟",
    "慧敏",
    "子涵",
    "浩然",
    "欣怡",
    "梓萱",
    "思远",
    "佳琪",
    "一鸣",
    "雨桐",
]

CATEGORY_PROJECTS = {
    "theory": [
        ("理论轻骑兵", "进村入户宣讲"),
        ("百姓宣讲团", "党的创新理论大众化"),
        ("田间课堂", "政策宣讲"),
        ("红色故事会", "红色文化传承宣讲"),
        ("板凳会", "政策明白人培育"),
    ],
    "culture": [
        ("文化大篷车", "送戏下乡"),
        ("乡村春晚", "群众文艺展演"),
        ("非遗传习", "上党八音会传承"),
        ("书香邻里", "社区阅读推广"),
        ("百姓大舞台", "广场文艺服务"),
    ],
    "education": [
        ("七彩课堂", "留守儿童助学"),
        ("四点半学校", "课后托管"),
        ("双语伴读", "乡村学校支教"),
        ("梦想书屋", "乡村儿童阅读"),
        ("心灵驿站", "青少年心理陪伴"),
    ],
    "health": [
        ("健康小屋", "义诊服务"),
        ("银龄健身", "老年人科学健身指导"),
        ("家庭医生", "上门随访"),
        ("暖心护理", "失能老人照护培训"),
        ("光明行动", "白内障筛查"),
    ],
    "science": [
        ("科普大篷车", "进校园"),
        ("智慧助老", "老年人智能手机帮学"),
        ("田秀才", "农业技术推广"),
        ("防灾小课堂", "应急科普"),
        ("星空课堂", "青少年科学启蒙"),
    ],
    "legal": [
        ("法律明白人", "普法服务"),
        ("法润乡村", "矛盾纠纷调解"),
        ("法律诊所", "公益法律咨询"),
        ("护苗行动", "未成年人保护普法"),
        ("反诈先锋", "防范电信诈骗宣传"),
    ],
    "environment": [
        ("清洁家园", "垃圾分类行动"),
        ("守护漳河", "河道巡护"),
        ("绿色银行", "废旧物品回收"),
        ("美丽庭院", "人居环境整治"),
        ("植绿护绿", "太行山生态保护"),
    ],
    "relief": [
        ("爱心超市", "积分兑换帮扶困难群众"),
        ("助残圆梦", "残疾人就业帮扶"),
        ("暖冬行动", "困难家庭帮扶"),
        ("邻里守望", "空巢老人关爱"),
        ("消费帮扶", "农产品助销"),
    ],
}


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _entry_texts(rng, *, brand, theme, category, place, team_name, leader, volunteers, beneficiaries, hours):
    """Plausible entry texts that mention the team, its place and a person, as real ones do
    (the judging issue masks exactly these for blind review)."""
    summary = (
        f"“{brand}”{theme}项目由{team_name}于{rng.randint(2016, 2020)}年发起，立足{place}，"
        f"围绕{category}，组织{volunteers}名志愿者常态化开展服务，累计服务群众{beneficiaries}人次，"
        f"志愿服务时长{hours}小时，走出了一条群众点单、中心派单、志愿者接单、群众评单的服务路子。"
    )
    need = (
        f"{place}常住人口中老人和儿童占比较高，年轻人多在外务工。走访中我们发现，群众对{category}"
        f"的需求集中而迫切，但此前服务零散、供需对接不畅，群众“想要的”和志愿者“能给的”常常对不上。"
    )
    approach = (
        f"一是建立需求清单。志愿者每月入户走访，形成需求清单、资源清单和项目清单。\n"
        f"二是固定服务时间。每周{rng.choice('一二三四五六日')}在新时代文明实践站开展集中服务，"
        f"节假日组织专题活动。\n"
        f"三是规范队伍管理。由负责人{leader}牵头，制定志愿者招募、培训、考核和激励制度，"
        f"实行积分管理，服务时长记入志愿服务信息系统。\n"
        f"四是整合各方资源。联合学校、卫生院、司法所和爱心企业，形成服务合力。"
    )
    innovation = (
        f"项目首创“{brand}+”服务模式，把{theme}与群众日常生活结合起来；"
        f"推行“线上预约、线下服务”，群众通过微信群即可点单；培养本土骨干志愿者，让服务可持续。"
    )
    outcomes = (
        f"项目开展以来，累计开展活动{rng.randint(40, 300)}场次，服务群众{beneficiaries}人次，"
        f"群众满意度达{rng.randint(92, 99)}%。项目经验被县级媒体多次报道，"
        f"带动周边{rng.randint(3, 12)}个村（社区）复制推广，志愿者队伍从最初的十几人发展到{volunteers}人。"
    )
    return summary, need, approach, innovation, outcomes


def _photo_pool(rng: random.Random, size: int = 24) -> list[bytes]:
    """A pool of distinct generated photos (scenes of shapes on warm gradients)."""
    pool = []
    for _i in range(size):
        width, height = 800, 600
        image = Image.new("RGB", (width, height))
        draw = ImageDraw.Draw(image)
        top = (rng.randint(150, 255), rng.randint(80, 200), rng.randint(40, 160))
        bottom = (rng.randint(20, 120), rng.randint(60, 160), rng.randint(60, 200))
        for y in range(height):
            t = y / height
            draw.line(
                [(0, y), (width, y)],
                fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
            )
        for _shape in range(rng.randint(4, 9)):
            x, y = rng.randint(0, width), rng.randint(height // 3, height)
            r = rng.randint(20, 90)
            color = (rng.randint(150, 255), rng.randint(30, 120), rng.randint(20, 80))
            draw.ellipse([x - r, y - 2 * r, x + r, y], fill=color)  # heads and bodies of a crowd
            draw.rectangle([x - r // 2, y, x + r // 2, min(height, y + 3 * r)], fill=color)
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=78)
        pool.append(out.getvalue())
    return pool


def build_reference_data(context: DemoContext) -> None:
    for order, (name, short) in enumerate(COUNTIES, start=1):
        County.objects.update_or_create(name=name, defaults={"short_name": short, "sort_order": order})


def _organizations(context: DemoContext, per_county: int) -> list[Organization]:
    rng = context.rng
    existing = {o.name for o in Organization.objects.all()}
    new = []
    for county in County.objects.all():
        names = [(f"{county.name}新时代文明实践中心", Organization.Kind.CENTER, county.short_name + "中心")]
        towns = rng.sample(TOWNS, k=min(len(TOWNS), max(2, per_county // 3)))
        for town in towns:
            names.append(
                (f"{county.short_name}{town}镇新时代文明实践所", Organization.Kind.INSTITUTE, f"{town}所")
            )
        while len(names) < per_county:
            village = rng.choice(VILLAGES)
            town = rng.choice(towns)
            names.append(
                (
                    f"{county.short_name}{town}镇{village}村新时代文明实践站",
                    Organization.Kind.STATION,
                    f"{village}站",
                )
            )
        for name, kind, short in names:
            if name in existing:
                continue
            existing.add(name)
            new.append(
                Organization(
                    name=name,
                    kind=kind,
                    short_name=short,
                    county=county,
                    star_level=rng.randint(0, 5),
                    sort_key=pinyin_key(name),
                )  # bulk_create skips save()
            )
    Organization.objects.bulk_create(new)
    return list(Organization.objects.select_related("county"))


def demo_users(context: DemoContext, usernames: list[str], *, email_domain: str, staff: bool = False) -> list:
    User = get_user_model()
    existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    User.objects.bulk_create(
        [
            User(username=u, email=f"{u}@{email_domain}", password=context.password_hash, is_staff=staff)
            for u in usernames
            if u not in existing
        ]
    )
    return list(User.objects.filter(username__in=usernames).order_by("username"))


def build_submission(context: DemoContext) -> None:
    """Counties, organizations, teams, an open contest with entries and photos, and the demo
    accounts: organizer, supervisor, coordinator01…, team0001… (password demo-2021; judging
    adds judge001… to this stage)."""
    rng = context.rng
    now = timezone.now()
    build_reference_data(context)
    n_entries = max(0, context.entries)
    n_teams = max(1, (n_entries * 2 + 2) // 3)
    organizations = _organizations(context, per_county=max(6, n_teams // (len(COUNTIES) * 2) + 2))

    groups = {
        g.name: g
        for g in Group.objects.filter(name__in=[roles.ORGANIZERS, roles.SUPERVISORS, roles.COORDINATORS])
    }
    organizer = demo_users(context, ["organizer"], email_domain="demo.invalid", staff=True)[0]
    organizer.groups.add(groups[roles.ORGANIZERS])
    supervisor = demo_users(context, ["supervisor"], email_domain="demo.invalid", staff=True)[0]
    supervisor.groups.add(groups[roles.SUPERVISORS])

    counties = list(County.objects.all())
    coordinators = demo_users(
        context,
        [f"coordinator{i:02d}" for i in range(1, len(counties) + 1)],
        email_domain="demo.invalid",
        staff=True,
    )
    groups[roles.COORDINATORS].user_set.add(*coordinators)
    Coordinator.objects.bulk_create(
        [Coordinator(user=u, county=c) for u, c in zip(coordinators, counties, strict=True)],
        ignore_conflicts=True,
    )

    contest = Contest.objects.create(
        title=f"{now.year}年长治市新时代文明实践志愿服务项目大赛",
        year=now.year,
        slug=DEMO_CONTEST_SLUG,
        description="聚焦理论政策宣讲、文化文艺服务、助学支教、医疗健身、科学普及、法律服务、卫生环保、"
        "扶贫帮困八大类别，发现、培育、选树百个优秀志愿服务项目。",
        submission_opens=now - timedelta(days=30),
        submission_closes=now + timedelta(days=30),
        max_entries_per_team=3,
    )
    categories = list(Category.objects.all())
    contest.categories.set(categories)
    context.contest = contest

    team_users = demo_users(
        context, [f"team{i:04d}" for i in range(1, n_teams + 1)], email_domain="demo.invalid"
    )

    teams = []
    for user in team_users:
        org = rng.choice(organizations)
        place = (
            org.name.replace("新时代文明实践", "").removesuffix("中心").removesuffix("所").removesuffix("站")
        )
        name = f"{place}{rng.choice(TEAM_STYLES)}志愿服务队"
        teams.append(
            Team(
                user=user,
                name=name,
                organization=org,
                contact_name=_person(rng),
                contact_phone=_phone(rng),
                sort_key=pinyin_key(name),
                created_at=now - timedelta(days=rng.randint(31, 60)),
            )
        )
    Team.objects.bulk_create(teams)
    teams = list(Team.objects.filter(user__in=team_users).select_related("organization__county"))
    TeamMember.objects.bulk_create(
        [
            TeamMember(team=team, name=_person(rng), role=role, sort_order=i)
            for team in teams
            for i, role in enumerate(["队长", "副队长", "志愿者"][: rng.randint(1, 3)])
        ]
    )

    pool = _photo_pool(rng)
    storage = private_storage()
    entries, photo_specs = [], []
    by_code = {c.code: c for c in categories}
    for i in range(n_entries):
        team = teams[i % len(teams)]
        category = (
            by_code[list(CATEGORY_PROJECTS)[i % len(CATEGORY_PROJECTS)]] if i < 8 else rng.choice(categories)
        )
        brand, theme = rng.choice(CATEGORY_PROJECTS[category.code])
        place = team.organization.county.name + team.organization.name.split("新时代")[0].removeprefix(
            team.organization.county.short_name
        )
        volunteers, beneficiaries = rng.randint(12, 300), rng.randint(200, 20000)
        hours = volunteers * rng.randint(10, 80)
        texts = _entry_texts(
            rng,
            brand=brand,
            theme=theme,
            category=category.name,
            place=place,
            team_name=team.name,
            leader=team.contact_name,
            volunteers=volunteers,
            beneficiaries=beneficiaries,
            hours=hours,
        )
        roll = rng.random()
        status = (
            Entry.Status.SUBMITTED
            if roll < 0.85
            else (Entry.Status.DRAFT if roll < 0.95 else Entry.Status.WITHDRAWN)
        )
        created = now - timedelta(days=rng.randint(1, 29), minutes=rng.randint(0, 1440))
        submitted_at = created + timedelta(hours=rng.randint(1, 48)) if status != Entry.Status.DRAFT else None
        entries.append(
            Entry(
                contest=contest,
                team=team,
                category=category,
                title=f"“{brand}”{theme}"[:60],
                summary=texts[0][:500],
                need=texts[1],
                approach=texts[2],
                innovation=texts[3],
                outcomes=texts[4],
                volunteers=volunteers,
                beneficiaries=beneficiaries,
                service_hours=hours,
                activities=rng.randint(20, 400),
                started_on=date(rng.randint(2016, 2020), rng.randint(1, 12), 1),
                status=status,
                consent_publish=True,
                consent_guardians=True,
                submitted_at=submitted_at,
                created_at=created,
                updated_at=submitted_at or created,
            )
        )
        photo_specs.append(rng.randint(1, 3))
    Entry.objects.bulk_create(entries, batch_size=500)
    entries = list(Entry.objects.filter(contest=contest).select_related("team").order_by("pk"))

    photos, events = [], []
    for entry, count in zip(entries, photo_specs, strict=True):
        for n in range(count):
            content = pool[rng.randrange(len(pool))]
            name = storage.save(random_file_name("photos", "jpg"), ContentFile(content))
            photos.append(
                EntryPhoto(
                    entry=entry,
                    file=name,
                    content_type="image/jpeg",
                    width=800,
                    height=600,
                    size=len(content),
                    caption=rng.choice(["服务现场", "志愿者合影", "活动掠影", "入户走访", ""]),
                    sort_order=n + 1,
                )
            )
        events.append(
            EntryEvent(
                entry=entry, kind=EntryEvent.Kind.CREATED, actor_id=entry.team.user_id, at=entry.created_at
            )
        )
        if entry.submitted_at:
            events.append(
                EntryEvent(
                    entry=entry,
                    kind=EntryEvent.Kind.SUBMITTED,
                    actor_id=entry.team.user_id,
                    at=entry.submitted_at,
                )
            )
    EntryPhoto.objects.bulk_create(photos, batch_size=1000)
    EntryEvent.objects.bulk_create(events, batch_size=1000)
    context.log(
        f"  {len(counties)} counties, {len(organizations)} organizations, {len(teams)} teams, "
        f"{len(entries)} entries, {len(photos)} photos"
    )


register_stage("submission", build_submission)
