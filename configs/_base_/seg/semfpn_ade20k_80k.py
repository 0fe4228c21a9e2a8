# Semantic FPN on ADE20K with the PVT recipe of semfpn_ade20k_40k.py, run for 80k iterations.
_base_ = ['./semfpn_ade20k_40k.py']

train_cfg = dict(max_iters=80000, val_interval=8000)
default_hooks = dict(checkpoint=dict(interval=8000))
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, by_epoch=False, begin=0, end=80000),
]
