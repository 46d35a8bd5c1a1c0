#!/usr/bin/python3
"""The PyTorch + OpenCV peer of bench:pipeline:serve: how such a system usually runs TSN on streams.
One OpenCV capture thread per RTSP camera (decodes every frame), one sampled frame per second kept
(8 s window, 8 segments), and every second each camera's whole window goes through a torchvision
ResNet-50 (fc 400) again: no feature reuse. Windows wait in a bounded queue (oldest dropped, counted).
Prints one JSON object: per-camera predictions/s, latency (window's last frame arrival -> prediction,
p50/p99), drops. Usage: pytorch_recompute.py '{"urls": [...], "seconds": 20, "warmup": 5, "threads": 2}'.
Needs Debian's python3-torch, python3-torchvision, python3-opencv."""
import collections, json, os, sys, threading, time

os.environ.setdefault("OPENCV_FFMPEG_CAPTURE_OPTIONS", "rtsp_transport;tcp")
import cv2, numpy as np, torch, torchvision

cfg = json.loads(sys.argv[1])
torch.set_num_threads(int(cfg.get("threads", 2)))
NUM_SEG, STRIDE_S = 8, 1.0
MEAN = np.array([0.485, 0.456, 0.406], np.float32) * 255
STD = np.array([0.229, 0.224, 0.225], np.float32) * 255
net = torchvision.models.resnet50(num_classes=400).eval()
queue = collections.deque()
lock = threading.Condition()
stop = threading.Event()
drops = collections.Counter()
MAX_QUEUE = 8


def preprocess(frame):
    h, w = frame.shape[:2]
    s = 256 / min(h, w)
    frame = cv2.resize(frame, (round(w * s), round(h * s)), interpolation=cv2.INTER_LINEAR)
    h, w = frame.shape[:2]
    y, x = (h - 224) // 2, (w - 224) // 2
    rgb = cv2.cvtColor(frame[y:y + 224, x:x + 224], cv2.COLOR_BGR2RGB).astype(np.float32)
    return ((rgb - MEAN) / STD).transpose(2, 0, 1)


def capture(index, url):
    cap = cv2.VideoCapture(url, cv2.CAP_FFMPEG)
    kept = collections.deque(maxlen=NUM_SEG)
    next_keep = 0.0
    while not stop.is_set():
        ok, frame = cap.read()
        if not ok:
            time.sleep(0.1)
            continue
        now = time.time()
        if now < next_keep:
            continue
        next_keep = (next_keep or now) + STRIDE_S
        kept.append(frame)
        if len(kept) == NUM_SEG:
            with lock:
                if len(queue) >= MAX_QUEUE:
                    queue.popleft()
                    drops[index] += 1
                queue.append((index, list(kept), now))
                lock.notify()
    cap.release()


results = []
threads = [threading.Thread(target=capture, args=(i, u), daemon=True) for i, u in enumerate(cfg["urls"])]
for t in threads:
    t.start()
seen = set()
measure_from, end = None, time.time() + 120
with torch.no_grad():
    while time.time() < end:
        with lock:
            while not queue and time.time() < end:
                lock.wait(0.2)
            if not queue:
                break
            index, frames, last_arrival = queue.popleft()
        x = torch.from_numpy(np.stack([preprocess(f) for f in frames]))
        logits = net(x).mean(0)
        done = time.time()
        seen.add(index)
        if measure_from is None and len(seen) == len(cfg["urls"]):
            # Every camera has its first prediction: warm up, then measure.
            measure_from = done + float(cfg.get("warmup", 5))
            end = measure_from + float(cfg["seconds"])
        if measure_from is not None and done >= measure_from:
            results.append((index, done - last_arrival))
stop.set()
seconds = (end - measure_from) if measure_from is not None else float('nan')
lat = sorted(r[1] * 1000 for r in results)
pct = lambda p: lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))] if lat else None
print(json.dumps({
    "torch": torch.__version__,
    "opencv": cv2.__version__,
    "threads": torch.get_num_threads(),
    "seconds": seconds,
    "predictionsPerSecond": len(results) / seconds,
    "perCameraPerSecond": [sum(1 for r in results if r[0] == i) / seconds for i in range(len(cfg["urls"]))],
    "latencyMs": {"p50": pct(50), "p99": pct(99)},
    "droppedWindows": sum(drops.values()),
}))
sys.stdout.flush()
os._exit(0)
