# Toy COCO written by tools/misc/make_toy_data.py: real COCO instance format, 320x256 images
# resized to 240x192.
# Named pieces (toy_*) for configs/demo and the tests to put over a real config's data.
toy_coco_root = 'data/toy/coco/'
toy_coco_scale = (240, 192)
toy_coco_train = dict(
    data_root=toy_coco_root,
    ann_file='annotations/instances_train2017.json',
    data_prefix=dict(img='train2017/'),
    pipeline=[
        dict(type='LoadImageFromFile', backend_args=None),
        dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
        dict(type='Resize', scale=toy_coco_scale, keep_ratio=True),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PackDetInputs'),
    ])
toy_coco_val = dict(
    data_root=toy_coco_root,
    ann_file='annotations/instances_val2017.json',
    data_prefix=dict(img='val2017/'),
    pipeline=[
        dict(type='LoadImageFromFile', backend_args=None),
        dict(type='Resize', scale=toy_coco_scale, keep_ratio=True),
        dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
        dict(type='PackDetInputs',
             meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
    ])
toy_coco_evaluator = dict(ann_file=toy_coco_root + 'annotations/instances_val2017.json')
