"""Campaign email on the full Online Retail import: how long one personalised email takes to
render, and how many a worker process renders and sends per second to a local SMTP sink
(the median of three campaigns to the same 1,000 customers).

The sink is aiosmtpd in its own process (it accepts and drops every message); the
render and send steps are the services the ``render`` and ``email`` tasks call, run
in one process here, so the figure is per worker process. The process runs as in
production, on PostgreSQL and a shared Redis cache (the graph is the embedded one);
the recommendations are computed as the emails meet them, the shared figures they
draw on (recent popularity, re-purchase kinds) are warm as in a running platform.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from typing import Any

from rich.console import Console

from bench.report import ROOT, free_port, measure_in_child, percentiles, publish

SAMPLE = 200
REDIS_URL = "redis://127.0.0.1:6379/14"
CAMPAIGN_SIZE = 1000
CAMPAIGN_RUNS = 3  # the median is reported: one run on a shared machine varies by a fifth


def measure() -> None:
    """In the child process: print the figures as JSON."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from campaigns.models import EmailTemplate
    from campaigns.rendering.defaults import DEFAULT_TEMPLATE
    from campaigns.rendering.email import render_email
    from campaigns.selectors import personalization_for
    from campaigns.services.emails import render_limits
    from customers.models import Customer
    from graph.services.recovery import embedded_graph_ensure
    from recommendations.cache import recommendations_invalidate
    from recommendations.selectors import active_recommender
    from recommendations.services import model_version_train

    call_command("migrate", verbosity=0)
    embedded_graph_ensure()
    if active_recommender() is None:
        model_version_train()
    chooser = random.Random(3)
    customers = chooser.sample(list(Customer.objects.all()), SAMPLE)
    recommendations_invalidate(customer.pk for customer in customers)  # cached by an earlier run
    personalization_for(customers[0])  # loads the model and the shared figures (popularity) once
    limits = render_limits()
    timings: dict[str, list[float]] = {"data": [], "template": [], "cached": []}
    for customer in customers:
        started = time.perf_counter()
        data = personalization_for(customer)
        gathered = time.perf_counter()
        render_email(DEFAULT_TEMPLATE, data, limits)
        timings["data"].append(gathered - started)
        timings["template"].append(time.perf_counter() - gathered)
        started = time.perf_counter()
        render_email(DEFAULT_TEMPLATE, personalization_for(customer), limits)  # recommendations cached
        timings["cached"].append(time.perf_counter() - started)
    full = [d + t for d, t in zip(timings["data"], timings["template"], strict=True)]

    audience = list(Customer.objects.order_by("pk")[:CAMPAIGN_SIZE])
    for customer in audience:
        customer.email, customer.marketing_consent, customer.unsubscribed_at = (
            f"bench-{customer.external_id}@example.org", True, None,
        )  # fmt: skip
    Customer.objects.bulk_update(audience, ["email", "marketing_consent", "unsubscribed_at"])
    Customer.objects.exclude(pk__in=[c.pk for c in audience]).update(marketing_consent=False)
    name = f"bench {time.time():.0f}"
    template = EmailTemplate.objects.create(
        name=name, subject=DEFAULT_TEMPLATE.subject, preheader=DEFAULT_TEMPLATE.preheader,
        html_body=DEFAULT_TEMPLATE.html_body,
    )  # fmt: skip
    settings.CELERY_TASK_ALWAYS_EAGER = False
    runs = [_campaign(template, [customer.pk for customer in audience]) for _ in range(CAMPAIGN_RUNS)]
    median = sorted(runs, key=lambda run: run["render_and_send_per_second"])[len(runs) // 2]
    print(json.dumps({
        "one_email": {
            "full_uncached": percentiles(full),
            "full_recommendations_cached": percentiles(timings["cached"]),
            "data_uncached": percentiles(timings["data"]),
            "template_only": percentiles(timings["template"]),
        },
        "campaign": median,
        "campaign_runs": [run["render_and_send_per_second"] for run in runs],
    }))  # fmt: skip


def _campaign(template: Any, audience: list[int]) -> dict[str, float]:
    """One campaign to the audience, its recommendations computed as it meets them: render
    every email, then send them, batch by batch as the tasks do."""
    from django.conf import settings

    from campaigns.models import Campaign, CampaignState, CampaignVariant, Segment
    from campaigns.services.runs import campaign_run_start
    from campaigns.services.sending import sends_deliver, sends_render
    from recommendations.cache import recommendations_invalidate

    everyone = Segment.objects.get_or_create(name="bench: everyone")[0]
    campaign = Campaign.objects.create(
        name=f"{template.name} #{Campaign.objects.count()}", segment=everyone,
        state=CampaignState.SCHEDULED, emails_per_second=10_000,
    )  # fmt: skip
    CampaignVariant.objects.create(campaign=campaign, template=template)
    recommendations_invalidate(audience)
    run = campaign_run_start(campaign_id=campaign.pk, occurrence="bench")
    if run is None:
        raise SystemExit("the bench campaign did not start")
    ids = list(run.sends.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    rendered = []
    for offset in range(0, len(ids), settings.CAMPAIGN_BATCH):
        rendered += sends_render(ids[offset : offset + settings.CAMPAIGN_BATCH])
    render_seconds = time.perf_counter() - started
    started = time.perf_counter()
    sent = 0
    for offset in range(0, len(rendered), settings.CAMPAIGN_BATCH):
        sent += sends_deliver(rendered[offset : offset + settings.CAMPAIGN_BATCH])["sent"]
    send_seconds = time.perf_counter() - started
    if sent != len(ids):
        reasons = dict(run.sends.exclude(status="sent").values_list("status", "skip_reason")[:5])
        raise SystemExit(f"only {sent} of {len(ids)} emails were sent: {reasons}")
    campaign.state = CampaignState.SENT
    campaign.save(update_fields=["state"])
    return {
        "emails": sent, "render_seconds": round(render_seconds, 2), "send_seconds": round(send_seconds, 2),
        "rendered_per_second": round(len(rendered) / render_seconds, 1),
        "sent_per_second": round(sent / send_seconds, 1),
        "render_and_send_per_second": round(sent / (render_seconds + send_seconds), 1),
    }  # fmt: skip


def run() -> None:
    console = Console()
    console.print("Email: render time of one email and a campaign's throughput to a local SMTP sink…")
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(1)
        figures = measure_in_child(
            "emails",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port), EMAIL_USE_TLS="false",
            CAMPAIGN_FREQUENCY_CAP="1000000",  # every run mails the same customers
            DEBUG="false",  # as in production: no SQL kept for the debug toolbar and logs
            # the production layout: a shared Redis cache (rate counters, recommendations)
            REDIS_URL=REDIS_URL, CELERY_BROKER_URL="filesystem://localhost//",
        )  # fmt: skip
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    one, campaign = figures["one_email"], figures["campaign"]
    ms = "{p50_ms:.1f} / {p99_ms:.1f} ms".format
    rows = [
        ("one email, p50 / p99 (data + render)", ms(**one["full_uncached"]), "goal p99 ≤ 50 ms"),
        ("  of which gathering its data", ms(**one["data_uncached"]), "recommendations computed"),
        ("  of which the template", ms(**one["template_only"]), "sandbox, layout, CSS, text"),
        ("one email, recommendations cached", ms(**one["full_recommendations_cached"]), ""),
        ("campaign: rendered", f"{campaign['rendered_per_second']:.0f} emails/s",
         f"{campaign['emails']:,} emails"),
        ("campaign: sent", f"{campaign['sent_per_second']:.0f} emails/s", "one SMTP connection per batch"),
        ("campaign: render + send", f"{campaign['render_and_send_per_second']:.0f} emails/s",
         "per worker process; goal ≥ 100"),
        ("  in each of the runs", " / ".join(f"{r:.0f}" for r in figures["campaign_runs"]),
         f"{CAMPAIGN_RUNS} campaigns, the median above"),
    ]  # fmt: skip
    publish(
        "emails", {**figures, "sample": SAMPLE, "machine_cpus": os.cpu_count()},
        title="Campaign email on the full Online Retail import",
        columns=("measure", "figure", "note"), rows=rows,
    )  # fmt: skip
