#!/bin/bash
# Holdout search, round 2: fewer labelled images, trained longer (both networks reach their plateau)
B=/work/main/.venv/bin/cocord_train
export OMP_NUM_THREADS=1
while pgrep -f search1.sh > /dev/null; do sleep 10; done
for cfg in "n300e60:--n_train 300 --epochs 60" "n500e40:--n_train 500 --epochs 40" "n200e80:--n_train 200 --epochs 80" "full:--epochs 20"; do
  name=${cfg%%:*}; args=${cfg#*:}
  $B --compare --dataset digits --holdout 0.2 --method vanilla --seeds 3 $args --out runs/$name > $name.log 2>&1
  echo "== $name"; tail -4 $name.log
done
