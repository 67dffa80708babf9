#!/usr/bin/python3
# image_cache.py: the image cache of the weakref documentation, in Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The weakref documentation motivates weak references with a cache of
# large objects that must not keep them alive. Wk.WeakValueDictionary,
# Wk.WeakKeyDictionary and Wk.WeakSet are used exactly like their
# namesakes in the weakref module; the difference is that they follow the
# GObject, not its Python wrapper (the last section).

import gc
import hashlib
import weakref

import gi
gi.require_version('Wk', '1.0')
from gi.repository import GLib, Gio, GObject, Wk  # noqa: E402

WIDTH = HEIGHT = 1024
IMAGE_BYTES = WIDTH * HEIGHT * 4        # RGBA: 4 MiB

alive = {'images': 0, 'bytes': 0}


def decode(name):
    """'Decodes' @name: pixels that depend only on the file name."""
    block = hashlib.sha256(name.encode()).digest()
    return block * (IMAGE_BYTES // len(block))


class Image(Wk.Object):
    """A decoded image: a large pixel buffer and its file name."""

    def __init__(self, name):
        super().__init__()
        print('    [decoding %s: %d x %d RGBA, %d bytes]'
              % (name, WIDTH, HEIGHT, IMAGE_BYTES))
        self.name = name
        self.pixels = decode(name)
        alive['images'] += 1
        alive['bytes'] += len(self.pixels)

    def __del__(self):
        print('    [image %s freed: %d bytes]' % (self.name, len(self.pixels)))
        alive['images'] -= 1
        alive['bytes'] -= len(self.pixels)

    def __repr__(self):
        return '<Image %s at 0x%x>' % (self.name, hash(self))


class ImageCache:
    """File name -> Image, holding no image alive."""

    def __init__(self, mapping=None):
        self.images = Wk.WeakValueDictionary() if mapping is None else mapping
        self.hits = self.misses = 0

    def get(self, name):
        image = self.images.get(name)
        if image is not None:
            self.hits += 1
            print('  get %-9s -> hit  %r' % (name, image))
            return image
        self.misses += 1
        print('  get %-9s -> miss, loading' % name)
        image = self.images[name] = Image(name)
        return image

    def report(self):
        n = len(self.images)
        print('  cache: %d %s %s; %d hits, %d misses; %d images alive, %d bytes'
              % (n, 'entry' if n == 1 else 'entries', sorted(self.images.keys()),
                 self.hits, self.misses, alive['images'], alive['bytes']))


cache = ImageCache()

print('== A miss loads, a hit shares ==')
viewer = cache.get('cat.png')
editor = cache.get('cat.png')
print('  the viewer and the editor have the same image:', viewer is editor)
print('  the cache holds no reference: Wk.getrefcount =', Wk.getrefcount(viewer))
first_pixels = viewer.pixels[:8].hex()
cache.report()
print('the viewer lets go:')
del viewer
cache.report()
print('the editor lets go, the last user:')
del editor
print("  'cat.png' in cache.images:", 'cat.png' in cache.images,
      '| cache.images.get:', cache.images.get('cat.png'))
cache.report()
print('the next request is a miss again:')
again = cache.get('cat.png')
print('  same pixels as before:', again.pixels[:8].hex() == first_pixels)
cache.report()
print('and lets go:')
del again
print()

print('== Six users, three images ==')
requests = ['dog.png', 'cat.png', 'dog.png', 'bird.png', 'dog.png', 'cat.png']
users = [cache.get(name) for name in requests]
cache.report()
print('  without the cache: %d bytes; with it: %d'
      % (len(requests) * IMAGE_BYTES, alive['bytes']))
print('the users let go, one by one:')
while users:
    user = users.pop(0)
    print('  a user drops', user.name)
    del user
cache.report()
print()


class Metadata:
    """Data someone else attaches to images."""

    alive = 0

    def __init__(self, name, camera):
        self.name = name
        self.camera = camera
        self.times_shown = 0
        Metadata.alive += 1

    def __del__(self):
        Metadata.alive -= 1
        print('    [metadata of %s freed (camera %s, shown %d times)]'
              % (self.name, self.camera, self.times_shown))


print('== Metadata in a Wk.WeakKeyDictionary: it dies with its image ==')
info = Wk.WeakKeyDictionary()
cat = cache.get('cat.png')
dog = cache.get('dog.png')
info[cat] = Metadata('cat.png', 'X100')
info[dog] = Metadata('dog.png', 'EOS 5D')
info[cat].times_shown += 3
print('  metadata for %d images; cat.png was taken with a %s'
      % (len(info), info[cat].camera))
print('  cat in info:', cat in info, '| Wk.getrefcount(cat) =', Wk.getrefcount(cat))
print('new metadata for dog.png replaces the old:')
info[dog] = Metadata('dog.png', 'EOS R5')
print('the last user of cat.png lets go:')
del cat
print('  metadata for %d image; cat.png in the cache: %s'
      % (len(info), 'cat.png' in cache.images))
print('the metadata dict itself goes first, dog.png stays cached:')
del info
gc.collect()
print('  Metadata objects alive:', Metadata.alive)
cache.report()
del dog
cache.report()
print()


class View(Wk.Object):
    """Shows one image, and keeps it alive."""

    def __init__(self, title, image):
        super().__init__()
        self.title = title
        self.image = image


def report_views(views):
    shown = sorted('"%s" (%s)' % (v.title, v.image.name) for v in views)
    print('  %d open views%s' % (len(views), ': ' + ', '.join(shown) if shown else ''))


print('== Open views in a Wk.WeakSet ==')
window = Gio.ListStore.new(View)      # the window owns its views
open_views = Wk.WeakSet()
for title, name in [('Holiday', 'beach.png'), ('Holiday, zoomed', 'beach.png'),
                    ('Pets', 'dog.png')]:
    view = View(title, cache.get(name))
    window.append(view)
    open_views.add(view)
del view
report_views(open_views)
cache.report()
print('closing "Holiday" (beach.png is still shown by the zoomed view):')
window.remove(0)
report_views(open_views)
cache.report()
print('closing the window:')
window.remove_all()
report_views(open_views)
cache.report()
print()

print('== Only C holds the image: the point of Wk over the stdlib ==')
album = Gio.ListStore.new(GObject.Object)
stdlib_images = weakref.WeakValueDictionary()
stdlib_thumbs = weakref.WeakValueDictionary()
wk_thumbs = Wk.WeakValueDictionary()
image = cache.get('cat.png')
stdlib_images['cat.png'] = image
# A thumbnail made by C code: a GObject with no Python state.
thumb = Gio.BytesIcon.new(GLib.Bytes.new(image.pixels[:64 * 64 * 4]))
stdlib_thumbs['cat.png'] = wk_thumbs['cat.png'] = thumb
album.append(image)
album.append(thumb)
del image, thumb
gc.collect()
print('the album (a Gio.ListStore) holds cat.png and its thumbnail; no Python name does')
print("  'cat.png' in          the image  the thumbnail")
print('  a Wk dict             %-10s %s'
      % ('cat.png' in cache.images, 'cat.png' in wk_thumbs))
print('  a stdlib dict         %-10s %s  <- wrong: the thumbnail lives'
      % ('cat.png' in stdlib_images, 'cat.png' in stdlib_thumbs))
print('  (PyGObject keeps a wrapper with Python state alive while C holds its')
print('  object, so the stdlib finds the Image; the thumbnail\'s wrapper has no')
print('  state and is gone, and a stdlib cache would make a second thumbnail)')
print('a request is a hit, with the Python state intact:')
image = cache.get('cat.png')
print('  same pixels as before:', image.pixels[:8].hex() == first_pixels)
del image
print('  the Wk thumbnail is the album\'s:', wk_thumbs.get('cat.png') is album.get_item(1))
print('the album lets go:')
album.remove_all()
gc.collect()
print("  'cat.png' in the Wk dicts: images %s, thumbnails %s"
      % ('cat.png' in cache.images, 'cat.png' in wk_thumbs))
cache.report()
