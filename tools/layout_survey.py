"""Where does channels-last pay? `cocord.experiments.bench.benchmark` in both layouts for the paper's 13 CIFAR-100 pairs and the
two small defaults (digits at 8x8, Fashion-MNIST at 32x32); one JSON line per pair and layout.

Usage: .venv/bin/python tools/layout_survey.py > layout_survey.jsonl      (about 30 minutes on a 2-core CPU; run alone)
`nbs/31_experiments_bench.ipynb` reads such lines from `nbs/experiments/bench/layout_survey.jsonl`.
"""
import json, warnings
from cocord.experiments.bench import benchmark
from cocord.experiments.tables import PAIR_SETS

if __name__ == '__main__':
    warnings.filterwarnings('ignore', message='The queue holds')
    pairs = [(t, s, 32) for t, s in PAIR_SETS['paper']] + [('wrn_16_2', 'wrn_16_1', 8), ('resnet20', 'resnet8', 32)]
    for teacher, student, size in pairs:
        t = benchmark(teacher, student, size=size, steps=4, warmup=2, repeats=2)
        for row in t.assign(channels_last=t.layout == 'channels_last').to_dict('records'): print(json.dumps(row), flush=True)
