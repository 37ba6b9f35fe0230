#!/bin/bash
# The Fashion-MNIST study (issue 20): a resnet20 teacher trained on all 60 000 training images, then resnet8 students
# given a 5000-image subset (drawn per seed), 10 epochs, with every method, five seeds, paired by seed.
# Run from nbs/ in the background; every command resumes where it stopped (finished runs are only read back).
#   bash experiments/fashion_mnist_study/run.sh [OUT]        (OUT: the study's folder, default runs/fashion-mnist-study)
set -e
OUT=${1:-runs/fashion-mnist-study}
T=experiments/fashion_mnist_study/teacher/checkpoint.pth   # made by (4473 s here, one thread, 93.23% test accuracy):
#   cocord_train --dataset fashion_mnist --method vanilla --student resnet20 --epochs 15 --out runs/fashion-mnist-teacher
ARGS="--dataset fashion_mnist --compare --seeds 5 --n_train 5000 --epochs 10 --teacher_ckpt $T --out $OUT"
# two processes of one thread each, split by method so that both take about as long
OMP_NUM_THREADS=1 cocord_train $ARGS --method vanilla,crd,crd+kd > $OUT-a.log 2>&1 &
OMP_NUM_THREADS=1 cocord_train $ARGS --method kd,dcd,cocord,cocord+kd > $OUT-b.log 2>&1 &
wait
# every method: trains nothing more, writes the whole comparison.csv and comparison.png
OMP_NUM_THREADS=1 cocord_train $ARGS --method vanilla,kd,crd,crd+kd,dcd,cocord,cocord+kd > $OUT.log 2>&1
