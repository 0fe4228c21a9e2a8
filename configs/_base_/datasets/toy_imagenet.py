# Toy ImageNet written by tools/misc/make_toy_data.py: real ImageNet layout (train/<wnid>/,
# flat val/, meta/*.txt), 96x96 images; the leaf config's pipelines stay.
toy_imagenet_root = 'data/toy/imagenet'
toy_imagenet_train = dict(data_root=toy_imagenet_root, split='train')
toy_imagenet_val = dict(data_root=toy_imagenet_root, split='val')
