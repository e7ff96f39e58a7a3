from __future__ import annotations

import csv
import gzip
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Product
from customers.importers.online_retail import SOURCE
from customers.models import Customer, CustomerInterest, Purchase, PurchaseKind
from customers.services.retail_import import online_retail_import
from tests.customers.retail_rules import Expected, expected_counts
from tests.support import DEMO_SAMPLE, reject_reasons

pytestmark = pytest.mark.django_db


def _import(path: Path, tmp_path: Path, **options: object) -> str:
    out = StringIO()
    call_command(
        "import_online_retail", str(path), rejects=str(tmp_path / "rejects.csv"), stdout=out, **options
    )
    return out.getvalue()


def _assert_stored(expected: Expected) -> None:
    purchases = Purchase.objects.filter(source=SOURCE)
    assert purchases.filter(kind=PurchaseKind.SALE).count() == expected.sales
    assert purchases.filter(kind=PurchaseKind.RETURN).count() == expected.returns
    assert Customer.objects.count() == expected.customers


@pytest.mark.slow
def test_full_file_is_accounted_for_row_by_row_and_a_rerun_stores_nothing(
    online_retail_full: Path, tmp_path: Path
) -> None:
    # given the counts derived from the raw CSV and the dataset's README
    expected = expected_counts(online_retail_full)
    assert expected.read == 541_909
    assert expected.rejected["not_a_product"] == 2_995

    # when
    first = online_retail_import(path=online_retail_full, rejects_path=tmp_path / "rejects.csv")

    # then every row is stored, a duplicate or rejected with its reason
    assert (first.read, first.stored, first.duplicate) == (expected.read, expected.stored, expected.duplicate)
    assert dict(first.rejected) == dict(expected.rejected)
    assert first.stored + first.duplicate + first.rejected_total == first.read
    _assert_stored(expected)
    with (tmp_path / "rejects.csv").open(newline="") as handle:
        rejects = list(csv.DictReader(handle))
    assert len(rejects) == first.rejected_total
    assert {row["reason"] for row in rejects} == set(expected.rejected)
    assert CustomerInterest.objects.current().exists()

    # when imported again
    second = online_retail_import(path=online_retail_full, rejects_path=tmp_path / "rejects.csv")

    # then nothing new is stored
    assert second.stored == 0
    assert second.duplicate == expected.stored + expected.duplicate
    assert second.products.created == second.customers.created == second.interests.created == 0
    _assert_stored(expected)


def test_sample_import_prints_the_summary_and_counts_duplicates_once(tmp_path: Path) -> None:
    expected = expected_counts(DEMO_SAMPLE)
    assert expected.duplicate > 0  # the sample keeps some of the file's exact duplicates

    report = tmp_path / "report.json"
    output = _import(DEMO_SAMPLE, tmp_path, report=str(report))

    assert f"{expected.read:,}" in output
    assert "missing_customer" in output
    assert "Categorised outside Other" in output
    summary = json.loads(report.read_text())
    assert summary["rows"]["stored"] == expected.stored
    assert summary["rows"]["rejected_by_reason"] == dict(expected.rejected)
    assert json.loads(report.read_text())["rows"]["stored"] == expected.stored
    assert Purchase.objects.count() == expected.stored
    _assert_stored(expected)


# Stored lines with a £ in their description: the encodings differ on it, and a
# wrong decoding would change the line's key and store it again.
POUND_DESCRIPTION = "STAR DECORATION RUSTIC £1"


def _write(path: Path, *, encoding: str, newline: str, bom: bool = False) -> Path:
    text = DEMO_SAMPLE.read_text(encoding="utf-8").replace("STAR DECORATION RUSTIC", POUND_DESCRIPTION)
    path.write_bytes(("\ufeff" if bom else "").encode("utf-8") + text.replace("\n", newline).encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "newline", "bom"),
    [("utf-8", "\r\n", False), ("utf-8", "\n", True), ("iso-8859-1", "\r\n", False)],
    ids=["windows-line-endings", "utf-8-bom", "iso-8859-1"],
)
def test_the_same_data_in_another_dialect_stores_nothing_new(
    tmp_path: Path, encoding: str, newline: str, bom: bool
) -> None:
    plain = _write(tmp_path / "plain.csv", encoding="utf-8", newline="\n")
    baseline = online_retail_import(path=plain, rejects_path=tmp_path / "r0.csv")
    variant = _write(tmp_path / f"sample-{encoding}.csv", encoding=encoding, newline=newline, bom=bom)

    again = online_retail_import(path=variant, rejects_path=tmp_path / "r1.csv")

    assert again.read == baseline.read
    assert again.stored == 0
    assert again.duplicate == baseline.stored + baseline.duplicate
    assert again.encoding == ("iso-8859-1" if encoding == "iso-8859-1" else "utf-8-sig")
    assert Product.objects.get(sku="22155").name == POUND_DESCRIPTION


def test_a_file_with_missing_columns_is_refused_with_the_names(tmp_path: Path) -> None:
    path = tmp_path / "partial.csv"
    path.write_text("InvoiceNo,StockCode,Description,Quantity\n536365,85123A,HEART,6\n")

    with pytest.raises(
        CommandError, match=r"lacks the column\(s\) InvoiceDate, UnitPrice, CustomerID, Country"
    ):
        _import(path, tmp_path)
    assert not Purchase.objects.exists()


def test_a_truncated_archive_is_refused_before_anything_is_stored(tmp_path: Path) -> None:
    archive = tmp_path / "retail.csv.gz"
    archive.write_bytes(gzip.compress(DEMO_SAMPLE.read_bytes())[:20_000])

    with pytest.raises(CommandError, match="Could not read"):
        _import(archive, tmp_path)
    assert not Purchase.objects.exists()


def test_a_missing_file_is_a_readable_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        _import(tmp_path / "nope.csv", tmp_path)


def test_times_quantities_and_prices_outside_sane_ranges_are_rejected_with_their_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ranges.csv"
    path.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "536847,22155,STAR,48,2010-12-03 09:31:00,0.42,17135,United Kingdom\n"
        "536848,22155,STAR,48,0001-01-01 00:00:00,0.42,17135,United Kingdom\n"
        "536849,22155,STAR,48,9999-12-31 09:31:00,0.42,17135,United Kingdom\n"
        "536850,22155,STAR,100000000000000,2010-12-03 09:31:00,0.42,17135,United Kingdom\n"
        "C536851,22155,STAR,-2000000,2010-12-03 09:31:00,0.42,17135,United Kingdom\n"
        "536852,22155,STAR,1,2010-12-03 09:31:00,2000000,17135,United Kingdom\n"
        "536853,22155,STAR,1000000,2010-12-03 09:31:00,999999,17135,United Kingdom\n"
        f"{'9' * 65},22155,STAR,1,2010-12-03 09:31:00,0.42,17135,United Kingdom\n"
        "C536854,22155,STAR,-48,2010-12-03 10:00:00,0.42,17135,United Kingdom\n"
    )

    report = online_retail_import(path=path, rejects_path=tmp_path / "rejects.csv")

    assert (report.stored, report.rejected_total) == (2, 7)
    assert reject_reasons(tmp_path / "rejects.csv") == {
        "3": "time_too_early",
        "4": "time_in_future",
        "5": "quantity_too_large",
        "6": "quantity_too_large",
        "7": "price_too_large",
        "8": "amount_too_large",
        "9": "field_too_long",
    }
    assert sorted(Purchase.objects.values_list("quantity", flat=True)) == [-48, 48]
