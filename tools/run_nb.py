"""Run notebooks top to bottom, `slow` cells included, and save them with their outputs (for results kept in the docs).

Usage: .venv/bin/python tools/run_nb.py nbs/17_zoo.ipynb [more.ipynb ...]
"""
import os, sys
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

for path in map(Path, sys.argv[1:]):
    nb = read_nb(path)
    cwd = os.getcwd(); os.chdir(path.parent)      # notebooks run from their own folder, as nbdev_test runs them
    try: CaptureShell().run_all(nb, exc_stop=True)
    finally: os.chdir(cwd)
    write_nb(nb, path)
    print(f'ran {path}')
