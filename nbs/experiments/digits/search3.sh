#!/bin/bash
# Holdout search, round 3: a smaller student (resnet8, 78k parameters, against wrn_16_1's 175k)
B=/work/main/.venv/bin/cocord_train
export OMP_NUM_THREADS=1
while pgrep -f search2.sh > /dev/null; do sleep 10; done
for cfg in "r8:--student resnet8" "r8e40:--student resnet8 --epochs 40" "r8-w402e40:--student resnet8 --teacher wrn_40_2 --epochs 40"; do
  name=${cfg%%:*}; args=${cfg#*:}
  $B --compare --dataset digits --holdout 0.2 --method vanilla --seeds 3 $args --out runs/$name > $name.log 2>&1
  echo "== $name"; tail -4 $name.log
done
