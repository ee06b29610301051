"""Time the PDFs (``scheduling/pdf.py``, the one pipeline every PDF goes
through) beside the floor: a one-page Korean PDF through the same pipeline,
measured in the same run.

Run by hand, not a test:

    .venv/bin/python bench/pdfs.py [--runs 5] [--batch-runs 3]

It builds its own SQLite database in a temporary directory (migrated, then
filled directly through the ORM, which is not what is measured): 39
neighborhoods with 20 suggestions each spread over the workflow's statuses,
with their department opinion, three joint-review opinions, budget, progress
updates and public answers, and one more neighborhood with 50 suggestions.
Measured, interleaved so that the machine's load weighs on all alike:

- ``floor``: ``scheduling.pdf.render_pdf`` of a template extending
  ``pdf/base.html`` with one short Korean paragraph: the same layout, fonts,
  running header and footer, tagging and metadata as every PDF, and almost no
  content;
- ``card``: ``card_pdf_render`` of the 50-suggestion card (queries, template,
  layout, PDF);
- ``all_cards``: ``all_cards_build`` of a new batch over the 39 × 20
  neighborhoods (one document per card with ``done`` written after each, one
  joined PDF saved to the media storage).

Prints the medians (wall clock, and the process's CPU time beside it: the
machine is shared, so the CPU time moves less with other people's load), the
ratios to the floor, the size and page count of each PDF and whether
``pdfinfo`` says it is tagged; writes them as JSON to
``bench/results/pdfs.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLOOR_TEMPLATE = (
    '{% extends "pdf/base.html" %}{% block title %}중앙동{% endblock %}'
    "{% block content %}<p>중앙동 관리카드: 가로등 설치 건의</p>{% endblock %}"
)
STATUSES = [
    "received",
    "assigned",
    "joint_review",
    "selected",
    "budgeted",
    "in_progress",
    "completed",
    "long_term",
    "not_feasible",
]


def seed(neighborhood_count: int, per_neighborhood: int, big: int) -> dict:
    """Fill the database: ``neighborhood_count`` neighborhoods with
    ``per_neighborhood`` suggestions each, and one more with ``big``."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from scheduling.categories import Category
    from scheduling.models import Department, Neighborhood, Official
    from scheduling.services import official_create
    from visits.models import FieldVisit, JointReviewOpinion, Suggestion, SuggestionEvent

    user = get_user_model().objects.create_user(username="bench")
    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    departments = [
        Department.objects.create(code=f"d{i}", name=f"{name}과") for i, name in enumerate("도로공원교통환경건축")
    ]
    names = [f"{i:02d}번동" for i in range(1, neighborhood_count + 1)] + ["큰동"]
    neighborhoods = [
        Neighborhood.objects.create(
            code=f"N{i:02d}", name=name, sort_order=i, is_natural_village=i % 5 == 0, population=10_000 + i
        )
        for i, name in enumerate(names, start=1)
    ]
    now = timezone.now()
    for n in neighborhoods:
        start = now - dt.timedelta(days=200 + n.pk)
        FieldVisit.objects.create(
            neighborhood=n,
            official=mayor,
            start=start,
            end=start + dt.timedelta(hours=2),
            status=FieldVisit.Status.HELD,
            attendance=30,
            notes="주민과 대화하고 현장을 둘러보았습니다. " * 3,
            public_summary="시장이 주민과 대화했습니다.",
        )
    suggestions = []
    for n in neighborhoods:
        count = big if n.name == "큰동" else per_neighborhood
        for k in range(count):
            status = STATUSES[k % len(STATUSES)]
            far = STATUSES.index(status)
            suggestions.append(
                Suggestion(
                    neighborhood=n,
                    source=Suggestion.Source.FIELD_VISIT,
                    title=f"{n.name} 건의 {k + 1}: 보도블록 교체와 가로등 설치",
                    description="오래된 보도블록이 깨져 밤길이 위험합니다. 가로등도 필요합니다. " * 2,
                    category=Category.ROADS,
                    raised_by="주민자치회",
                    location_text=f"중앙로 {k + 1}",
                    lead_department=None if status == "received" else departments[k % len(departments)],
                    status=status,
                    feasibility="feasible" if far >= 2 else "",
                    estimated_cost=3_000_000 + 10_000 * k if far >= 2 else None,
                    estimated_period="3개월" if far >= 2 else "",
                    department_opinion="현장 확인 결과 시행 가능합니다." if far >= 2 else "",
                    review_round=1 if far >= 2 else 0,
                    priority_rank=k + 1 if far >= 3 else None,
                    priority_score=80 if far >= 3 else None,
                    decision_reason="사유지라 시행할 수 없습니다." if status in ("not_feasible", "long_term") else "",
                    public_answer="검토 결과를 알려드립니다." if far >= 3 else "",
                    budget_fiscal_year=2027 if status in ("budgeted", "in_progress", "completed") else None,
                    budget_amount=3_000_000 if status in ("budgeted", "in_progress", "completed") else None,
                    budget_line="도로유지보수" if status in ("budgeted", "in_progress", "completed") else "",
                    progress={"in_progress": 40, "completed": 100}.get(status, 0),
                    completed_on=now.date() if status == "completed" else None,
                    result="가로등 3개 설치" if status == "completed" else "",
                    created_by=user,
                )
            )
    Suggestion.objects.bulk_create(suggestions, batch_size=500)
    events, opinions = [], []
    for s in Suggestion.objects.all():
        events.append(SuggestionEvent(suggestion=s, kind="created", to_status="received", actor=user))
        if s.review_round:
            for party in JointReviewOpinion.Party.values:
                opinions.append(
                    JointReviewOpinion(
                        suggestion=s,
                        review_round=1,
                        party=party,
                        recommendation="select",
                        opinion="타당함",
                        author=user,
                    )
                )
        if s.status in ("in_progress", "completed"):
            for p in (20, 40):
                events.append(
                    SuggestionEvent(
                        suggestion=s, kind="progress", progress=p, public_note=f"{p}% 공사 진행", actor=user
                    )
                )
    SuggestionEvent.objects.bulk_create(events, batch_size=1000)
    JointReviewOpinion.objects.bulk_create(opinions, batch_size=1000)
    return {"big": neighborhoods[-1], "user": user, "count": len(suggestions)}


def timed(fn) -> tuple[float, float, object]:
    """Wall-clock and CPU seconds of ``fn()``, and its result."""
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - started, time.process_time() - cpu, result


def pdf_info(data: bytes) -> dict:
    """What poppler's pdfinfo says of a PDF: pages, tagged, title (empty
    without pdfinfo)."""
    import shutil
    import subprocess

    pdfinfo = shutil.which("pdfinfo")
    if not pdfinfo or not data:
        return {}
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        info = subprocess.run([pdfinfo, handle.name], capture_output=True, text=True, check=True).stdout  # noqa: S603
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return {
        "pages": int(fields["Pages"]),
        "tagged": fields.get("Tagged", "").strip(),
        "title": fields.get("Title", "").strip(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of the floor and of the one card")
    parser.add_argument("--batch-runs", type=int, default=3, help="runs of the all-cards build")
    parser.add_argument("--neighborhoods", type=int, default=39)
    parser.add_argument("--per-neighborhood", type=int, default=20)
    parser.add_argument("--big", type=int, default=50, help="suggestions on the one card")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tongtong-bench-pdf-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(work / "private")
    os.environ["REDIS_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import translation

    from scheduling import pdf
    from visits.cards import pdf as card_pdf
    from visits.models import CardBatch

    # The floor's template, in a directory of its own put before the project's.
    (work / "templates").mkdir()
    (work / "templates" / "bench_floor.html").write_text(FLOOR_TEMPLATE)
    settings.TEMPLATES[0]["DIRS"] = [work / "templates", *settings.TEMPLATES[0]["DIRS"]]

    call_command("migrate", verbosity=0)
    translation.activate("ko")
    data = seed(args.neighborhoods, args.per_neighborhood, args.big)
    big = data["big"]
    print(f"seeded {data['count']} suggestions in {args.neighborhoods + 1} neighborhoods ({work})")
    print(f"load average before: {os.getloadavg()[0]:.1f}")

    def floor():
        return pdf.render_pdf("bench_floor.html", {})

    def card():
        return card_pdf.card_pdf_render(neighborhood=big)

    floor_pdf, card_pdf_bytes = floor(), card()  # warm up: imports, fontconfig, first subsetting
    wall: dict[str, list[float]] = {"floor": [], "card": [], "all_cards": []}
    cpu: dict[str, list[float]] = {"floor": [], "card": [], "all_cards": []}

    def measure(key, fn):
        elapsed, used, result = timed(fn)
        wall[key].append(elapsed)
        cpu[key].append(used)
        return result

    batch_pdf = b""
    for run in range(max(args.runs, args.batch_runs)):
        if run < args.runs:
            measure("floor", floor)
            measure("card", card)
        if run < args.batch_runs:
            batch_pdf = measure("all_cards", lambda: build_batch(card_pdf, CardBatch, big.pk, args.neighborhoods))
            measure("floor", floor)

    wall = {key: values for key, values in wall.items() if values}  # --batch-runs 0 leaves out the batch
    median = {key: statistics.median(values) for key, values in wall.items()}
    median_cpu = {key: statistics.median(values) for key, values in cpu.items() if values}
    info = {"floor": pdf_info(floor_pdf), "card": pdf_info(card_pdf_bytes), "all_cards": pdf_info(batch_pdf)}
    result = {
        "runs": {key: len(values) for key, values in wall.items()},
        "load_average_after": round(os.getloadavg()[0], 1),
        "median_seconds": {key: round(value, 4) for key, value in median.items()},
        "median_cpu_seconds": {key: round(value, 4) for key, value in median_cpu.items()},
        "all_seconds": {key: [round(v, 3) for v in values] for key, values in wall.items()},
        "ratio_to_floor": {key: round(median[key] / median["floor"], 1) for key in median if key != "floor"},
        "per_card_seconds_in_batch": round(median.get("all_cards", 0) / args.neighborhoods, 4),
        "pdf_bytes": {"floor": len(floor_pdf), "card": len(card_pdf_bytes), "all_cards": len(batch_pdf)},
        "pdf_info": info,
        "card_suggestions": args.big,
        "batch": f"{args.neighborhoods} neighborhoods × {args.per_neighborhood} suggestions",
    }

    def line(label, key, unit_ms=True):
        value = f"{median[key] * 1000:8.1f} ms" if unit_ms else f"{median[key]:8.2f} s "
        used = f"{median_cpu[key] * 1000:8.1f} ms" if unit_ms else f"{median_cpu[key]:8.2f} s "
        ratio = "" if key == "floor" else f"  {median[key] / median['floor']:7.1f}× floor"
        facts = info[key]
        size = result["pdf_bytes"][key] // 1024
        about = f"{facts.get('pages', '?')} pages, {size} KiB, tagged: {facts.get('tagged', '?')}"
        print(f"{label:<44} {value} (cpu {used}){ratio}  [{about}]")

    line("floor: one-page Korean PDF, same pipeline", "floor")
    line(f"one card, {args.big} suggestions", "card")
    if "all_cards" in median:
        line(f"all cards, {result['batch']}", "all_cards", unit_ms=False)
        print(f"  = {result['per_card_seconds_in_batch'] * 1000:.0f} ms a card")
    print(f"load average after: {result['load_average_after']}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "pdfs.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    return 0


def build_batch(card_pdf, CardBatch, big_id: int, neighborhoods: int) -> bytes:
    """One all-cards build over the 39 × 20 neighborhoods. The 50-suggestion
    neighborhood is kept out of it: the build runs in a transaction that
    deletes that neighborhood first and is rolled back afterwards."""
    from django.db import transaction

    from scheduling.models import Neighborhood
    from visits.models import FieldVisit, Suggestion

    class Rollback(Exception):
        pass

    holder: dict[str, bytes] = {}
    try:
        with transaction.atomic():
            Suggestion.objects.filter(neighborhood_id=big_id).delete()
            FieldVisit.objects.filter(neighborhood_id=big_id).delete()
            Neighborhood.objects.filter(pk=big_id).delete()
            batch = CardBatch.objects.create(total=neighborhoods)
            card_pdf.all_cards_build(batch_id=batch.pk)
            batch.refresh_from_db()
            if batch.status != CardBatch.Status.DONE or batch.total != neighborhoods:
                raise SystemExit(f"the batch failed: {batch.status} {batch.error}")
            holder["pdf"] = batch.pdf.read()
            raise Rollback
    except Rollback:
        pass
    return holder["pdf"]


if __name__ == "__main__":
    sys.exit(main())
