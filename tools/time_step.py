"""Time one CoCoRD training step against one plain student step, through a fastai Learner, same models and batches.

Usage: .venv/bin/python tools/time_step.py [--teacher resnet34] [--student resnet18] [--bs 64] [--size 32] [--steps 12]
Prints the median time per training step (forward, loss, backward, optimizer step) of each, and their ratio.
"""
import argparse, statistics, time
import torch, torchvision
from fastai.vision.all import *
from cocord.all import *

class StepTimer(Callback):
    "Wall time of each training step, from before_batch to after_batch"
    order = -20
    def before_fit(self): self.times = []
    def before_batch(self): self.t0 = time.perf_counter()
    def after_batch(self):
        if self.training: self.times.append(time.perf_counter() - self.t0)

def synthetic(n, size, classes, bs):
    x, y = torch.rand(n, 3, size, size), torch.randint(0, classes, (n,))
    items = [(TensorImage(a), TensorCategory(b)) for a, b in zip(x, y)]
    return DataLoaders.from_dsets(items, items[:bs], bs=bs, device='cpu', shuffle=False, drop_last=True,
                                  after_batch=[Normalize.from_stats(*cifar_stats)])

def median_step(learn, warmup):
    timer = StepTimer()
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 0.05, cbs=timer)
    return statistics.median(timer.times[warmup:])

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--teacher', default='resnet34'); p.add_argument('--student', default='resnet18')
    p.add_argument('--bs', type=int, default=64); p.add_argument('--size', type=int, default=32)
    p.add_argument('--steps', type=int, default=12); p.add_argument('--warmup', type=int, default=3)
    a = p.parse_args()
    torch.manual_seed(0)
    net = lambda name: getattr(torchvision.models, name)(num_classes=100)
    dls = synthetic(a.bs * (a.steps + a.warmup), a.size, 100, a.bs)
    mk = lambda cbs: Learner(dls, net(a.student), loss_func=CrossEntropyLossFlat(), opt_func=SGD, cbs=cbs)
    plain = median_step(mk([]), a.warmup)
    cocord = median_step(mk([CoCoRDCallback(net(a.teacher).eval())]), a.warmup)
    print(f"{a.teacher} -> {a.student}, batch {a.bs} at {a.size}x{a.size}, {torch.get_num_threads()} threads, "
          f"median of {a.steps} steps after {a.warmup} warm-up")
    print(f"plain student step: {plain*1e3:8.1f} ms")
    print(f"CoCoRD step:        {cocord*1e3:8.1f} ms")
    print(f"ratio CoCoRD/plain: {cocord/plain:8.2f}")
