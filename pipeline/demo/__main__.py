"""``python -m pipeline.demo``: regenerate the synthetic demo exports."""

import sys

from pipeline.demo.generate import main

sys.exit(main())
