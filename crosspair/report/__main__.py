"""`python -m crosspair.report --data DATA --sources SOURCES`: write DATA/exports/report/."""

import argparse
import logging
import sys

from crosspair.report.command import add_arguments, run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m crosspair.report", description=__doc__)
    add_arguments(parser)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(run(parser.parse_args()))
