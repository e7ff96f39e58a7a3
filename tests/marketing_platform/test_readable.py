"""Stored JSON shown to staff as labelled lines and tables, escaped."""

from __future__ import annotations

from marketing_platform.readable import readable


def test_a_mapping_reads_as_labelled_lines() -> None:
    shown = readable({"lines": 3, "quantity": 1200, "last_purchase": "2011-12-09T12:50:00Z", "new": True})

    assert shown == (
        '<dl class="readable"><div><dt>Lines:</dt> <dd>3</dd></div>'
        "<div><dt>Quantity:</dt> <dd>1,200</dd></div>"
        "<div><dt>Last purchase:</dt> <dd>9 Dec 2011, 12:50</dd></div>"
        "<div><dt>New:</dt> <dd>yes</dd></div></dl>"
    )


def test_a_list_of_mappings_reads_as_a_table_and_plain_values_as_one_line() -> None:
    table = readable([{"name": "model", "precision": 0.12}, {"name": "blend", "recall": 0.08}])
    line = readable(["country", "interest", 3])

    assert table == (
        '<table class="readable"><thead><tr><th>Name</th><th>Precision</th><th>Recall</th></tr></thead>'
        "<tbody><tr><td>model</td><td>0.12</td><td>-</td></tr><tr><td>blend</td><td>-</td><td>0.08</td></tr>"
        "</tbody></table>"
    )
    assert line == "country, interest, 3"


def test_nothing_reads_as_a_dash_and_markup_is_escaped() -> None:
    assert readable({}) == "-"
    assert readable([]) == "-"
    assert readable(None) == "-"
    assert readable({"<b>key</b>": "<script>x</script>"}) == (
        '<dl class="readable"><div><dt>&lt;b&gt;key&lt;/b&gt;:</dt> '
        "<dd>&lt;script&gt;x&lt;/script&gt;</dd></div></dl>"
    )
