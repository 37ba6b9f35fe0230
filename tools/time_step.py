"""Time one CoCoRD training step against one plain student step, through a fastai Learner, same models and batches.

Usage: .venv/bin/python tools/time_step.py [--teacher resnet34] [--student resnet18] [--bs 64] [--size 32] [--steps 12]
Prints the median time per training step (forward, loss, backward, optimizer step) of each, and their ratio.
Steps are timed by `cocord.callback.StepTimer` (through `cocord.experiments.bench.learner_step_times`), on `cocord.experiments.bench`'s
synthetic batches; the networks are `get_model`'s (torchvision's for resnet18/resnet34, or any zoo name).
"""
import argparse, statistics
import torch
from cocord.experiments.bench import timing_dls, learner_step_times        # cocord imports fastai without its torch.jit warning
from cocord.methods.cocord import CoCoRDCallback
from cocord.models.registry import get_model
from fastai.data.transforms import Normalize
from fastai.learner import Learner
from fastai.losses import CrossEntropyLossFlat
from fastai.optimizer import SGD
from fastai.vision.core import cifar_stats

def synthetic(n_batches, size, classes, bs):
    "`n_batches` batches of `bs` random images, normalised with CIFAR's statistics, on the CPU"
    dls = timing_dls(n_batches, bs, size, classes)
    dls.add_tfms([Normalize.from_stats(*cifar_stats, cuda=False)], 'after_batch')
    return dls

def median_step(learn, warmup):
    "Median seconds of the training steps of one epoch of `learn`, after the first `warmup`"
    return statistics.median(learner_step_times(learn)[warmup:])

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--teacher', default='resnet34'); p.add_argument('--student', default='resnet18')
    p.add_argument('--bs', type=int, default=64); p.add_argument('--size', type=int, default=32)
    p.add_argument('--steps', type=int, default=12); p.add_argument('--warmup', type=int, default=3)
    a = p.parse_args()
    torch.manual_seed(0)
    net = lambda name: get_model(name, num_classes=100)
    dls = synthetic(a.steps + a.warmup, a.size, 100, a.bs)
    mk = lambda cbs: Learner(dls, net(a.student), loss_func=CrossEntropyLossFlat(), opt_func=SGD, lr=0.05, cbs=cbs)
    plain = median_step(mk([]), a.warmup)
    cocord = median_step(mk([CoCoRDCallback(net(a.teacher).eval())]), a.warmup)
    print(f"{a.teacher} -> {a.student}, batch {a.bs} at {a.size}x{a.size}, {torch.get_num_threads()} threads, "
          f"median of {a.steps} steps after {a.warmup} warm-up")
    print(f"plain student step: {plain*1e3:8.1f} ms")
    print(f"CoCoRD step:        {cocord*1e3:8.1f} ms")
    print(f"ratio CoCoRD/plain: {cocord/plain:8.2f}")
