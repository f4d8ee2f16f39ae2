"""The recommendation for a second round aimed at the boundary (复评建议), and with --create the
round itself (for staff who script, and for checks)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from judging.errors import JudgingError
from judging.models import Round
from judging.results.next_round import TARGET
from judging.results.services import create_next_round, recommend_next_round

SHOWN = 50  # boundary entries listed (most uncertain first); the rest are counted


class Command(BaseCommand):
    help = "Recommend the next round's entries and extra judges from a round's results (--create makes it)."

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, required=True, dest="round_id", help="the round's id")
        parser.add_argument(
            "--budget", type=int, default=None, help="extra score sheets (default: 2 per entry)"
        )
        parser.add_argument(
            "--target", type=float, default=TARGET, help="expected misses to aim at (default 5)"
        )
        parser.add_argument("--create", action="store_true", help="create the next round as recommended")
        parser.add_argument("--name", default="", help="the new round's name (default 复评)")

    def handle(self, *args, round_id, budget, target, create, name, **options):
        round = Round.objects.filter(pk=round_id).first()
        if round is None:
            raise CommandError(_("没有编号为 %(id)s 的轮次。") % {"id": round_id})
        if budget is None:
            budget = 2 * round.results.count()
        try:
            plan = recommend_next_round(round=round, budget=budget, target=target)
        except JudgingError as error:
            raise CommandError(error.message) from None
        advice = plan.recommendation
        write = self.stdout.write
        write(
            _("%(round)s：前 %(top)s 名中预计约 %(before).1f 个不在真实前 %(top)s 名。")
            % {"round": round, "top": plan.top, "before": advice.misses_before}
        )
        write(
            _(
                "复评建议：%(boundary)s 个项目处在入选边界（入选把握在 %(low)s%%–%(high)s%% 之间），"
                "%(settled)s 个项目已有把握入选、不需再评；共加派 %(sheets)s 份评分表（预算 %(budget)s 份）。"
            )
            % {
                "boundary": len(advice.extra),
                "low": round_percent(advice.low),
                "high": round_percent(advice.high),
                "settled": len(advice.settled_in),
                "sheets": advice.sheets,
                "budget": advice.budget,
            }
        )
        write(
            _("预计复评后约 %(after).1f 个不在真实前 %(top)s 名（目标 %(target)s 个以内%(reached)s）。")
            % {
                "after": advice.misses_after,
                "top": plan.top,
                "target": f"{advice.target:g}",
                "reached": _("，可以达到") if advice.reached_target else _("，预算不足以达到"),
            }
        )
        order = sorted(advice.extra, key=lambda pk: (abs(plan.chance[pk] - 0.5), plan.codes[pk]))
        write(_("匿名编号\t入选把握\t已有评分表\t加派评委"))
        for pk in order[:SHOWN]:
            write(
                f"{plan.codes[pk]}\t{round_percent(plan.chance[pk])}%\t{plan.sheets[pk]}\t{advice.extra[pk]}"
            )
        if len(order) > SHOWN:
            write(_("……另有 %(count)s 个边界项目。") % {"count": len(order) - SHOWN})
        if create:
            try:
                made = create_next_round(round=round, by=None, budget=budget, target=target, name=name)
            except JudgingError as error:
                raise CommandError(error.message) from None
            write(
                _(
                    "已新建轮次“%(name)s”（编号 %(id)s）：%(entries)s 个项目，需加派 %(sheets)s 份评分表；"
                    "请运行 assign_round 分配评委。"
                )
                % {
                    "name": made.name,
                    "id": made.pk,
                    "entries": made.round_entries.count(),
                    "sheets": advice.sheets,
                }
            )


def round_percent(value: float) -> str:
    return f"{100 * value:.0f}"
