"""cnn.py STEPS [numpy|torch|auto]: the ml suite's workload. Trains a small
convolutional network (3x3 convolution with 16 filters, ReLU, 2x2 max-pool,
a dense layer to 10 classes, softmax cross-entropy, plain SGD) for STEPS
steps of 64 images on generated 28x28 data: each class is a fixed random
pattern plus noise, so the loss falls as it learns. PyTorch when it can be
imported (and not told numpy), else numpy with hand-written gradients.
Prints the framework, the steps and the first and last loss."""
import sys

STEPS = int(sys.argv[1])
WANT = sys.argv[2] if len(sys.argv) > 2 else "auto"
BATCH, CLASSES, FILTERS, SIDE, SAMPLES = 64, 10, 16, 28, 2048


def data(np):
    rng = np.random.default_rng(0)
    patterns = rng.normal(size=(CLASSES, SIDE, SIDE)).astype(np.float32)
    labels = rng.integers(0, CLASSES, size=SAMPLES)
    images = patterns[labels] + rng.normal(scale=1.5, size=(SAMPLES, SIDE, SIDE)).astype(np.float32)
    return images.astype(np.float32), labels


def train_torch():
    import numpy as np
    import torch
    torch.manual_seed(0)
    images, labels = data(np)
    x_all = torch.from_numpy(images).unsqueeze(1)
    y_all = torch.from_numpy(labels).long()
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, FILTERS, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(FILTERS * 13 * 13, CLASSES))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    loss_fn = torch.nn.CrossEntropyLoss()
    first = last = None
    for step in range(STEPS):
        i = (step * BATCH) % SAMPLES
        x, y = x_all[i:i + BATCH], y_all[i:i + BATCH]
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        last = float(loss)
        if first is None:
            first = last
    return first, last


def train_numpy():
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view
    images, labels = data(np)
    rng = np.random.default_rng(1)
    w1 = (rng.normal(size=(9, FILTERS)) * 0.3).astype(np.float32)
    b1 = np.zeros(FILTERS, np.float32)
    w2 = (rng.normal(size=(FILTERS * 13 * 13, CLASSES)) * 0.01).astype(np.float32)
    b2 = np.zeros(CLASSES, np.float32)
    lr = 0.05
    first = last = None
    for step in range(STEPS):
        i = (step * BATCH) % SAMPLES
        x, y = images[i:i + BATCH], labels[i:i + BATCH]
        b = len(x)
        # Convolution as a matrix product over 3x3 windows.
        cols = sliding_window_view(x, (3, 3), axis=(1, 2)).reshape(b, 26 * 26, 9)
        z = cols @ w1 + b1                                  # (b, 676, F)
        a = np.maximum(z, 0).reshape(b, 13, 2, 13, 2, FILTERS)
        pooled = a.max(axis=(2, 4))                         # (b, 13, 13, F)
        flat = pooled.reshape(b, -1)
        logits = flat @ w2 + b2
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        loss = float(-np.log(p[np.arange(b), y] + 1e-9).mean())
        # Backward.
        d = p
        d[np.arange(b), y] -= 1
        d /= b
        dw2 = flat.T @ d
        db2 = d.sum(axis=0)
        dpool = (d @ w2.T).reshape(b, 13, 1, 13, 1, FILTERS)
        mask = a == pooled.reshape(b, 13, 1, 13, 1, FILTERS)
        dz = (mask * dpool).reshape(b, 26 * 26, FILTERS) * (z > 0)
        dw1 = cols.reshape(-1, 9).T @ dz.reshape(-1, FILTERS)
        db1 = dz.sum(axis=(0, 1))
        w1 -= lr * dw1
        b1 -= lr * db1
        w2 -= lr * dw2
        b2 -= lr * db2
        last = loss
        if first is None:
            first = loss
    return first, last


framework = WANT
if framework == "auto":
    try:
        import torch  # noqa: F401
        framework = "torch"
    except ImportError:
        framework = "numpy"
first, last = train_torch() if framework == "torch" else train_numpy()
print("framework=%s steps=%d first_loss=%.4f last_loss=%.4f" % (framework, STEPS, first, last))
