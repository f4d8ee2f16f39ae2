"""The demo site: settings, home, contest page, the featured projects published, stories and
the standard pages, built at the end of the demo's ``published`` stage.

Every image is drawn here with Pillow (warm scenes of shapes, and a QR-like pattern for the
WeChat code) and stored in the contest's image collection; nothing is read from outside.
The texts are demo content (data, not interface), in Chinese; people and figures are made up.
"""

import io
import logging
import random
import uuid
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

from django.db.models.signals import post_save
from django.utils import timezone
from PIL import Image, ImageDraw, ImageOps
from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex, Site
from wagtail.search import signal_handlers as search_signal_handlers
from wagtail.search.backends import get_search_backends
from wagtail.search.index import class_is_indexed, get_indexed_models
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.signals import page_published

from competition import demo as competition_demo
from competition.models import Category
from judging import demo as _judging_demo  # noqa: F401  (registers the "published" stage first)

from . import receivers, services
from .models import ProjectPage, SiteSettings, StandardPage, StoryIndexPage, StoryPage

# --- Pictures --------------------------------------------------------------------------------------

WARM_SKIES = [
    ((255, 214, 153), (255, 140, 90)),
    ((255, 230, 180), (240, 120, 80)),
    ((255, 200, 140), (220, 90, 70)),
    ((250, 235, 200), (250, 170, 90)),
    ((255, 222, 173), (230, 130, 110)),
]
GROUNDS = [(196, 120, 64), (170, 96, 52), (214, 150, 80), (150, 110, 60), (120, 140, 70)]
CLOTHES = [(200, 40, 40), (230, 90, 30), (240, 170, 40), (190, 50, 90), (60, 120, 170), (220, 60, 50)]


def _jpeg(image: Image.Image, quality=80) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=False)
    return out.getvalue()


def scene(rng: random.Random, width=1200, height=800, motif: str = "") -> bytes:
    """A warm outdoor scene: sky, sun, hills, houses, trees, a banner and a crowd in red vests,
    with an object hinting at the category (*motif*)."""
    top, bottom = rng.choice(WARM_SKIES)
    sky = ImageOps.colorize(Image.linear_gradient("L").resize((width, height)), top, bottom)
    draw = ImageDraw.Draw(sky)
    horizon = int(height * rng.uniform(0.55, 0.68))
    sun_x, sun_r = rng.randint(width // 6, width * 5 // 6), rng.randint(height // 14, height // 8)
    draw.ellipse(
        [sun_x - sun_r, horizon // 3 - sun_r, sun_x + sun_r, horizon // 3 + sun_r], fill=(255, 245, 210)
    )
    for layer in range(2):  # far and near hills
        shade = (200 - 40 * layer, 120 - 20 * layer, 90 - 10 * layer)
        points = [(0, horizon)]
        for x in range(0, width + 200, 200):
            points.append((x, horizon - rng.randint(20, 120) // (layer + 1)))
        points.append((width, horizon + 40))
        points.append((0, horizon + 40))
        draw.polygon(points, fill=shade)
    draw.rectangle([0, horizon, width, height], fill=rng.choice(GROUNDS))
    for _house in range(rng.randint(2, 4)):  # houses with red roofs
        x = rng.randint(0, width - 160)
        w, h = rng.randint(110, 180), rng.randint(70, 110)
        base = horizon + rng.randint(-10, 20)
        draw.rectangle([x, base - h, x + w, base], fill=(245, 232, 210))
        draw.polygon(
            [(x - 12, base - h), (x + w // 2, base - h - 50), (x + w + 12, base - h)], fill=(180, 50, 40)
        )
        draw.rectangle([x + w // 2 - 12, base - 40, x + w // 2 + 12, base], fill=(120, 70, 40))
    for _tree in range(rng.randint(2, 5)):
        x, base = rng.randint(0, width), horizon + rng.randint(0, 30)
        draw.rectangle([x - 6, base - 60, x + 6, base], fill=(110, 70, 40))
        draw.ellipse([x - 40, base - 130, x + 40, base - 50], fill=(90 + rng.randint(0, 60), 140, 60))
    if rng.random() < 0.7:  # a red banner on two poles
        left = rng.randint(40, width // 2)
        right = left + rng.randint(width // 4, width // 2)
        y = horizon - rng.randint(120, 200)
        draw.rectangle([left, y, left + 6, horizon + 20], fill=(90, 60, 40))
        draw.rectangle([right, y, right + 6, horizon + 20], fill=(90, 60, 40))
        draw.rectangle([left, y, right + 6, y + 46], fill=(200, 30, 35))
        for n in range(6):  # "characters" on the banner
            cx = left + 20 + n * (right - left - 20) // 6
            draw.rectangle([cx, y + 12, cx + 22, y + 34], fill=(250, 215, 120))
    _motif(draw, rng, motif, width, height, horizon)
    for _person in range(rng.randint(5, 11)):  # volunteers in red vests and others
        x = rng.randint(30, width - 30)
        y = rng.randint(horizon + 40, height - 20)
        scale = 0.6 + (y - horizon) / (height - horizon)
        r = int(18 * scale)
        body = rng.choice(CLOTHES)
        draw.rounded_rectangle([x - r, y - 4 * r, x + r, y - r], radius=r // 2, fill=body)
        draw.ellipse([x - r * 0.8, y - 5.6 * r, x + r * 0.8, y - 4 * r], fill=(240, 200, 160))
        draw.rectangle([x - r * 0.8, y - r, x - r * 0.2, y], fill=(60, 60, 80))
        draw.rectangle([x + r * 0.2, y - r, x + r * 0.8, y], fill=(60, 60, 80))
    return _jpeg(sky)


def _motif(draw, rng, motif, width, height, horizon):
    x = rng.randint(width // 5, width * 4 // 5)
    y = horizon + rng.randint(10, 60)
    if motif == "education":  # an open book on a desk
        draw.rectangle([x - 110, y, x + 110, y + 18], fill=(130, 80, 40))
        draw.polygon([(x - 100, y - 50), (x, y - 40), (x, y), (x - 100, y - 8)], fill=(255, 255, 245))
        draw.polygon([(x + 100, y - 50), (x, y - 40), (x, y), (x + 100, y - 8)], fill=(250, 248, 235))
    elif motif == "health":  # a first-aid tent with a red cross
        draw.polygon([(x - 120, y + 20), (x, y - 110), (x + 120, y + 20)], fill=(250, 250, 250))
        draw.rectangle([x - 12, y - 60, x + 12, y - 4], fill=(210, 30, 40))
        draw.rectangle([x - 36, y - 44, x + 36, y - 20], fill=(210, 30, 40))
    elif motif == "culture":  # a stage with a big drum
        draw.rectangle([x - 160, y - 20, x + 160, y + 20], fill=(160, 40, 40))
        draw.ellipse([x - 50, y - 110, x + 50, y - 20], fill=(200, 60, 40), outline=(250, 200, 80), width=6)
    elif motif == "environment":  # a blue river across the ground
        draw.polygon(
            [
                (0, height - 60),
                (width // 3, y + 30),
                (width, y + 10),
                (width, y + 50),
                (width // 3, y + 80),
                (0, height),
            ],
            fill=(110, 170, 210),
        )
    elif motif == "science":  # a large phone screen
        draw.rounded_rectangle([x - 60, y - 150, x + 60, y + 40], radius=16, fill=(40, 40, 50))
        draw.rectangle([x - 50, y - 135, x + 50, y + 20], fill=(120, 200, 230))
        for n in range(3):
            draw.rectangle([x - 40, y - 120 + 40 * n, x - 10, y - 95 + 40 * n], fill=(250, 200, 80))
    elif motif == "legal":  # a consultation table under an umbrella
        draw.rectangle([x - 90, y - 30, x + 90, y], fill=(60, 90, 160))
        draw.pieslice([x - 120, y - 170, x + 120, y - 40], 180, 360, fill=(230, 80, 50))
        draw.rectangle([x - 3, y - 105, x + 3, y - 30], fill=(80, 60, 40))
    elif motif == "relief":  # a shop front with shelves of goods
        draw.rectangle([x - 130, y - 130, x + 130, y + 10], fill=(250, 235, 200))
        draw.rectangle([x - 140, y - 160, x + 140, y - 130], fill=(200, 40, 40))
        for row in range(3):
            for col in range(6):
                cx, cy = x - 110 + col * 38, y - 115 + row * 40
                draw.rectangle([cx, cy, cx + 26, cy + 28], fill=rng.choice(CLOTHES))
    elif motif == "theory":  # benches in rows before a lectern
        draw.rectangle([x - 20, y - 90, x + 20, y - 10], fill=(170, 40, 40))
        for row in range(2):
            draw.rectangle([x - 180, y + 20 + 30 * row, x + 180, y + 30 + 30 * row], fill=(120, 80, 50))


def qr_like(rng: random.Random, modules=29, scale=10) -> bytes:
    """A PNG that looks like a QR code: three finder squares, timing lines, random modules."""
    grid = [[rng.random() < 0.45 for _x in range(modules)] for _y in range(modules)]
    for gx, gy in ((0, 0), (modules - 7, 0), (0, modules - 7)):
        for y in range(-1, 8):
            for x in range(-1, 8):
                if 0 <= gx + x < modules and 0 <= gy + y < modules:
                    ring = max(abs(x - 3), abs(y - 3))
                    grid[gy + y][gx + x] = ring in (0, 1, 3) and 0 <= x < 7 and 0 <= y < 7
    for i in range(8, modules - 8):
        grid[6][i] = grid[i][6] = i % 2 == 0
    quiet = 4
    size = (modules + 2 * quiet) * scale
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(grid):
        for x, dark in enumerate(row):
            if dark:
                left, top = (x + quiet) * scale, (y + quiet) * scale
                draw.rectangle([left, top, left + scale - 1, top + scale - 1], fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class _Pictures:
    """Makes and stores the demo's pictures in the contest's collection."""

    def __init__(self, rng, collection):
        self.rng = rng
        self.collection = collection
        self.count = 0

    def scene(self, title: str, *, motif="", width=1200, height=800):
        self.count += 1
        return services.library_image(
            scene(self.rng, width, height, motif),
            title=title,
            file_name=f"demo-{self.count:02d}.jpg",
            collection=self.collection,
            description=title,
        )

    def qr(self, title: str):
        self.count += 1
        return services.library_image(
            qr_like(self.rng), title=title, file_name="wechat-qr.png", collection=self.collection
        )


# --- Texts ------------------------------------------------------------------------------------------


def _rich(*paragraphs: str) -> str:
    return "".join(p if p.startswith("<") else f"<p>{p}</p>" for p in paragraphs)


def _paragraph(*paragraphs: str) -> dict:
    return {"type": "paragraph", "value": _rich(*paragraphs)}


def _image(image, alt: str, caption: str = "") -> dict:
    return {"type": "image", "value": {"image": image.pk, "alt": alt, "caption": caption}}


def _figures(*figures: tuple[str, str, str]) -> dict:
    return {
        "type": "figures",
        "value": {"figures": [{"value": v, "unit": u, "label": label} for v, u, label in figures]},
    }


def _quote(text: str, source: str) -> dict:
    return {"type": "quote", "value": {"text": text, "source": source}}


CONTEST_RULES = _rich(
    "<h2>一、参赛对象</h2>",
    "全市各县（市、区）新时代文明实践中心、所、站组建或指导的志愿服务队伍，以及在民政部门登记、"
    "长期在我市开展志愿服务的社会组织。每支队伍本届最多申报 3 个项目。",
    "<h2>二、项目类别</h2>",
    "<ul><li>理论政策宣讲</li><li>文化文艺服务</li><li>助学支教</li><li>医疗健身</li>"
    "<li>科学普及</li><li>法律服务</li><li>卫生环保</li><li>扶贫帮困</li></ul>",
    "<h2>三、申报条件</h2>",
    "<ol><li>项目已实际运行一年以上，有稳定的志愿者队伍和固定的服务阵地；</li>"
    "<li>服务对象明确，服务内容贴近群众需求，有可核实的服务记录；</li>"
    "<li>志愿服务时长已在全国志愿服务信息系统中记录；</li>"
    "<li>申报材料真实，照片中如有未成年人，须取得其监护人同意。</li></ol>",
    "<h2>四、申报方式</h2>",
    "参赛团队在本网站注册账号后在线填写项目申报书，上传 1 至 9 张项目照片和相关证明材料，"
    "在申报截止前提交。提交后、截止前仍可撤回修改。县（市、区）管理员对本地项目进行资格审查。",
    "<h2>五、评审方式</h2>",
    "组委会从高校、党校、媒体和志愿服务领域邀请专家组成评审委员会。评审采取网上匿名评审，"
    "评委看不到团队名称、所属阵地和联系方式，每个项目至少由 3 位评委独立评分，"
    "评分标准包括项目设计、服务成效、创新特色、可持续性和示范带动作用五个方面。",
    "<h2>六、结果公示</h2>",
    "评审结果经组委会审定后，入围名单在本网站公示 5 个工作日。公示期间，任何单位和个人"
    "均可对入围项目提出异议，组委会将逐一核实答复。公示结束后正式公布百个优秀志愿服务项目。",
    "<h2>七、其他事项</h2>",
    "参赛项目不收取任何费用。对弄虚作假的项目，一经查实即取消参赛资格。本规则由大赛组委会负责解释。",
)

ABOUT_BODY = [
    _paragraph(
        "新时代文明实践志愿服务项目大赛由市委宣传部、市文明办主办，各县（市、区）新时代文明实践中心承办，"
        "每年举办一届。大赛旨在发现、培育、选树一批贴近群众、主题鲜明、内容丰富、成效显著的志愿服务项目，"
        "推动新时代文明实践志愿服务常态化、制度化、项目化发展。",
        "大赛聚焦理论政策宣讲、文化文艺服务、助学支教、医疗健身、科学普及、法律服务、卫生环保、"
        "扶贫帮困八大类别，面向全市新时代文明实践中心、所、站的志愿服务队伍征集项目。",
    ),
    _figures(("13", "个", "县（市、区）参与"), ("8", "类", "服务类别"), ("100", "个", "优秀项目")),
    _paragraph(
        "<h2>大赛流程</h2>",
        "大赛分为项目申报、资格审查、专家评审、入围公示和结果公布五个阶段。专家评审采用网上匿名评审，"
        "评委看不到参赛团队的名称和所属阵地，确保评审公平公正。",
        "<h2>成果展示</h2>",
        "入选的优秀项目将在本网站“优秀项目”栏目集中展示，并择优向省级和全国志愿服务项目大赛推荐。"
        "“先进典型”栏目持续报道优秀项目背后的志愿者故事。",
    ),
]

FAQ_BODY = [
    _paragraph(
        "<h3>谁可以参加大赛？</h3>",
        "全市新时代文明实践中心、所、站组建或指导的志愿服务队伍，以及长期在我市开展志愿服务的社会组织均可参加。",
        "<h3>一个团队可以申报几个项目？</h3>",
        "每支队伍每届最多申报 3 个项目，每个项目只能选择一个类别。",
        "<h3>申报需要准备哪些材料？</h3>",
        "项目申报书（在线填写）、1 至 9 张项目照片，以及服务记录、媒体报道等证明材料（PDF 格式）。",
        "<h3>提交后还能修改吗？</h3>",
        "申报截止前，可以撤回已提交的项目，修改后重新提交；截止后不能再修改。",
        "<h3>评委能看到我们团队的名字吗？</h3>",
        "不能。评审采用匿名方式，评委看到的申报材料中，团队名称、所属阵地、联系人和联系方式均已隐去。",
        "<h3>照片中有未成年人怎么办？</h3>",
        "须事先取得其监护人同意，并在申报时勾选确认。项目入选后，照片将在本网站公开展示。",
        "<h3>对公示结果有异议怎么办？</h3>",
        "公示期间，可在公示页面提交异议，写明理由和联系方式，组委会将核实后答复。",
    )
]


def contact_body() -> list[dict]:
    return [
        _paragraph(
            "<h2>大赛组委会办公室</h2>",
            "地址：长治市潞州区英雄中路 318 号 市新时代文明实践中心 3 楼",
            "电话：0355-2012345（工作日 8:30—12:00，14:30—17:30）",
            "电子邮箱：zyfw@example.org",
            "<h2>各县（市、区）联系方式</h2>",
            "项目申报和资格审查的问题，请联系所在县（市、区）新时代文明实践中心，"
            "或登录本网站后在“我的项目”中查看县区管理员的审查意见。",
        )
    ]


# Each story: category code → title, author, intro, paragraphs, quote, key figures, the cover's
# and the inline picture's descriptions, and a gallery title (no gallery when empty).
STORIES = {
    "theory": {
        "title": "板凳会上话政策：屯留区“田间课堂”把理论送到炕头",
        "author": "市文明办 李春燕",
        "intro": "在屯留区的村头巷尾，一张张小板凳围成的“田间课堂”，让党的创新理论和惠民政策走进了群众心里。",
        "paragraphs": [
            "傍晚六点，屯留区渔泽镇王村的文化广场上已经摆好了二十多条板凳。宣讲员张志强把讲稿换成了顺口溜，"
            "从医保缴费讲到耕地地力补贴，台下的老乡不时点头，也不时插话提问。这样的“板凳会”，王村每月要开两到三次。",
            "“过去开会念文件，大家听不进去；现在用老百姓的话讲政策，讲完还能当场答疑。”张志强说。"
            "宣讲队由退休教师、驻村干部和返乡大学生组成，队员们事先入户收集群众最关心的问题，"
            "再围绕问题准备宣讲内容，做到群众想听什么就讲什么。",
            "三年来，“田间课堂”走遍了全镇 28 个行政村，开展宣讲 460 余场。"
            "宣讲队还把政策要点编成快板、三句半，在农闲时节搭台演出，让理论宣讲有了“烟火气”。",
            "宣讲之外，队员们还帮群众办实事：帮老人在手机上缴纳医保，帮种植户申报农机购置补贴，"
            "把群众反映的问题整理成清单交给镇村两级办理。群众说：“这些宣讲员，讲的是政策，办的是实事。”",
        ],
        "quote": ("讲政策要讲到老乡心坎上，得先知道老乡心里想的是什么。", "宣讲员 张志强"),
        "figures": [("460", "场", "宣讲活动"), ("28", "个", "覆盖行政村"), ("1.2", "万人次", "听众")],
        "cover": "村民围坐在板凳上听宣讲员讲政策",
        "caption": "宣讲员在村文化广场开展“板凳会”宣讲",
        "gallery": "",
    },
    "culture": {
        "title": "八音会又响起来了：上党区非遗传习队的十年坚守",
        "author": "本网记者 王晓东",
        "intro": "上党八音会是国家级非物质文化遗产。在上党区，一支由老艺人和年轻人组成的志愿服务队，"
        "让这门古老的民间音乐在乡村舞台上重新响起。",
        "paragraphs": [
            "每周六上午，上党区荫城镇新时代文明实践所的排练室里总是格外热闹。唢呐、笙、鼓、锣、铙钹齐鸣，"
            "七十二岁的老艺人郭德明一边打着节拍，一边纠正年轻队员的指法。",
            "十年前，八音会面临后继无人的困境。郭德明和几位老艺人自发组建传习队，免费教授有兴趣的村民和学生。"
            "如今，传习队已有固定队员 46 人，其中 35 岁以下的年轻人占了一半。",
            "传习队坚持“送戏下乡”，每年在全区各村巡演四十余场，逢年过节还为敬老院、留守儿童之家专场演出。"
            "队员们把八音会曲牌与新编的文明新风唱词结合，移风易俗、孝老爱亲的故事在锣鼓声中传遍乡里。",
            "去年，传习队走进区内 6 所中小学开设八音会兴趣课，编写了通俗易懂的乡土教材。"
            "“只要有人愿意学，我们就一直教下去。”郭德明说。",
        ],
        "quote": ("老祖宗留下的好东西，不能在我们手里断了。", "非遗传习队队长 郭德明"),
        "figures": [("46", "名", "固定队员"), ("40", "余场", "每年下乡巡演"), ("6", "所", "合作中小学")],
        "cover": "八音会传习队的老艺人和年轻队员一起排练",
        "caption": "传习队在村里的戏台上为群众演出",
        "gallery": "传习队排练与演出掠影",
    },
    "education": {
        "title": "七彩课堂点亮留守儿童的课后时光",
        "author": "市文明办 赵雨桐",
        "intro": "放学后去哪儿？在平顺县，一间间“七彩课堂”给留守儿童提供了安全、温暖的去处，"
        "也让助学支教成为乡村最受欢迎的志愿服务。",
        "paragraphs": [
            "下午四点半，平顺县青羊镇中心学校的放学铃声响起，三十多个孩子背着书包走进了隔壁的新时代文明实践站。"
            "这里的“七彩课堂”已经为他们准备好作业辅导、绘本阅读和手工课。",
            "平顺县外出务工人员多，不少孩子由祖辈照看，课后辅导成了难题。"
            "2019 年，县新时代文明实践中心联合县教育局、团县委，"
            "招募退休教师、大学生和机关干部组建助学支教志愿服务队，在乡镇学校周边设立课堂。",
            "课堂实行“一生一档”，志愿者定期家访，把孩子的学习情况反馈给远方的父母。寒暑假期间，"
            "高校志愿者来到山区开展支教夏令营，带孩子们做科学实验、排演课本剧。",
            "五年来，“七彩课堂”从 1 个发展到 17 个，累计服务留守儿童 3600 余人次。"
            "不少孩子的成绩有了明显提高，更重要的是，他们变得开朗、自信了。",
        ],
        "quote": ("孩子们喊我一声“老师”，我就得对得起这声称呼。", "退休教师志愿者 韩桂兰"),
        "figures": [
            ("17", "个", "七彩课堂"),
            ("3600", "人次", "服务留守儿童"),
            ("210", "名", "助学支教志愿者"),
        ],
        "cover": "孩子们放学后走进“七彩课堂”",
        "caption": "志愿者在“七彩课堂”为孩子们辅导作业",
        "gallery": "七彩课堂的一天",
    },
    "health": {
        "title": "健康小屋开到家门口：壶关县义诊志愿服务队走村入户",
        "author": "本网记者 陈海燕",
        "intro": "血压计、血糖仪、一个药箱，壶关县的医务志愿者把健康服务送到了山区群众家门口。",
        "paragraphs": [
            "清晨七点，壶关县人民医院的志愿者们就出发了。山路弯弯，他们要赶在村民下地之前到达东井岭乡的“健康小屋”。"
            "量血压、测血糖、讲解用药，一上午下来，服务了七十多位村民。",
            "“健康小屋”设在村新时代文明实践站里，配备了基本检测设备。县医院、乡镇卫生院和村医组成志愿服务小组，"
            "每月定期坐诊，为高血压、糖尿病等慢病患者建立随访档案。",
            "针对行动不便的老人，志愿者还开展上门随访服务，手把手教家属护理技巧。每逢农闲，"
            "服务队在村广场开设健康讲座，普及合理膳食和科学健身知识，带着村民一起跳健身操。",
            "三年来，服务队累计义诊 1.5 万人次，筛查出需要进一步治疗的患者 300 余人，并协助他们转诊就医。",
        ],
        "quote": ("群众看病难，我们就多跑几步路。", "医务志愿者 宋立新"),
        "figures": [("1.5", "万人次", "义诊服务"), ("300", "余人", "协助转诊"), ("24", "个", "村级健康小屋")],
        "cover": "医务志愿者走进山村的“健康小屋”",
        "caption": "医务志愿者在“健康小屋”为村民测量血压",
        "gallery": "",
    },
    "science": {
        "title": "智慧助老：潞城区“手机课堂”教老人跨越数字鸿沟",
        "author": "市文明办 周思远",
        "intro": "扫码、挂号、视频通话……在潞城区，一群年轻的科普志愿者手把手教老年人用智能手机，"
        "让他们共享数字生活的便利。",
        "paragraphs": [
            "“先点这个绿色的图标，再点右上角的加号……”在潞城区成家川街道的社区活动室里，大学生志愿者刘一鸣"
            "正耐心地教六十八岁的王秀英用手机挂号。学会之后，王秀英高兴地说：“以后看病不用天不亮就去排队了。”",
            "“智慧助老”项目由区科协和团区委联合发起，志愿者以在校大学生、通信企业员工为主。课堂采用“一对一”"
            "“手把手”的方式，编印了大字版操作手册，把常用功能分解成一步步的图示。",
            "项目还开设了防范电信诈骗专题课，用真实案例提醒老人守好“钱袋子”。针对农村老人，志愿者每月走进乡村"
            "开设流动课堂，同时开展科普大篷车进校园、进社区活动。",
            "两年来，“手机课堂”累计开课 380 余期，帮助 4200 多名老年人学会了智能手机的常用功能。",
        ],
        "quote": ("教会一位老人，就少了一份孤单，多了一份便利。", "大学生志愿者 刘一鸣"),
        "figures": [("380", "期", "手机课堂"), ("4200", "名", "受益老人"), ("95", "%", "学员满意度")],
        "cover": "老人在志愿者帮助下学习使用智能手机",
        "caption": "大学生志愿者教老人用智能手机挂号",
        "gallery": "手机课堂现场",
    },
    "legal": {
        "title": "“法律明白人”守护乡村和谐",
        "author": "本网记者 孙文静",
        "intro": "在襄垣县，一支由律师、司法所干部和村“法律明白人”组成的志愿服务队，"
        "把法律服务送到田间地头，把矛盾纠纷化解在萌芽状态。",
        "paragraphs": [
            "襄垣县夏店镇的两户村民因宅基地边界问题争执多年。今年春天，“法润乡村”志愿服务队的律师和村里的"
            "“法律明白人”一起上门，查资料、量边界、讲法律，最终促成双方签订了调解协议。",
            "服务队在全县各镇设立公益法律咨询点，每周固定时间坐班，为群众提供免费法律咨询。针对农民工讨薪、"
            "婚姻家庭、土地承包等常见问题，志愿者编写了通俗易懂的普法手册。",
            "服务队还注重培养本土力量，每年为村里的“法律明白人”开展培训，让他们成为群众身边懂法、用法、守法的带头人。"
            "在校园里，“护苗行动”普法课把未成年人保护知识讲给孩子和家长听。",
            "项目开展以来，累计提供法律咨询 5600 余人次，调解矛盾纠纷 420 余起，调解成功率达 93%。",
        ],
        "quote": ("把矛盾化解在村里，比打一场官司更有意义。", "律师志愿者 许俊杰"),
        "figures": [("5600", "人次", "法律咨询"), ("420", "余起", "调解纠纷"), ("93", "%", "调解成功率")],
        "cover": "“法律明白人”在村里调解邻里纠纷",
        "caption": "律师志愿者在公益法律咨询点为群众答疑",
        "gallery": "",
    },
    "environment": {
        "title": "守护漳河：沁县志愿者的巡河日记",
        "author": "市文明办 杨雪梅",
        "intro": "漳河发源于太行山区。在沁县，一支由村民、学生和退休职工组成的巡河志愿服务队，"
        "用脚步守护着家乡的一河清水。",
        "paragraphs": [
            "每周二和周五的早上，沁县漳源镇的巡河志愿者都会沿着河岸走上一圈，捡拾垃圾、查看排污口、记录水质变化。"
            "巡河日记已经写满了十几本。",
            "服务队组建于 2018 年，最初只有十几名村民。他们在河边竖起宣传牌，挨家挨户劝说村民不往河里倒垃圾。"
            "渐渐地，越来越多的人加入进来，学校把巡河活动纳入劳动教育，企业也派出员工参与。",
            "服务队还推行“绿色银行”积分制：村民参与垃圾分类、废旧物品回收，就能积攒积分，在村里的爱心超市兑换"
            "生活用品。环保从一个人的坚持，变成了一个村的习惯。",
            "如今，漳河沁县段沿岸环境明显改善，河岸垃圾基本清零，白鹭又回到了河滩上。",
        ],
        "quote": ("河水清了，白鹭回来了，这就是对我们最好的回报。", "巡河志愿者 段永刚"),
        "figures": [("1800", "次", "累计巡河"), ("35", "公里", "守护河段"), ("12", "吨", "清理垃圾")],
        "cover": "巡河志愿者走在漳河河岸上",
        "caption": "巡河志愿者沿漳河河岸捡拾垃圾",
        "gallery": "巡河路上",
    },
    "relief": {
        "title": "爱心超市里的“积分账本”",
        "author": "本网记者 马德明",
        "intro": "在武乡县，村里的爱心超市不收现金只收积分。"
        "一本小小的积分账本，记下了群众参与志愿服务的点点滴滴，也让困难群众得到了实实在在的帮扶。",
        "paragraphs": [
            "走进武乡县蟠龙镇的爱心超市，货架上摆满了米面油、洗衣液和学习用品。和普通超市不同，这里的商品只能用"
            "积分兑换。积分从哪来？打扫村里卫生、照顾孤寡老人、参加志愿服务，都能挣到积分。",
            "爱心超市由镇新时代文明实践所牵头建立，物资来自爱心企业和社会捐赠。困难家庭每月可领取基本生活积分，"
            "其他村民通过参与公益活动积累积分，既帮扶了困难群众，又激发了大家参与志愿服务的热情。",
            "志愿者还定期走访独居老人和残疾人家庭，帮他们打扫卫生、代购药品；"
            "在农产品丰收季节，组织“消费帮扶”直播，帮助农户把小米、核桃卖出大山。",
            "爱心超市运营四年来，累计发放积分 46 万分，帮扶困难群众 2300 余户次，"
            "带动 8000 多名村民参与志愿服务。",
        ],
        "quote": ("积分账本记的不只是分数，更是乡里乡亲的情分。", "爱心超市志愿者 曹春燕"),
        "figures": [
            ("2300", "余户次", "帮扶困难群众"),
            ("8000", "多名", "参与村民"),
            ("46", "万分", "发放积分"),
        ],
        "cover": "爱心超市的货架上摆满生活用品",
        "caption": "村民在爱心超市用积分兑换生活用品",
        "gallery": "",
    },
}
GALLERY_CAPTIONS = ["志愿者合影", "服务现场", "群众参与活动"]


# --- The site ----------------------------------------------------------------------------------------


@contextmanager
def _indexed_once():
    """Wagtail updates the search and reference indexes at every save of a page (three as it is
    drafted, revised and published) and of each of its photos; while the demo builds, they wait,
    and each object is indexed once at the end (see ``_index``). Log lines of every page and
    task wait too. Every handler and level is put back, whatever happens."""
    indexed = [model for model in get_indexed_models() if getattr(model, "search_auto_update", True)]
    loggers = [logging.getLogger(name) for name in ("wagtail", "django.tasks")]
    levels = [logger.level for logger in loggers]
    for model in indexed:
        post_save.disconnect(search_signal_handlers.post_save_signal_handler, sender=model)
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    # Renditions are made on first view instead: encoding them all would slow seeding down.
    page_published.disconnect(dispatch_uid="cms.make_renditions")
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        page_published.connect(receivers.make_renditions_after_publishing, dispatch_uid="cms.make_renditions")
        for model in indexed:
            post_save.connect(search_signal_handlers.post_save_signal_handler, sender=model)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _index(objects) -> None:
    by_model = defaultdict(list)
    for obj in objects:
        ReferenceIndex.create_or_update_for_object(obj)
        if class_is_indexed(type(obj)):
            by_model[type(obj)].append(obj)
    for backend in get_search_backends(with_auto_update=True):
        for model, items in by_model.items():
            backend.add_bulk(model, items)


def build_site(context: competition_demo.DemoContext) -> None:
    """Settings, home, contest page, showcase with every featured project published, stories
    (one per category) and the standard pages; every page live and indexed for search."""
    with _indexed_once():
        site_settings, collection = _build_site(context)
    home = services.home_page()
    _index(
        [
            *Page.objects.descendant_of(home, inclusive=True).specific(),
            *get_image_model().objects.filter(collection=collection),
            site_settings,
        ]
    )


def _build_site(context: competition_demo.DemoContext):
    contest = context.contest
    rng = random.Random(context.seed + 17)  # its own: the other stages' data stay as they were
    collection = services.contest_collection(contest)
    pictures = _Pictures(rng, collection)
    home = services.home_page()
    site = Site.objects.get(root_page=home)

    site_settings = SiteSettings.for_site(site)
    site_settings.organizer = "长治市委宣传部 · 长治市文明办"
    site_settings.address = "长治市潞州区英雄中路 318 号 市新时代文明实践中心 3 楼"
    site_settings.phone = "0355-2012345"
    site_settings.email = "zyfw@example.org"
    site_settings.footer_note = "演示网站：项目、人物和数据均为虚构。"
    site_settings.icp_number = "晋ICP备00000000号-1"
    site_settings.wechat_name = "长治文明实践"
    site_settings.wechat_qr = pictures.qr("微信公众号二维码")
    site_settings.save()

    home.hero_title = "新时代文明实践志愿服务项目大赛"
    home.hero_text = (
        "发现、培育、选树一批贴近群众、主题鲜明、内容丰富的优秀志愿服务项目，"
        "让志愿服务成为城市文明的亮丽名片。"
    )
    home.hero_image = pictures.scene("首页：志愿者在乡村广场开展服务", width=1600, height=900)
    home.body = _rich(
        "全市 13 个县（市、区）的新时代文明实践中心、所、站踊跃参赛，八大类别的志愿服务项目在这里集中亮相。"
    )
    home.save_revision().publish()

    # The contest's page was made with the contest (services.ensure_contest_page): the editors
    # give it a short title and slug, the rules and a share image.
    contest_page = services.ensure_contest_page(contest)
    contest_page.title = contest_page.draft_title = f"{contest.year}年大赛"
    contest_page.slug = services.free_child_slug(home, f"contest-{contest.year}", exclude=contest_page)
    contest_page.seo_title = contest.title
    contest_page.intro = services.contest_intro(contest.description)
    contest_page.rules = CONTEST_RULES
    contest_page.share_image = home.hero_image
    contest_page.save_revision().publish()

    showcase = services.showcase_index()
    pages = services.create_project_drafts(contest)
    published = services.publish_project_pages(pages)

    story_index = StoryIndexPage(
        title="先进典型",
        slug="stories",
        intro="优秀志愿服务项目背后的人和事：他们扎根基层，用点滴行动温暖身边的人。",
    )
    services.add_live_page(home, story_index, show_in_menus=True)
    stories = _stories(story_index, pictures, rng)

    about = StandardPage(
        title="关于大赛",
        slug="about",
        intro="大赛的由来、组织方式和评选流程。",
        body=ABOUT_BODY[:1]
        + [
            _image(
                pictures.scene("关于大赛：志愿者在新时代文明实践站开展活动"), "志愿者在新时代文明实践站前合影"
            )
        ]
        + ABOUT_BODY[1:],
    )
    services.add_live_page(home, about, show_in_menus=True)
    for page in (
        StandardPage(
            title="联系我们", slug="contact", intro="大赛组委会办公室的联系方式。", body=contact_body()
        ),
        StandardPage(title="常见问题", slug="faq", intro="参赛团队最常问到的问题。", body=FAQ_BODY),
    ):
        services.add_live_page(home, page, show_in_menus=False)

    context.log(
        f"  public site: {published} project pages published under {showcase.title}, "
        f"{len(stories)} stories, {pictures.count} pictures"
    )
    return site_settings, collection


def _stories(index: StoryIndexPage, pictures: _Pictures, rng: random.Random) -> list[StoryPage]:
    today = timezone.localdate()
    stories = []
    categories = {c.code: c for c in Category.objects.all()}
    for n, (code, story) in enumerate(STORIES.items()):
        category = categories.get(code)
        if category is None:
            continue
        cover = pictures.scene(story["cover"], motif=code)
        body = [_paragraph(*story["paragraphs"][:2])]
        body.append(
            _image(
                pictures.scene(story["caption"], motif=code, width=800, height=600),
                story["caption"],
                story["caption"],
            )
        )
        body.append(_paragraph(*story["paragraphs"][2:3]))
        body.append(_quote(*story["quote"]))
        body.append(_figures(*story["figures"]))
        body.append(_paragraph(*story["paragraphs"][3:]))
        if story["gallery"]:
            images = [
                pictures.scene(f"{story['gallery']}：{caption}", motif=code, width=800, height=600)
                for caption in GALLERY_CAPTIONS
            ]
            body.append(
                {
                    "type": "gallery",
                    "value": {
                        "title": story["gallery"],
                        "images": [
                            {
                                "type": "item",
                                # ListBlock items need an id, or Wagtail reads them as empty.
                                "id": str(uuid.uuid4()),
                                "value": {"image": image.pk, "alt": image.title, "caption": caption},
                            }
                            for image, caption in zip(images, GALLERY_CAPTIONS, strict=True)
                        ],
                    },
                }
            )
        page = StoryPage(
            title=story["title"],
            slug=f"story-{code}",
            date=today - timedelta(days=4 + 9 * n + rng.randint(0, 4)),
            author=story["author"],
            intro=story["intro"],
            cover_image=cover,
            cover_alt=story["cover"],
            body=body,
        )
        page.categories = [category]
        page.related_projects = list(
            ProjectPage.objects.live().filter(category=category).order_by("featured__rank", "pk")[:3]
        )
        services.add_live_page(index, page)
        stories.append(page)
    return stories


competition_demo.extend_stage("published", build_site)
