# SETR-HLG on Cityscapes as setr-hlg_cityscapes_40k.py, for 80k iterations: the schedule the
# paper's table names (the README and the official config names say 40k).
_base_ = ['./setr-hlg_cityscapes_40k.py']

train_cfg = dict(max_iters=80000, val_interval=8000)
default_hooks = dict(checkpoint=dict(interval=8000))
param_scheduler = [
    {{_base_.setr_hlg_warmup}},
    dict(type='PolyLR', power=1.0, eta_min=0.0, by_epoch=False, begin=1500, end=80000),
]
