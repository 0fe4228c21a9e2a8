# SETR's optimizer (fudan-zvg/SETR configs/SETR/*.py): SGD, momentum 0.9, no weight decay,
# heads at 10x lr; leaf configs set the lr of their decoder and dataset.
setr_optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0),
    paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=10.)}))
