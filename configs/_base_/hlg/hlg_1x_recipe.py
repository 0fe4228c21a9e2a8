# Pieces of the HLG COCO 1x recipe (hlg-detection/configs/retinanet_hlg/*.py; the paper's
# section 4.2 gives the same for Mask R-CNN): AdamW 1e-4, weight decay 1e-4 except on norms,
# multi-scale training with the short side drawn from 640-800 (long side up to 1333), flip.
hlg_optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'norm': dict(decay_mult=0.)}))
hlg_ms_resize = dict(
    type='RandomChoiceResize',
    scales=[(1333, 640), (1333, 672), (1333, 704), (1333, 736), (1333, 768), (1333, 800)],
    keep_ratio=True)
