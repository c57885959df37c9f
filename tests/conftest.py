import os

import matplotlib

matplotlib.use("Agg")          # tests draw without a screen
os.environ.setdefault("LABLIB_OFFLINE", "1")
