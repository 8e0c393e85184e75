"""`lead-segmentation-backtest [pipeline options]`: the main job with --backtest (docs/backtest.md).

The same as `lead-segmentation-pipeline --backtest` (or `bash scripts/run.sh --backtest`): the
daily gated run, then the backtest build, score_backtest published with the other marts, and a
proposal of learned weights under <published folder>/proposals/<as-of>/.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from lead_segmentation import pipeline

    args = list(sys.argv[1:] if argv is None else argv)
    return pipeline.main(["--backtest", *[a for a in args if a != "--backtest"]])


if __name__ == "__main__":
    sys.exit(main())
