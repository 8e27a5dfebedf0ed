#!/usr/bin/env bash
# The class model sheets of docs/class_models.md: for MobileNetV2 and Tiny Darknet, the paper's
# plain ascent and the Fourier parametrisation with transformation robustness, for the classes of
# the paper's Fig. 1 that are ImageNet classes; one row per parametrisation, into
# docs/class_models_fourier_<model>.jpg. Prints each run's time. Usage: bash scripts/class_models_sheet.sh [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
PY=$(bash scripts/python.sh cv2 numpy)
bash scripts/fetch_models.sh models/cache
dotnet build src/Pipeline -c Release --verbosity quiet -nologo -o out/bin >/dev/null
# goose, ostrich, dalmatian, bell pepper, lemon, husky, washing machine, computer keyboard, kit fox
classes=n01855672,n01518878,n02110341,n07720875,n07749582,n02109961,n04554684,n03085013,n02119789
for model in mobilenet_v2 tiny_darknet; do
  source=models/cache/$([ $model = mobilenet_v2 ] && echo mobilenet_v2_1.0_224 || echo tiny_darknet).onnx
  out/bin/Pipeline export-grad --model "$source" --card models/onnx/$model.card.json --out out/class_models/${model}_grad.onnx
  for param in plain fourier; do
    # The plain ascent as in README (the paper's, no jitter or blur); the Fourier one with its defaults.
    extra=$([ $param = plain ] && echo "--steps 150 --step 0.01 --l2 0.01" || echo "")
    start=$(date +%s)
    out/bin/Pipeline visualise --model out/class_models/${model}_grad.onnx --class $classes --out out/class_models/$model/$param \
      --param $param $extra --device cpu --threads "$threads"
    echo "$model $param: $(( $(date +%s) - start )) s"
  done
done
"$PY" - "$classes" <<'PYEOF'
import sys, cv2, numpy as np
classes = sys.argv[1].split(',')
names = ['goose', 'ostrich', 'dalmatian', 'bell pepper', 'lemon', 'husky', 'washing machine', 'keyboard', 'kit fox']
tile, label = 160, 18
for model in ['mobilenet_v2', 'tiny_darknet']:
    rows = []
    for param in ['plain', 'fourier']:
        tiles = [cv2.resize(cv2.imread(f'out/class_models/{model}/{param}/{c}.png'), (tile, tile), interpolation=cv2.INTER_AREA) for c in classes]
        rows.append(np.hstack(tiles))
        caption = np.full((label, tile * len(classes), 3), 255, np.uint8)
        for i, name in enumerate(names):
            cv2.putText(caption, f'{param}: {name}' if i == 0 else name, (i * tile + 3, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
        rows.append(caption)
    path = f'docs/class_models_fourier_{model}.jpg'
    cv2.imwrite(path, np.vstack(rows), [cv2.IMWRITE_JPEG_QUALITY, 85])
    print(path)
PYEOF
