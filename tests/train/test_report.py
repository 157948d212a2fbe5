"""The loss curve as the train command prints it."""

from codecritique.report.train import curve_text


def test_curve_text_spreads_points_and_says_whether_it_falls():
    falling = [(i, 1 / i) for i in range(1, 101)]
    text = curve_text(falling, points=5)
    assert text.startswith("1:1.000 26:0.038 51:0.020 75:0.013 100:0.010 ")
    assert "mean of first 33: 0.124, last 33: 0.012, falling" in text
    rising = [(1, 0.1), (2, 0.3), (3, 0.2)]
    assert curve_text(rising) == "1:0.100 2:0.300 3:0.200 (mean of first 1: 0.100, last 1: 0.200, not falling)"
