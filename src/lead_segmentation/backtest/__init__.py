"""The backtest's Python side (issue 16): learned weights, proposed and never applied
(learn.py), and the statistics of honest experiments (experiments.py). docs/backtest.md."""
