"""`python -m lead_segmentation.report` (same as lead-segmentation-report)."""

import sys

from lead_segmentation.report.render import main

sys.exit(main())
