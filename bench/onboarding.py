"""City-scale onboarding from the templates: 13 counties, 150 towns, 3,000 stations (with their
13 centers and 150 institutes) and 60 judges, check step and import timed separately.

Usage: python bench/onboarding.py STEP DIR  (prints one JSON line). STEP is one of
make (write the two workbooks into DIR), check-places, import-places, check-judges,
import-judges. Each step runs in its own process, so that ``ru_maxrss`` (peak resident memory,
Django and all) is this step's alone; ``traced_peak_mb`` is the step's own Python allocations
(tracemalloc). Runs against DJANGO_SETTINGS_MODULE's database (bench/run.py gives it a fresh one).
"""

import json
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from openpyxl import Workbook  # noqa: E402

COUNTIES, TOWNS, STATIONS, JUDGES = 13, 150, 3000, 60


def make(folder: Path) -> dict:
    places = Workbook(write_only=True)
    counties = [f"第{i + 1}县" for i in range(COUNTIES)]
    sheet = places.create_sheet("县（市、区）")
    sheet.append(["名称", "简称", "排序"])
    for i, county in enumerate(counties):
        sheet.append([county, county[:-1], i + 1])
    towns = [(counties[i % COUNTIES], f"第{i + 1}镇") for i in range(TOWNS)]
    sheet = places.create_sheet("乡镇（街道）")
    sheet.append(["所属县（市、区）", "名称"])
    for county, town in towns:
        sheet.append([county, town])
    sheet = places.create_sheet("文明实践阵地")
    sheet.append(
        ["名称", "类型", "所属县（市、区）", "所属乡镇（街道）", "上级阵地", "地址", "联系人", "联系电话"]
    )
    rows = 0
    for county in counties:
        sheet.append([f"{county}新时代文明实践中心", "中心", county, "", "", "", "", "0355-2021234"])
        rows += 1
    for county, town in towns:
        sheet.append(
            [f"{town}新时代文明实践所", "所", county, town, f"{county}新时代文明实践中心", "", "", ""]
        )
        rows += 1
    for i in range(STATIONS):
        county, town = towns[i % TOWNS]
        sheet.append(
            [
                f"{town}第{i + 1}村新时代文明实践站",
                "站",
                county,
                town,
                f"{town}新时代文明实践所",
                f"{town}第{i + 1}村",
                "王芳",
                f"+86 138 {i:04d} 1234",
            ]
        )
        rows += 1
    places.save(folder / "places.xlsx")
    people = Workbook(write_only=True)
    sheet = people.create_sheet("评委")
    sheet.append(["姓名", "电子邮箱", "职务或职称", "擅长领域", "所在县（市、区）", "所在单位", "手机号码"])
    for i in range(JUDGES):
        county = counties[i % COUNTIES]
        sheet.append(
            [
                f"评委{i + 1}",
                f"judge{i + 1}@example.org",
                "教授",
                "助学支教、法律服务",
                county,
                f"{county}新时代文明实践中心",
                f"139{i:08d}",
            ]
        )
    people.save(folder / "judges.xlsx")
    return {"organization_rows": rows}


def step(name: str, folder: Path) -> dict:
    from competition.onboarding.places import places_check, places_import
    from judging.onboarding.people import judges_check, judges_import

    kind = "places" if "places" in name else "judges"
    tracemalloc.start()
    started = time.perf_counter()
    with (folder / f"{kind}.xlsx").open("rb") as upload:
        if name == "check-places":
            plan = places_check(upload=upload)
        elif name == "import-places":
            plan = places_import(upload=upload)
        elif name == "check-judges":
            plan = judges_check(upload=upload)
        else:
            plan, _links = judges_import(upload=upload, by=None)
    seconds = time.perf_counter() - started
    _current, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if not plan.ok:
        raise SystemExit("\n".join(plan.lines()))
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "traced_peak_mb": round(traced / 2**20, 1),
        "rows": len(plan.reports),
        "fates": plan.counts,
    }


if __name__ == "__main__":
    what, folder = sys.argv[1], Path(sys.argv[2])
    figure = make(folder) if what == "make" else step(what, folder)
    print(json.dumps(figure, ensure_ascii=False))
