#!/bin/bash
# Holdout search, round 4: the mirror on digits (--flip against the new default --no-flip)
B=/work/main/.venv/bin/cocord_train
export OMP_NUM_THREADS=1
while pgrep -f search3.sh > /dev/null; do sleep 10; done
for cfg in "full-flip:--flip" "r8-flip:--student resnet8 --flip"; do
  name=${cfg%%:*}; args=${cfg#*:}
  $B --compare --dataset digits --holdout 0.2 --method vanilla --seeds 3 $args --out runs/$name > $name.log 2>&1
  echo "== $name"; tail -4 $name.log
done
