"""The heat-map chart: valid SVG named for assistive technology, one cell per value given (none
where there is no value), each cell's mark written as text, and its colour by level."""

import xml.etree.ElementTree as ET

import pytest

from powershare.lib.charts import HEATMAP_COLOURS, heatmap_chart

SVG = "{http://www.w3.org/2000/svg}"
LEVELS = ["Not rated yet", "Not started", "Emerging", "Developing", "Established", "Embedded"]
MARKS = ["–", "0", "1", "2", "3", "4"]


def _chart(**overrides):
    arguments = {
        "title": "Ratings over time",
        "description": "Two drivers across three assessments.",
        "rows": ["Leadership", "Budget & money"],
        "columns": ["2024/25", "2025/26", "2026/27 (draft)"],
        "values": [[1, 3, 5], [None, 0, 2]],
        "levels": LEVELS,
        "marks": MARKS,
        "row_axis_label": "Driver",
        "column_axis_label": "Self-assessment",
    }
    arguments.update(overrides)
    return heatmap_chart(**arguments)


def _root(svg):
    return ET.fromstring(svg.encode())  # noqa: S314 - our own drawing


def _cells(root):
    return [g for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith("heatmap-cell-")]


def test_it_is_named_for_assistive_technology():
    root = _root(_chart())
    assert root.get("role") == "img"
    children = list(root)
    assert children[0].tag == f"{SVG}title"
    assert children[0].text == "Ratings over time"
    assert children[1].tag == f"{SVG}desc"


def test_one_cell_per_value_and_none_where_there_is_no_value():
    root = _root(_chart())
    ids = {g.get("id") for g in _cells(root)}
    assert len(ids) == 5
    assert "heatmap-cell-1-0" not in ids
    assert "heatmap-cell-0-2" in ids


def test_rows_columns_marks_and_legend_stay_text():
    texts = [t.text for t in _root(_chart()).iter(f"{SVG}text") if t.text]
    for label in ("Leadership", "Budget & money", "2026/27 (draft)", "Driver", "4 Embedded"):
        assert label in texts, label
    # Each cell's mark: "4" for embedded, "0" for emerging, "–" for not rated yet.
    assert texts.count("4") == 1
    assert "–" in texts


def test_each_level_has_its_own_colour():
    svg = _chart()
    for colour in (HEATMAP_COLOURS[1], HEATMAP_COLOURS[3], HEATMAP_COLOURS[5]):
        assert colour in svg


def test_an_empty_chart_still_draws():
    root = _root(_chart(rows=[], columns=[], values=[]))
    assert not _cells(root)


@pytest.mark.parametrize("values", [[[1, 2]], [[1, 2, 3], [1, 2]], [[1, 2, 9], [None, 0, 2]]])
def test_values_that_do_not_fit_are_refused(values):
    with pytest.raises(ValueError, match="(value|level)"):
        _chart(values=values)
