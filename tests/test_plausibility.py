"""The plausibility page names the rows that moved since its previous version."""

import pandas as pd

from bp_sim.reports.plausibility import moved_rows, previous_table


def _page(tmp_path, rows):
    lines = ["| metric | year | observed | simulated | sim/obs | within 2x | figures |", "|---|---|---:|---:|---:|:---:|---|"]
    lines += [f"| {m} | {y} | {o:,.0f} | {s:,.0f} | {s / o:.2f} | {'yes' if 0.5 <= s / o <= 2 else 'no'} | F1 |"
              for m, y, o, s in rows]
    path = tmp_path / "plausibility.md"
    path.write_text("\n".join(lines))
    return path


def test_rows_that_changed_verdict_or_moved_a_quarter_are_named_and_the_rest_are_not(tmp_path):
    before = previous_table(_page(tmp_path, [("a", 2021, 100, 90), ("b", 2022, 1000, 400), ("c", 2023, 50, 60)]))
    assert before == {("a", 2021): (90.0, True), ("b", 2022): (400.0, False), ("c", 2023): (60.0, True)}
    now = pd.DataFrame({"metric": ["a", "b", "c", "d"], "year": [2021, 2022, 2023, 2024],
                        "simulated": [95.0, 600.0, 200.0, 5.0], "within_2x": [True, True, False, False]})
    lines = moved_rows(now, before)
    assert not any("`a`" in line for line in lines)  # 90 -> 95: not moved
    assert any("`b` 2022: 400 -> 600, within 2x no -> yes" in line for line in lines)
    assert any("`c` 2023: 60 -> 200, within 2x yes -> no" in line for line in lines)
    assert any("`d` 2024: new row" in line for line in lines)
    assert previous_table(tmp_path / "missing.md") == {}
