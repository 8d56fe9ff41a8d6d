"""``voxsight.csvcells``: the one cell function every CSV Voxsight writes goes through."""

from __future__ import annotations

import csv
import io

import pytest

from voxsight.csvcells import cell, dumps


@pytest.mark.parametrize("text", ["=1+2", "+1+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "  =1", " \t@x",
                                  '=HYPERLINK("http://evil.example","x")', "＝1+2", "-", "+"])
def test_a_cell_a_spreadsheet_would_run_is_quoted_as_text(text):
    assert cell(text) == "'" + text


@pytest.mark.parametrize("value", ["ann", "billing queue", "a=b", "1+1 later", "", "email@example.org"])
def test_plain_text_stays_as_it_is(value):
    assert cell(value) == value


@pytest.mark.parametrize("value", [0, -3, 2.5, -0.25, "-3", "-0.25", "+1.5e3", ".5"])
def test_numbers_stay_numbers(value):
    assert cell(value) == value


def test_none_dicts_and_booleans_are_written_as_data():
    assert cell(None) == ""
    assert cell(True) == "true"
    assert cell({"reason": "=bad"}) == '{"reason": "=bad"}'  # JSON starts with a brace: inert


def test_dumps_quotes_every_cell_and_keeps_the_rows():
    text = dumps(["agent", "calls"], [["=cmd|' /C calc'!A0", 3], ["\r=1", -1.5]])
    assert list(csv.reader(io.StringIO(text))) == [["agent", "calls"], ["'=cmd|' /C calc'!A0", "3"],
                                                   ["'\r=1", "-1.5"]]
