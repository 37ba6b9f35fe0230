#!/bin/bash
# Holdout search for the digits demo: teacher gap over the plain student (validation = 20% of the training split)
B=/work/main/.venv/bin/cocord_train
export OMP_NUM_THREADS=1
for cfg in "default::" "n300:--n_train 300" "n500:--n_train 500" "n300-w402:--n_train 300 --teacher wrn_40_2" "w402:--teacher wrn_40_2"; do
  name=${cfg%%:*}; args=${cfg#*:}
  $B --compare --dataset digits --holdout 0.2 --method vanilla --seeds 3 $args --out runs/$name > $name.log 2>&1
  echo "== $name"; tail -4 $name.log
done
