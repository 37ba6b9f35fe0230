#!/bin/bash
# Holdout search, round 5: the teacher trained on every labelled training image, the student on a few of them
B=/work/main/.venv/bin/cocord_train
export OMP_NUM_THREADS=1
T=runs/r8/teacher/checkpoint.pth     # wrn_16_2 on all 1078 training images of the seed-0 holdout split, no flip, 20 epochs
for cfg in "r8-n200e60:--n_train 200 --epochs 60" "r8-n400e40:--n_train 400 --epochs 40"; do
  name=${cfg%%:*}; args=${cfg#*:}
  $B --compare --dataset digits --holdout 0.2 --method vanilla --seeds 3 --student resnet8 --teacher_ckpt $T $args --out runs/$name > $name.log 2>&1
  echo "== $name"; tail -4 $name.log
done
