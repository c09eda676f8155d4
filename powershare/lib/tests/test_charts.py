"""SVG charts: valid, named for assistive technology, with their text kept as text."""

import xml.etree.ElementTree as ET

import pytest

from powershare.lib.charts import BLUE, GREY, Series, horizontal_grouped_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def _chart(**overrides):
    arguments = {
        "title": "Where activities sat",
        "description": "Most activities (3 of 4) sat at Consultation.",
        "categories": ["Partnership", "Consultation", "Informing"],
        "series": [
            Series("Staff", [25, 75, 0], ["1 of 4 (25%)", "3 of 4 (75%)", "0"], BLUE),
            Series("People", [0, 0, 100], ["0", "0", "2 of 2 (100%)"], GREY),
        ],
        "value_axis_label": "Share (%)",
        "category_axis_label": "Rung",
        "value_max": 100,
        "value_suffix": "%",
    }
    arguments.update(overrides)
    return horizontal_grouped_bar_chart(**arguments)


def _parse(svg: str):
    return ET.fromstring(svg.encode())  # noqa: S314 - our own drawing, not anyone else's XML


def _texts(root):
    return [t.text for t in root.iter(f"{SVG}text") if t.text]


def test_a_chart_is_valid_svg_with_a_title_and_description_first():
    root = _parse(_chart())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-title chart-desc"
    children = list(root)
    assert children[0].tag == f"{SVG}title"
    assert children[0].text == "Where activities sat"
    assert children[1].tag == f"{SVG}desc"
    assert children[1].text == "Most activities (3 of 4) sat at Consultation."


def test_its_words_and_numbers_stay_text():
    texts = _texts(_parse(_chart()))
    for label in (
        "Partnership",
        "Consultation",
        "Informing",
        "3 of 4 (75%)",
        "2 of 2 (100%)",
        "Staff",
        "People",
        "Share (%)",
        "Rung",
        "100%",
    ):
        assert label in texts, label
    # Categories read top to bottom in the order given.
    assert texts.index("Partnership") < texts.index("Informing")


def test_it_uses_the_colours_asked_for():
    svg = _chart()
    assert BLUE in svg
    assert GREY in svg


def test_text_that_looks_like_markup_is_escaped():
    root = _parse(_chart(title="<script>alert(1)</script> & co", categories=["<b>", "A & B", "C"]))
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script> & co"
    assert not list(root.iter(f"{SVG}script"))
    assert "A & B" in _texts(root)


def test_the_same_data_draws_the_same_file():
    assert _chart() == _chart()


def test_values_default_to_their_own_labels_and_the_axis_fits_them():
    root = _parse(_chart(series=[Series("Count", [3, 12, 0])], value_max=None, value_suffix=""))
    texts = _texts(root)
    assert "12" in texts
    assert "3" in texts


def test_an_empty_chart_still_draws():
    root = _parse(_chart(series=[Series("Nothing", [0, 0, 0])], value_max=None))
    assert root.find(f"{SVG}title").text == "Where activities sat"


def test_a_series_must_have_one_value_per_category():
    with pytest.raises(ValueError, match="one value per category"):
        _chart(series=[Series("Short", [1, 2])])
