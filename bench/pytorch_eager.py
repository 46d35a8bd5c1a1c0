#!/usr/bin/python3
"""PyTorch eager baseline for bench:model: torchvision ResNet-50 backbone (fc dropped), eval, no_grad,
2 threads, frames/s per batch size. Prints one JSON object. Needs Debian's python3-torch and
python3-torchvision; bench:model skips the baseline without them."""
import json, sys, time
import torch, torchvision

depth = int(sys.argv[1]) if len(sys.argv) > 1 else 50
batches = [int(b) for b in (sys.argv[2] if len(sys.argv) > 2 else "1,4,8").split(",")]
min_seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0
torch.set_num_threads(2)
net = getattr(torchvision.models, f"resnet{depth}")()
backbone = torch.nn.Sequential(*list(net.children())[:-1]).eval()
rows = []
with torch.no_grad():
    for b in batches:
        x = torch.randn(b, 3, 224, 224)
        backbone(x)
        runs, start = 0, time.perf_counter()
        while runs < 3 or time.perf_counter() - start < min_seconds:
            backbone(x)
            runs += 1
        elapsed = time.perf_counter() - start
        rows.append({"batch": b, "runs": runs, "framesPerSecond": b * runs / elapsed})
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "rows": rows}))
