# SETR's Cityscapes recipe (setr_cityscapes_40k.py) over 80k iterations, evaluated and saved
# every 8k as the official 80k schedule.
_base_ = ['./setr_cityscapes_40k.py']

train_cfg = dict(max_iters=80000, val_interval=8000)
default_hooks = dict(checkpoint=dict(interval=8000))
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=80000, by_epoch=False)
]
