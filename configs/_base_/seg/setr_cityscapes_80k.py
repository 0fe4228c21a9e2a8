# SETR's Cityscapes recipe (setr_cityscapes_40k.py) over 80k iterations.
_base_ = ['./setr_cityscapes_40k.py']

train_cfg = dict(max_iters=80000)
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=80000, by_epoch=False)
]
